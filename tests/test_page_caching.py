"""Pages read through ``read()``: a rerun without a write is served from the cache, and
a write (from any session) makes the next run read again what it touched: the
portfolio's reads after any customer's write, a customer's own reads after a write of
that customer, everything after a setting or a write that does not say what it touched."""

import functools

import pytest
from fixtures import TODAY

import crm_core
import pages.common
import pages.common.presented


def log_full_pre_deal_response(db_path) -> None:
    """Borealis Rail (story id 2) gets every pre-deal item in one response."""
    with crm_core.connect(db_path) as db:
        items = crm_core.checklist_items(db)
        keys = list(items[items["stage"] == "pre_deal"]["key"])
        crm_core.log_response(db, 2, "pre_deal", "2025-06-02", "phone", keys, 4, 4, "Full data pack",
                              "Jonas", today=TODAY)


@pytest.mark.parametrize("page_file, reader, params", [
    ("app.py", "overview", {}),
    ("pages/1_Customer_journey.py", "journey", {"customer": "2"}),
    ("pages/2_Checklist_gaps.py", "checklist_gaps", {"stage": "pre_deal"}),
    # Its Trend and Movers tabs show opinions, which a response leaves as they were (test below).
    ("pages/3_Opinion_trends.py", "self_assessment_trend", {"view": "Self-assessment"}),
    ("pages/4_Response_quality.py", "quality_by_mode", {"since": "2025-01-01"}),
])
def test_a_rerun_reads_from_the_cache_until_a_write(open_page, story_db, monkeypatch, page_file, reader, params):
    calls = []
    original = getattr(crm_core, reader)

    def counted(*args, **kwargs):
        calls.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(crm_core, reader, counted)
    page = open_page(page_file, story_db, **params)
    assert not page.exception and len(calls) == 1
    page.run()
    assert len(calls) == 1          # warm: served from the cache
    log_full_pre_deal_response(story_db)
    page.run()
    assert not page.exception and len(calls) == 2    # the write changed the counter in the cache key


def test_a_write_by_another_session_shows_on_the_next_run(open_page, story_db):
    page = open_page("pages/2_Checklist_gaps.py", story_db, stage="pre_deal")
    assert page.metric[1].label == "Customers with a gap" and page.metric[1].value == "3"
    log_full_pre_deal_response(story_db)
    page.run()
    assert page.metric[1].value == "2"
    assert "Borealis Rail" not in list(page.dataframe[0].value["name"])


def test_a_run_reads_the_versions_once_and_once_more_for_the_customer_it_shows(open_page, story_db, monkeypatch):
    version_reads, reads = [], []
    change_versions, cached = crm_core.change_versions, pages.common._cached

    def counted_versions(path, scopes):
        version_reads.append(tuple(scopes))
        return change_versions(path, scopes)

    def counted_read(*args):
        reads.append(args[0])
        return cached(*args)

    monkeypatch.setattr(crm_core, "change_versions", counted_versions)
    monkeypatch.setattr(pages.common, "_cached", counted_read)
    page = open_page("pages/1_Customer_journey.py", story_db, customer="2")
    assert not page.exception and len(reads) > 2
    assert version_reads == [pages.common.PREFETCHED, ("customer:2",)]
    version_reads.clear()
    open_page("app.py", story_db)
    assert version_reads == [pages.common.PREFETCHED]


def counted_reads(monkeypatch, *names) -> dict[str, list]:
    """{name: the arguments of each call} of the ``crm_core`` reads ``names``, counted."""
    calls = {name: [] for name in names}

    def counting(name):
        original = getattr(crm_core, name)

        @functools.wraps(original)      # the read's own name: the cache keys reads by it
        def counted(*args, **kwargs):
            calls[name].append(args[1:])
            return original(*args, **kwargs)
        monkeypatch.setattr(crm_core, name, counted)
    for name in names:
        counting(name)
    return calls


def log_for(db_path, customer_id: int, stage: str, summary: str) -> None:
    """A response of customer ``customer_id`` at ``stage``."""
    with crm_core.connect(db_path) as db:
        key = crm_core.checklist_items(db).query("stage == @stage")["key"].iloc[-1]
        crm_core.log_response(db, customer_id, stage, "2025-07-01", "phone", [key], 3, 3, summary, "Ana",
                              today=TODAY)


