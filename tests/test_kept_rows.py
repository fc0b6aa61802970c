"""Live per-customer reads kept in memory (``crm_core.storage.kept``): after any write they
equal one full read from the database, and after a write about one customer they fetch
only that customer's rows (seen in the statements the database runs)."""

import re

import pandas as pd
import pytest
from fixtures import TODAY, Recording, random_relationship_writes, random_writes

import crm_core
from crm_core import checklist, demo
from crm_core.catalogue import MODES, STAGES
from crm_core.storage import kept, opinion_drivers_queries, period_queries, queries

START = "2026-09-01"


def of_customers(statement: tuple[str, dict]) -> list[int] | None:
    """The customer ids a read (its SQL and parameters) is restricted to (None: every customer)."""
    sql, params = statement
    if "IN (:customer0" not in sql:
        return None
    return sorted(value for name, value in params.items() if re.fullmatch(r"customer\d+", name))


def live_reads(db) -> dict[str, pd.DataFrame]:
    """The three kept reads, as the portfolio pages make them."""
    return {"portfolio": queries.portfolio(db, queries.NOW),
            "risk": queries.live_risk_rows(db),
            "finals": period_queries.final_opinion_at_two_dates(db, START, queries.NOW)}


def fresh_reads(db, reads=live_reads) -> dict[str, pd.DataFrame]:
    """``reads(db)`` with nothing kept: what one full read of each gives."""
    kept.forget()
    return reads(db)


def assert_same(found: dict, expected: dict) -> None:
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame, obj=name)


@pytest.fixture
def statements(demo_db):
    """The database ``demo_db`` opened, and the list of every statement it runs from then on."""
    with crm_core.connect(demo_db) as db:
        db.conn = Recording(db.conn)
        yield db, db.conn.run


def test_kept_reads_equal_a_full_read_after_random_writes(demo_db):
    with crm_core.connect(demo_db) as db:
        live_reads(db)      # kept from here on, patched by what follows
    random_writes(demo_db, seed=11, count=60)
    with crm_core.connect(demo_db) as db:
        random_relationship_writes(db, seed=11, count=120)
        found = live_reads(db)
        assert_same(found, fresh_reads(db))
        # The pages' reads built on them equal the same reads with nothing kept.
        figures, risky = crm_core.overview(db, None, 90, today=TODAY)
        listed = crm_core.customer_list(db, today=TODAY)
        kept.forget()
        figures_fresh, risky_fresh = crm_core.overview(db, None, 90, today=TODAY)
        pd.testing.assert_frame_equal(risky, risky_fresh)
        pd.testing.assert_frame_equal(listed, crm_core.customer_list(db, today=TODAY))
    assert figures.customers == figures_fresh.customers and figures.per_stage == figures_fresh.per_stage
    assert figures.at_risk == figures_fresh.at_risk and figures.to_watch == figures_fresh.to_watch


def test_after_one_customers_write_only_its_rows_are_read_again(statements):
    db, run = statements
    live_reads(db)
    run.clear()
    live_reads(db)      # nothing changed: no row is read again
    assert not [sql for sql in run if "customer_summary" in sql[0]]
    crm_core.log_response(db, 3, "pre_deal", TODAY, "phone", [], 4, 4, "Called back", today=TODAY)
    crm_core.update_customer(db, 5, {"name": "Aaaa First By Name"})
    run.clear()
    found = live_reads(db)
    rereads = [sql for sql in run if "customer_summary" in sql[0]]
    assert len(rereads) == 3 and all(of_customers(sql) == [3, 5] for sql in rereads)
    assert_same(found, fresh_reads(db))
    assert found["portfolio"]["name"].iloc[0] == "Aaaa First By Name"     # the name order is kept


