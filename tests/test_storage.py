"""Storage: migrations keep rows, summaries stay equal to a from-scratch
computation after any writes, concurrent writers lose nothing."""

import random
import subprocess
import sys
import threading

import pandas as pd
from fixtures import (SUMMARY_TABLES, TODAY, database_before, integrity, new_location, old_customer,
                      random_relationship_writes, random_write, random_writes, sqlite_only, summaries)

import crm_core
from crm_core import storage
from crm_core.storage import commands, schema, transaction


@sqlite_only
def test_connections_use_wal_a_busy_timeout_and_foreign_keys(empty_db):
    with crm_core.connect(empty_db) as db:
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_database_made_by_the_first_schema_is_upgraded_with_its_rows_kept(tmp_path):
    with database_before(tmp_path / "old.db", "m002_summaries") as (path, old):
        old_customer(old, 1, "Old Co")
        old.execute("INSERT INTO responses (id, customer_id, stage, responded_on, mode, summary, quality, completeness)"
                    " VALUES (1, 1, 'pre_deal', '2025-02-01', 'phone', 'Call', 4, 4)")
        old.execute("INSERT INTO response_items VALUES (1, 'pre.data', 1, 'pre_deal', '2025-02-01')")
        old.execute("INSERT INTO opinions (customer_id, stage, opinion_on, score)"
                    " VALUES (1, 'pre_deal', '2025-02-02', 1)")
        assert "stage_summary" not in storage.table_names(old)
    with crm_core.connect(path) as db:
        assert schema.pending(db) == []
        row = crm_core.portfolio(db).iloc[0]
    assert (row["name"], row["responses"], row["items_covered"], row["final_opinion"]) == ("Old Co", 1, 1, 1)


# Opens the database given as argument once told to on standard input, so that two
# processes, both started and ready, open the same new file at the same moment.
_OPEN_WHEN_TOLD = """
import sys
import crm_core
print("ready", flush=True)
sys.stdin.readline()
with crm_core.connect(sys.argv[1]):
    pass
"""


def test_two_processes_opening_a_new_database_at_once_apply_each_migration_once(tmp_path):
    for round_ in range(3):   # each round is one chance for the two to collide
        path = new_location(tmp_path / f"new{round_}.db")   # a new file, or a new empty server database
        starting = [subprocess.Popen([sys.executable, "-c", _OPEN_WHEN_TOLD, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]
        for process in starting:
            assert process.stdout.readline() == "ready\n"
        for process in starting:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in starting:
            _, errors = process.communicate()
            assert process.returncode == 0, errors
        with crm_core.connect(path, migrate=False) as db:
            assert schema.applied(db) == list(schema.MIGRATIONS)
            assert db.execute("SELECT COUNT(*) FROM checklist_items").fetchone()[0] == len(crm_core.CHECKLIST)


def test_a_file_that_is_not_sqlite_gives_a_clear_error_and_is_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the droids" * 100)
    try:
        with crm_core.connect(path):
            raise AssertionError("opened a non-SQLite file")
    except crm_core.StorageError as error:
        assert "not a usable CRM database" in str(error)
    assert path.read_bytes() == b"these are not the droids" * 100


def test_summaries_after_random_writes_equal_a_rebuild_from_scratch(demo_db):
    random_writes(demo_db, seed=11, count=150)
    kept = summaries(demo_db)
    with crm_core.connect(demo_db) as db:
        crm_core.rebuild_summaries(db)
    rebuilt = summaries(demo_db)
    for table in SUMMARY_TABLES:
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)


def test_risk_summary_after_random_relationship_writes_equals_a_rebuild_from_scratch(demo_db):
    """Cases, their events, promises, follow-ups, targets and undos keep ``risk_summary``
    as a rebuild from the base rows makes it (and leave the other summaries so)."""
    random_writes(demo_db, seed=13, count=30)
    with crm_core.connect(demo_db) as db:
        random_relationship_writes(db, seed=13, count=150)
    kept = summaries(demo_db)
    assert kept["risk_summary"]["breach_at"].notna().any()
    with crm_core.connect(demo_db) as db:
        crm_core.rebuild_summaries(db)
    rebuilt = summaries(demo_db)
    for table in SUMMARY_TABLES:
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)


