"""Pages read through ``read()``: a rerun without a write is served from the cache, and
any write (from any session) makes the next run read the database again."""

import pytest
from fixtures import TODAY

import crm_core
import pages.common


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
    ("pages/3_Opinion_trends.py", "opinion_trend", {}),
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


def test_a_run_reads_the_change_counter_once_however_many_reads_it_makes(open_page, story_db, monkeypatch):
    counter_reads, reads = [], []
    change_count, cached = crm_core.change_count, pages.common._cached

    def counted_counter(path):
        counter_reads.append(path)
        return change_count(path)

    def counted_read(*args):
        reads.append(args[0])
        return cached(*args)

    monkeypatch.setattr(crm_core, "change_count", counted_counter)
    monkeypatch.setattr(pages.common, "_cached", counted_read)
    page = open_page("pages/1_Customer_journey.py", story_db, customer="2")
    assert not page.exception and len(reads) > 2
    assert counter_reads == [str(story_db)]


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