def test_a_checklist_or_bulk_change_reads_every_row_again(statements):
    db, run = statements
    live_reads(db)
    checklist.retire_item(db, "pre.data")      # every customer's coverage and risk may move
    for change in (lambda: None, lambda: crm_core.rebuild_summaries(db)):    # a rebuild names no scope
        change()
        run.clear()
        found = live_reads(db)
        rereads = [sql for sql in run if "customer_summary" in sql[0]]
        assert len(rereads) == 3 and all(of_customers(sql) is None for sql in rereads)
        assert_same(found, fresh_reads(db))


def test_a_new_customer_joins_the_kept_rows(statements):
    db, _run = statements
    live_reads(db)
    new = crm_core.add_customer(db, {"name": "Zeta Newcomer", "created_on": "2026-11-01", "sector": "Energy",
                                     "region": "Nordics", "account_manager": "Ana"}, today=TODAY)
    found = live_reads(db)
    assert new in set(found["portfolio"]["customer_id"]) and new in set(found["risk"]["customer_id"])
    assert_same(found, fresh_reads(db))


def test_another_database_at_the_same_path_is_read_afresh(tmp_path):
    path = tmp_path / "rebuilt.db"
    seen = []
    for customers in (12, 20):      # a demo rebuilt at the same path: the same versions, other rows
        for file in tmp_path.glob("rebuilt.db*"):
            file.unlink()
        demo.build_demo(path, customers=customers)
        with crm_core.connect(path) as db:
            seen.append(kept._versions(db))
            assert len(live_reads(db)["portfolio"]) == customers
    assert seen[0][1:] == seen[1][1:] and seen[0][0] != seen[1][0]


def test_inside_a_write_transaction_nothing_is_kept(statements):
    db, run = statements
    with crm_core.storage.transaction(db):
        inside = len(live_reads(db)["portfolio"])
        run.clear()
        live_reads(db)
        rereads = [sql for sql in run if "customer_summary" in sql[0]]
        assert len(rereads) == 3 and all(of_customers(sql) is None for sql in rereads)
    assert len(live_reads(db)["portfolio"]) == inside


def test_the_live_opinion_drivers_sum_the_kept_rows_as_one_statement_sums_the_database(demo_db):
    with crm_core.connect(demo_db) as db:
        for stage in STAGES:
            opinion_drivers_queries.driver_sums(db, stage, queries.NOW, MODES)     # kept from here on
    random_writes(demo_db, seed=5, count=60)
    with crm_core.connect(demo_db) as db:
        region = crm_core.filter_values(db)["region"][:1]
        for stage in STAGES:
            for filters in (None, {"region": region}):
                kept_sums = opinion_drivers_queries.driver_sums(db, stage, queries.NOW, MODES, filters)
                summed = opinion_drivers_queries.past_driver_sums(db, stage, queries.NOW, MODES, filters)
                pd.testing.assert_frame_equal(kept_sums, summed, check_dtype=False, obj=f"{stage} {filters}")
                assert kept_sums["with_customers"].sum() > 0


def test_after_an_opinion_only_that_customers_judged_row_is_read_again(statements):
    db, run = statements
    opinion_drivers_queries.driver_sums(db, "pre_deal", queries.NOW, MODES)
    crm_core.record_opinion(db, 4, "pre_deal", TODAY, 2, today=TODAY)
    run.clear()
    after = opinion_drivers_queries.driver_sums(db, "pre_deal", queries.NOW, MODES)
    assert [of_customers(sql) for sql in run if "FROM judged_summary j" in sql[0]] == [[4]]
    pd.testing.assert_frame_equal(after, opinion_drivers_queries.past_driver_sums(db, "pre_deal", queries.NOW,
                                                                                  MODES), check_dtype=False)


def gaps_reads(db, day: str = queries.NOW) -> dict[str, pd.DataFrame]:
    """The gaps read of each stage at ``day`` (live: as the gaps page makes it)."""
    keys = queries.checklist_items(db)
    return {stage: queries.stage_gaps(db, stage, day, STAGES[STAGES.index(stage):],
                                      list(keys.loc[keys["stage"] == stage, "key"])) for stage in STAGES}