def test_summaries_after_writes_refreshed_once_at_the_end_as_an_import_does_equal_a_rebuild(demo_db):
    """New responses are added to the counts of customers with no other change; a
    customer with any other change is recomputed whole."""
    rng = random.Random(3)
    with crm_core.connect(demo_db) as db, transaction(db), commands.deferred_refresh(db):
        customers = list(crm_core.portfolio(db)[["customer_id", "stage"]].itertuples(index=False))
        items = crm_core.checklist_items(db)
        for _ in range(120):
            try:
                customers = random_write(db, rng, customers, items)
            except crm_core.ValidationError:
                continue
        pending = db.transaction.deferred
        only_added = set(pending.added.values()) - pending.customers
        assert only_added and pending.customers        # both ways of refreshing are exercised
    kept = summaries(demo_db)
    with crm_core.connect(demo_db) as db:
        crm_core.rebuild_summaries(db)
    rebuilt = summaries(demo_db)
    for table in SUMMARY_TABLES:
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)


def test_portfolio_counts_equal_counts_from_the_base_rows(demo_db):
    random_writes(demo_db, seed=5, count=60)
    for as_of in (None, "2026-03-31", "2025-10-15"):
        with crm_core.connect(demo_db) as db:
            table = crm_core.portfolio(db, as_of=as_of).set_index("customer_id")
            day = as_of or "9999-12-31"
            base = storage.frame(db, "SELECT customer_id, COUNT(*) AS n, MAX(responded_on) AS last FROM responses"
                                     " WHERE responded_on <= :d GROUP BY customer_id", {"d": day})
            base = base.set_index("customer_id")
        counts = base["n"].reindex(table.index, fill_value=0)
        assert (table["responses"] == counts).all(), as_of
        assert (table["last_response_on"].dropna() == base["last"].reindex(table.index).dropna()).all()


def test_final_opinion_equals_the_rule_applied_to_the_base_rows(demo_db):
    random_writes(demo_db, seed=3, count=60)
    with crm_core.connect(demo_db) as db:
        table = crm_core.portfolio(db, as_of="2026-06-30").set_index("customer_id")
        for customer_id in table.index[:25]:
            journey = crm_core.journey(db, int(customer_id), as_of="2026-06-30")
            ops = journey.opinions
            latest = {stage: int(ops[ops["stage"] == stage]["score"].iloc[-1])
                      for stage in crm_core.STAGES if (ops["stage"] == stage).any()}
            expected = crm_core.scores.final_opinion(latest, journey.current_stage)
            shown = table.loc[customer_id, "final_opinion"]
            assert (None if pd.isna(shown) else int(shown)) == expected, customer_id


def test_concurrent_writers_lose_nothing_while_a_reader_reads(story_db):
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(number: int) -> None:
        try:
            with crm_core.connect(story_db) as db:
                for i in range(25):
                    crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.progress"],
                                          3, 3, f"writer {number} #{i}", today=TODAY)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)

    def reader() -> None:
        with crm_core.connect(story_db) as db:
            while not done.is_set():
                crm_core.portfolio(db)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    assert errors == []
    with crm_core.connect(story_db) as db:
        assert crm_core.portfolio(db).set_index("name").loc["Acme Turbines", "responses"] == 2 + 100
        assert integrity(db) == "ok"


def test_two_processes_worth_of_connections_see_each_others_commits(story_db):
    with crm_core.connect(story_db) as watching:
        assert watching.execute("SELECT COUNT(*) FROM opinions").fetchone()[0] == 4
        with crm_core.connect(story_db) as db:
            crm_core.record_opinion(db, 2, "pre_deal", "2025-04-01", 2, today=TODAY)
        assert watching.execute("SELECT COUNT(*) FROM opinions").fetchone()[0] == 5


def test_writes_inside_an_outer_transaction_commit_together_or_not_at_all(story_db):
    with crm_core.connect(story_db) as db:
        try:
            with crm_core.storage.transaction(db):
                crm_core.record_opinion(db, 2, "pre_deal", "2025-05-01", 1, today=TODAY)
                try:
                    crm_core.record_opinion(db, 2, "pre_deal", "2025-05-02", 7, today=TODAY)
                except crm_core.ValidationError:
                    pass   # the refused row rolls back alone
                assert len(crm_core.journey(db, 2).opinions) == 2
                raise RuntimeError("import failed half-way")
        except RuntimeError:
            pass
        assert len(crm_core.journey(db, 2).opinions) == 1
