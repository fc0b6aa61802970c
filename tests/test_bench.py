"""The benchmark at a tiny scale: the generated portfolio has the requested size,
obeys the write rules, keeps its summaries equal to a from-scratch computation,
is reused when complete, and the report has a line for every measurement.
No timing is asserted."""

import io

import pandas as pd
from fixtures import SUMMARY_TABLES, count, summaries, table_rows

import crm_core
from benchmarks import bench
from crm_core.catalogue import CHECKLIST

TINY = bench.Scale(customers=50, responses=2_000, opinions=300)


def test_the_bench_database_has_the_requested_counts_about_two_items_per_response_cases_and_promises(tmp_path):
    path = tmp_path / "bench.db"
    built, _ = bench.ensure(path, TINY)
    assert built
    with crm_core.connect(path) as db:
        counts = {table: count(db, table) for table in ("customers", "responses", "opinions", "response_items",
                                                       "service_cases", "promises")}
        entries = table_rows(db, "stage_entries")
    assert (counts["customers"], counts["responses"], counts["opinions"]) == (50, 2_000, 300)
    assert 1.8 <= counts["response_items"] / counts["responses"] <= 2.2
    # the demo's kind of cases and promises, so the service and promise reads have rows to time
    assert counts["service_cases"] > 0 and counts["promises"] >= 50
    assert set(entries["customer_id"]) == set(range(1, 51))


def test_every_generated_response_and_opinion_is_in_the_stage_the_customer_was_in_that_day(tmp_path):
    path = tmp_path / "bench.db"
    bench.build(path, TINY)
    item_stage = {item.key: item.stage for item in CHECKLIST}
    with crm_core.connect(path) as db:
        items = table_rows(db, "response_items")
        for customer_id in (1, 17, 50):
            journey = crm_core.journey(db, customer_id)
            entered = journey.stage_entries.set_index("stage")["entered_on"]
            for row in journey.responses.itertuples():
                later = [s for s in crm_core.STAGES if s in entered and entered[s] <= row.responded_on]
                assert row.stage == later[-1]
                assert row.responded_on >= journey.customer["created_on"]
            for row in journey.opinions.itertuples():
                later = [s for s in crm_core.STAGES if s in entered and entered[s] <= row.opinion_on]
                assert row.stage == later[-1]
    assert (items["item_key"].map(item_stage) == items["stage"]).all()


def test_the_summaries_of_the_bench_database_equal_a_rebuild_from_scratch(tmp_path):
    path = tmp_path / "bench.db"
    bench.build(path, TINY)
    kept = summaries(path)
    with crm_core.connect(path) as db:
        crm_core.rebuild_summaries(db)
    rebuilt = summaries(path)
    for table in SUMMARY_TABLES:
        assert len(kept[table]) > 0
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)


def test_the_same_seed_builds_the_same_portfolio(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    bench.build(first, TINY)
    bench.build(second, TINY)
    with crm_core.connect(first) as one, crm_core.connect(second) as two:
        pd.testing.assert_frame_equal(crm_core.portfolio(one), crm_core.portfolio(two))
        pd.testing.assert_frame_equal(table_rows(one, "responses"), table_rows(two, "responses"))


def test_a_complete_bench_database_is_reused_and_another_scale_rebuilds_it(tmp_path):
    path = tmp_path / "bench.db"
    bench.ensure(path, TINY)
    assert bench.ensure(path, TINY)[0] is False
    smaller = bench.Scale(customers=20, responses=500, opinions=50)
    assert bench.ensure(path, smaller)[0] is True
    with crm_core.connect(path) as db:
        assert count(db, "responses") == 500


def test_the_report_has_a_line_per_measurement_and_leaves_the_bench_database_unchanged(tmp_path):
    path = tmp_path / "bench.db"
    bench.ensure(path, TINY)
    out = io.StringIO()
    results = bench.run(path, TINY, runs=1, import_rows=40, out=out)
    report = out.getvalue()
    names = [measure.name.format(rows=40) for measure in bench.MEASURES]
    assert [r.name for r in results[:-1]] == names
    for name in names + ["naive peer"]:
        assert any(line.startswith(name) for line in report.splitlines()), name
    assert "import 40 response rows, one per customer" in report
    assert "database size:" in report and "build time:" in report
    assert "naive peer / portfolio read" in report
    with crm_core.connect(path) as db:
        assert (count(db, "responses"), count(db, "audit")) == (2_000, 0)
    assert not path.with_name("bench-writes.db").exists()
