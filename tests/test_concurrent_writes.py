"""Several managers saving at the same moment, each in their own process (as several
Streamlit servers or cron jobs would): every write lands, nobody sees "database is
locked", readers keep reading, and the file stays sound."""

import multiprocessing
import traceback

from fixtures import TODAY, integrity

import crm_core

WRITERS = 4
EACH = 25
# fork: the children inherit the imported modules; each opens its own connection.
CONTEXT = multiprocessing.get_context("fork")


def write_burst(path, number: int, start, errors) -> None:
    """Log ``EACH`` responses and one opinion for Acme (id 1) as ``writer-<number>``."""
    try:
        start.wait(timeout=60)
        for i in range(EACH):
            with crm_core.connect(path) as db:
                crm_core.log_response(db, 1, "operational", f"2025-06-{1 + i % 28:02d}", "phone", ["ops.progress"],
                                      1 + i % 5, 1 + number % 5, f"Report {number}.{i}", f"writer-{number}",
                                      today=TODAY)
        with crm_core.connect(path) as db:
            crm_core.record_opinion(db, 1, "operational", "2025-07-01", number % 5 - 2, author=f"writer-{number}",
                                    today=TODAY)
    except BaseException:
        errors.put(f"writer {number}: {traceback.format_exc()}")


def read_until_done(path, start, done, errors, reads) -> None:
    """Read the portfolio again and again while the writers write; the count never goes back."""
    try:
        start.wait(timeout=60)
        seen = 0
        while not done.is_set():
            with crm_core.connect(path) as db:
                count = int(crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"])
            if count < seen:
                errors.put(f"reader saw {count} responses after {seen}")
            seen = count
            reads.value += 1
    except BaseException:
        errors.put(f"reader: {traceback.format_exc()}")


def test_four_writer_processes_and_a_reader_lose_nothing_and_never_see_a_lock(story_db):
    start, done, errors = CONTEXT.Barrier(WRITERS + 1), CONTEXT.Event(), CONTEXT.Queue()
    reads = CONTEXT.Value("i", 0)
    writers = [CONTEXT.Process(target=write_burst, args=(str(story_db), n, start, errors)) for n in range(WRITERS)]
    reader = CONTEXT.Process(target=read_until_done, args=(str(story_db), start, done, errors, reads))
    for process in [*writers, reader]:
        process.start()
    for process in writers:
        process.join(timeout=300)
    done.set()
    reader.join(timeout=60)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert [p.exitcode for p in [*writers, reader]] == [0] * (WRITERS + 1)
    assert reads.value > 0

    with crm_core.connect(story_db) as db:
        acme = crm_core.journey(db, 1)
        trail = crm_core.history(db, 1)
        rebuilt = crm_core.portfolio(db).set_index("customer_id").loc[1, "responses"]
    assert len(acme.responses) == 2 + WRITERS * EACH == rebuilt
    for n in range(WRITERS):
        mine = acme.responses[acme.responses["author"] == f"writer-{n}"]
        assert sorted(mine["summary"]) == sorted(f"Report {n}.{i}" for i in range(EACH))
        assert (trail["author"] == f"writer-{n}").sum() == EACH + 1
    assert len(acme.opinions) == 3 + WRITERS
    with crm_core.connect(story_db) as db:
        assert integrity(db) == "ok"