def test_a_save_for_another_customer_leaves_a_journey_warm(open_page, story_db, monkeypatch):
    calls = counted_reads(monkeypatch, "journey", "change_log", "opinion_drivers")
    page = open_page("pages/1_Customer_journey.py", story_db, customer="2", tab="History")
    assert not page.exception
    assert (len(calls["journey"]), len(calls["change_log"]), len(calls["opinion_drivers"])) == (1, 1, 1)
    history = len(page.dataframe[0].value)
    log_for(story_db, 1, "operational", "Another customer's call in another stage")
    page.run()
    # The customer's own reads stay cached, and the advice from its stage's analysis too.
    assert not page.exception
    assert (len(calls["journey"]), len(calls["change_log"]), len(calls["opinion_drivers"])) == (1, 1, 1)
    log_for(story_db, 3, "pre_deal", "Another customer's call in this stage")
    page.run()
    # The stage's analysis is read again; the customer's own reads stay cached.
    assert (len(calls["journey"]), len(calls["change_log"]), len(calls["opinion_drivers"])) == (1, 1, 2)
    log_for(story_db, 2, "pre_deal", "This customer's call")
    page.run()
    assert (len(calls["journey"]), len(calls["change_log"])) == (2, 2)
    assert len(page.dataframe[0].value) == history + 1     # the history shows this customer's new change


def open_a_case(db) -> None:
    crm_core.open_case(db, 1, "2025-06-02T09:00", "Pump trips", "high", author="Ana")


def rate_a_stage(db) -> None:
    crm_core.record_opinion(db, 3, "pre_deal", "2025-07-01", 2, author="Ana", today=TODAY)


def move_a_stage(db) -> None:
    # The final opinion sums the stages reached: a move changes it with no new opinion.
    crm_core.move_stage(db, 3, "operational", "2025-07-01", author="Ana", today=TODAY)


@pytest.mark.parametrize("page_file, readers, own_write", [
    ("pages/8_Service_and_promises.py", ("service_portfolio",), open_a_case),
    ("pages/10_Outcomes.py", ("outcomes_by_opinion", "acquisition_returns"), rate_a_stage),
    ("pages/10_Outcomes.py", ("outcomes_by_opinion", "acquisition_returns"), move_a_stage),
    ("pages/3_Opinion_trends.py", ("opinion_trend",), rate_a_stage),
    ("pages/3_Opinion_trends.py", ("opinion_trend",), move_a_stage),
], ids=["service", "outcomes", "outcomes-stage-move", "trends", "trends-stage-move"])
def test_a_response_leaves_a_page_of_other_facts_warm_and_a_write_of_its_facts_refreshes_it(
        open_page, story_db, monkeypatch, page_file, readers, own_write):
    import pages.common.service
    moment = pages.common.service.clock_now()
    monkeypatch.setattr(pages.common.service, "clock_now", lambda: moment)   # no minute may tick meanwhile
    calls = counted_reads(monkeypatch, *readers)
    page = open_page(page_file, story_db)
    assert not page.exception and [len(calls[name]) for name in readers] == [1] * len(readers)
    log_for(story_db, 1, "operational", "A colleague's call")
    page.run()
    assert not page.exception and [len(calls[name]) for name in readers] == [1] * len(readers)
    shown = page.metric[0].value if page.metric else None
    with crm_core.connect(story_db) as db:
        own_write(db)
    page.run()
    assert not page.exception and [len(calls[name]) for name in readers] == [2] * len(readers)
    if own_write is open_a_case:
        assert int(page.metric[0].value) == int(shown) + 1     # the new case is counted


def test_the_gaps_of_a_stage_stay_warm_after_a_response_in_another_stage(open_page, story_db, monkeypatch):
    calls = counted_reads(monkeypatch, "checklist_gaps")
    page = open_page("pages/2_Checklist_gaps.py", story_db, stage="pre_deal")
    assert not page.exception and len(calls["checklist_gaps"]) == 1
    log_for(story_db, 1, "operational", "A colleague's call in another stage")
    with crm_core.connect(story_db) as db:
        open_a_case(db)
    page.run()
    assert not page.exception and len(calls["checklist_gaps"]) == 1
    shown = page.metric[0].value
    with crm_core.connect(story_db) as db:
        move_a_stage(db)        # Cobalt Mining moves on: still at or past pre-deal, now operational
    page.run()
    assert len(calls["checklist_gaps"]) == 2 and page.metric[0].value == shown
    log_for(story_db, 3, "pre_deal", "A call in this stage")
    page.run()
    assert len(calls["checklist_gaps"]) == 3