def test_the_live_checklist_gaps_equal_a_full_read_after_random_writes(demo_db):
    with crm_core.connect(demo_db) as db:
        gaps_reads(db)      # kept from here on
    random_writes(demo_db, seed=7, count=80)
    with crm_core.connect(demo_db) as db:
        found = gaps_reads(db)
        region = crm_core.filter_values(db)["region"][:1]
        stage = STAGES[1]
        filtered = crm_core.checklist_gaps(db, stage, filters={"region": region})
        assert_same(found, fresh_reads(db, gaps_reads))
        # Live, from the summary the writes keep; on a day after every write, from the base rows.
        for name, frame in gaps_reads(db, "2999-12-31").items():
            pd.testing.assert_frame_equal(found[name], frame, check_dtype=False, obj=name)
        pd.testing.assert_frame_equal(filtered.customers,
                                      crm_core.checklist_gaps(db, stage, filters={"region": region}).customers)
    assert set(found["post_deal"]["stage"]) == {"post_deal"} and len(found["pre_deal"]) > len(found["post_deal"])


def test_after_a_response_only_that_customers_gaps_row_is_read_again(statements):
    db, run = statements
    before = gaps_reads(db)
    crm_core.log_response(db, 6, "pre_deal", TODAY, "phone", ["pre.data"], 4, 4, "Sent the data", today=TODAY)
    run.clear()
    after = gaps_reads(db)
    assert [of_customers(sql) for sql in run if "JOIN stage_coverage g" in sql[0]] == [[6]] * len(STAGES)
    run.clear()
    assert_same(after, fresh_reads(db, gaps_reads))
    row = after["pre_deal"].set_index("customer_id").loc[6]
    assert row["last_on"] == TODAY.isoformat() and not before["pre_deal"].equals(after["pre_deal"])


def test_a_patch_that_would_change_a_columns_type_reads_everything_again(statements):
    db, run = statements
    new = crm_core.add_customer(db, {"name": "Zeta Newcomer", "created_on": "2026-11-01", "sector": "Energy",
                                     "region": "Nordics", "account_manager": "Ana"}, today=TODAY)
    assert live_reads(db)["portfolio"]["final_value"].isna().sum() == 1       # the one customer not rated
    crm_core.record_opinion(db, new, "pre_deal", TODAY, 1, today=TODAY)
    run.clear()
    found = live_reads(db)
    # Everybody rated: a full read types the column as integers, the kept rows held a NULL.
    portfolio_reads = [of_customers(sql) for sql in run if "FROM customers c JOIN customer_summary" in sql[0]]
    assert portfolio_reads == [[new], None]
    assert_same(found, fresh_reads(db))


def test_frames_handed_out_stay_as_they_were_while_later_writes_are_patched_in(demo_db):
    with crm_core.connect(demo_db) as db:
        first = live_reads(db)
        as_read = {name: frame.copy() for name, frame in first.items()}
        for customer in (3, 4, 7, 3):
            stage = crm_core.journey(db, customer).current_stage
            crm_core.log_response(db, customer, stage, TODAY, "phone", [], 4, 4, "Called back", today=TODAY)
            found = live_reads(db)    # each write patched into the kept frames in place
        assert_same(first, as_read)
        assert_same(found, fresh_reads(db))


def test_past_the_positions_a_bit_holds_the_live_gaps_are_counted_from_the_base_rows(demo_db):
    """``stage_coverage`` keeps a bit per item position, as ``judged_summary`` does: a stage
    with an item past ``MAX_POSITION`` is read as a past day is (the drivers do the same)."""
    with crm_core.connect(demo_db) as db:
        with crm_core.storage.transaction(db):
            db.execute("UPDATE checklist_items SET position = :p WHERE key = 'pre.data'",
                       {"p": queries.MAX_POSITION + 8})
        crm_core.rebuild_summaries(db)
        kept.forget()
        found = gaps_reads(db)
        assert found["pre_deal"]["addressed"].notna().any()
        for name, frame in gaps_reads(db, "2999-12-31").items():
            pd.testing.assert_frame_equal(found[name], frame, check_dtype=False, obj=name)