def test_response_quality_stays_warm_after_a_service_case_and_refreshes_after_a_response(open_page, story_db,
                                                                                         monkeypatch):
    calls = counted_reads(monkeypatch, "quality_by_mode", "weakest_responses")
    page = open_page("pages/4_Response_quality.py", story_db, since="2025-01-01")
    assert not page.exception and [len(found) for found in calls.values()] == [1, 1]
    with crm_core.connect(story_db) as db:
        open_a_case(db)
        move_a_stage(db)
    page.run()
    assert not page.exception and [len(found) for found in calls.values()] == [1, 1]
    log_for(story_db, 1, "operational", "A colleague's call")
    page.run()
    assert not page.exception and [len(found) for found in calls.values()] == [2, 2]


def test_a_saved_view_or_a_sign_in_leaves_the_portfolio_warm(open_page, story_db, monkeypatch):
    calls = counted_reads(monkeypatch, "overview")
    page = open_page("app.py", story_db)
    assert not page.exception and len(calls["overview"]) == 1
    with crm_core.connect(story_db) as db:
        crm_core.saved_views.save_view(db, "Iberia", "overview", {"region": ["Iberia"]}, author="Ana")
        crm_core.accounts.remember(db, author="Ana")
    page.run()
    assert not page.exception and len(calls["overview"]) == 1


@pytest.mark.parametrize("write", ["currency", "rebuild"])
def test_a_setting_or_a_rebuild_refreshes_every_customer(open_page, story_db, monkeypatch, write):
    calls = counted_reads(monkeypatch, "journey")
    page = open_page("pages/1_Customer_journey.py", story_db, customer="3")
    assert not page.exception and len(calls["journey"]) == 1
    with crm_core.connect(story_db) as db:
        if write == "currency":
            crm_core.outcomes.set_currency(db, "USD", author="Ana")
        else:
            crm_core.rebuild_summaries(db)
    page.run()
    assert not page.exception and len(calls["journey"]) == 2


def test_charts_and_formatting_are_built_once_until_a_write(open_page, story_db, monkeypatch):
    import functools

    import pages.common.drivers
    import pages.common.quality
    built = []

    def counted(module, name):
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            built.append(name)
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    counted(pages.common.quality, "matrix_chart")
    counted(pages.common.drivers, "readable_drivers")
    quality = open_page("pages/4_Response_quality.py", story_db, since="2025-01-01")
    drivers = open_page("pages/11_What_moves_opinion.py", story_db, stage="pre_deal")
    assert not quality.exception and not drivers.exception
    first = sorted(built)
    assert first.count("matrix_chart") == 2 and "readable_drivers" in first     # quality and completeness
    quality.run()
    drivers.run()
    assert sorted(built) == first                      # warm: specs and tables from the cache
    log_full_pre_deal_response(story_db)
    quality.run()
    assert built.count("matrix_chart") == 4            # the write changed the counter in the key


def test_a_read_or_chart_asked_at_a_new_version_drops_its_copy_at_the_old_one(story_db):
    # Versions only move on: a save must not leave a copy of every read it made cold.
    calls = []

    def counted(db, customer_id, stages=("pre_deal",)):
        calls.append(customer_id)
        return customer_id

    def drawn(ctx, customer_id, stages=("pre_deal",)):
        calls.append(("drawn", customer_id))
        return customer_id

    before, after = (pages.common.Context(str(story_db), None, version=(("portfolio", n),)) for n in (1, 2))
    for ask in (pages.common.read, pages.common.presented.presented):
        function = counted if ask is pages.common.read else drawn
        calls.clear()
        assert [ask(before, function, 7), ask(before, function, 7), ask(before, function, 8)] == [7, 7, 8]
        assert len(calls) == 2
        assert ask(before, function, 9, stages=["pre_deal"]) == 9 and len(calls) == 3    # a list among them
        calls.pop()
        assert ask(after, function, 7) == 7 and len(calls) == 3
        assert ask(after, function, 7) == 7 and len(calls) == 3      # the new one is kept
        assert ask(before, function, 8) == 8 and len(calls) == 3     # another argument's copy stays
        assert ask(before, function, 7) == 7 and len(calls) == 4     # the old one was dropped


def test_the_versions_remembered_to_drop_old_copies_are_bounded(story_db, monkeypatch):
    monkeypatch.setattr(pages.common, "MAX_ASKED", 3)
    monkeypatch.setattr(pages.common, "_asked", pages.common.OrderedDict())
    ctx = pages.common.Context(str(story_db), None, version=(("portfolio", 1),))

    def echoed(db, customer_id):
        return customer_id

    assert [pages.common.read(ctx, echoed, customer) for customer in range(5)] == list(range(5))
    assert len(pages.common._asked) == 3 and [key[-9:] for key in pages.common._asked] == [
        "(2,), ())", "(3,), ())", "(4,), ())"]
