"""Which responses move opinion: differences of the latest stage opinion between customers
who had received a response and those who had not, computed by hand on
``fixtures.drivers_database`` (see its docstring for the story); and the next best
response for a customer."""

import math

import fixtures
import pytest

import crm_core
from crm_core import analysis


@pytest.fixture
def drivers_db(tmp_path):
    return fixtures.drivers_database(tmp_path / "drivers.db")


def drivers(path, **kwargs):
    with crm_core.connect(path) as db:
        return crm_core.opinion_drivers(db, "pre_deal", **kwargs)


def row(table, key):
    return table.set_index(table.columns[0]).loc[key]


def test_the_latest_opinion_of_every_customer_with_one_is_judged(drivers_db):
    found = drivers(drivers_db)
    # ids 1-11 have a pre-deal opinion (id 1's latest is 0), id 12 has none
    assert found.customers == 11
    assert found.mean_opinion == pytest.approx(-2 / 11)


def test_an_item_compares_the_mean_opinion_with_and_without_it_with_a_95_percent_interval(drivers_db):
    data = row(drivers(drivers_db).items, "pre.data")
    # with: ids 1-5 scoring 0, 1, 1, 2, 0; without: ids 6-11 scoring -1, 0, -1, 0, -2, -2
    assert (data["customers_with"], data["customers_without"]) == (5, 6)
    assert (data["mean_with"], data["mean_without"]) == (pytest.approx(0.8), pytest.approx(-1.0))
    assert data["difference"] == pytest.approx(1.8)
    # sample variances 2.8 / 4 = 0.7 and 4 / 5 = 0.8
    std_error = math.sqrt(0.7 / 5 + 0.8 / 6)
    assert data["std_error"] == pytest.approx(std_error)
    assert (data["low"], data["high"]) == (pytest.approx(1.8 - 1.96 * std_error), pytest.approx(1.8 + 1.96 * std_error))
    assert not data["too_few"]
    assert data["label"] == "Detailed, complete data"


def test_an_item_given_after_the_opinion_does_not_count_as_received(drivers_db):
    technology = row(drivers(drivers_db).items, "pre.technology")
    # id 11 got pre.data a month after its opinion: it is on the "without" side of pre.data
    # and pre.technology's "without" side holds ids 1-5 and 11: 0, 1, 1, 2, 0, -2
    assert (technology["customers_with"], technology["customers_without"]) == (5, 6)
    assert technology["difference"] == pytest.approx(-0.8 - 2 / 6)


def test_fewer_than_five_customers_on_either_side_is_too_few_to_say(drivers_db):
    items = drivers(drivers_db).items
    evaluations = row(items, "pre.evaluations")
    assert analysis.MIN_CUSTOMERS == 5
    assert (evaluations["customers_with"], evaluations["customers_without"]) == (4, 7)
    assert evaluations["too_few"]
    assert evaluations["difference"] == pytest.approx(1.0 + 6 / 7)
    nobody = row(items, "pre.maintenance")
    assert (nobody["customers_with"], nobody["customers_without"]) == (0, 11)
    assert nobody["too_few"] and math.isnan(nobody["mean_with"]) and math.isnan(nobody["difference"])
    assert list(items["item_key"]) == ["pre.data", "pre.evaluations", "pre.technology", "pre.maintenance",
                                       "pre.references"]


def test_a_mode_counts_customers_with_a_response_in_it_before_their_opinion(drivers_db):
    modes = drivers(drivers_db).modes
    assert list(modes["mode"]) == list(crm_core.MODES)
    phone, email, face = row(modes, "phone"), row(modes, "email_fax"), row(modes, "face_to_face")
    assert (phone["customers_with"], phone["customers_without"], phone["difference"]) == (5, 6, pytest.approx(1.8))
    assert (email["customers_with"], email["difference"]) == (5, pytest.approx(-0.8 - 1 / 3))
    assert (face["customers_with"], face["customers_without"], face["too_few"]) == (0, 11, True)
    assert phone["label"] == "Phone"


def test_as_of_takes_the_latest_opinion_by_that_day(drivers_db):
    # on 2025-05-31 id 1's latest opinion was still +2
    data = row(drivers(drivers_db, as_of="2025-05-31").items, "pre.data")
    assert data["mean_with"] == pytest.approx(1.2) and data["difference"] == pytest.approx(2.2)
    before = drivers(drivers_db, as_of="2025-02-15")
    assert before.customers == 0 and math.isnan(before.mean_opinion)
    assert before.items["too_few"].all() and (before.items["customers_with"] == 0).all()


def test_filters_keep_only_the_matching_customers(drivers_db):
    found = drivers(drivers_db, filters={"sector": ["Energy"]})
    data = row(found.items, "pre.data")
    # odd ids: with 1, 3, 5 (0, 1, 0); without 7, 9, 11 (0, 0, -2)
    assert found.customers == 6
    assert (data["customers_with"], data["customers_without"]) == (3, 3)
    assert data["difference"] == pytest.approx(1 / 3 + 2 / 3)
    assert data["too_few"]


def test_an_unknown_stage_is_refused(drivers_db):
    with crm_core.connect(drivers_db) as db, pytest.raises(crm_core.ValidationError):
        crm_core.opinion_drivers(db, "after_sales")


def test_next_best_response_ranks_missing_items_largest_difference_first_too_few_last(drivers_db):
    with crm_core.connect(drivers_db) as db:
        before = crm_core.next_best_responses(db, 12, as_of="2025-06-30")
        now = crm_core.next_best_responses(db, 12)
    assert list(before["item_key"]) == ["pre.data", "pre.technology", "pre.evaluations", "pre.maintenance",
                                        "pre.references"]
    assert before["difference"].iloc[0] == pytest.approx(1.8)
    assert list(before["too_few"]) == [False, False, True, True, True]
    assert set(before["stage"]) == {"pre_deal"}
    # pre.data was given on 2025-07-01
    assert list(now["item_key"]) == ["pre.technology", "pre.evaluations", "pre.maintenance", "pre.references"]


def test_next_best_response_is_empty_for_an_unknown_or_not_yet_existing_customer(drivers_db):
    with crm_core.connect(drivers_db) as db:
        assert crm_core.next_best_responses(db, 999).empty
        assert crm_core.next_best_responses(db, 12, as_of="2024-12-31").empty


@fixtures.sqlite_only
def test_the_drivers_statements_seek_each_judged_customers_rows(drivers_db):
    """Guards the 10,000-customer speed: an index that tempts SQLite to scan a whole
    stage's coverage once per customer turned 60 ms into 15 s once (m010). Both statements
    that find what each judged customer had been given: the one that keeps the rows of now
    (``judged_summary``, run by every write and by a rebuild), and the sums of a past day."""
    with crm_core.connect(drivers_db) as db:
        # (what runs it, the aliases of the coverage summaries in its statement, the bound of the opinions seek)
        for run, aliases, bound in ((lambda: crm_core.rebuild_summaries(db), ("x", "m"), ""),
                                    (lambda: crm_core.opinion_drivers(db, "operational", "2025-12-31"), ("x",),
                                     " AND opinion_on<?")):
            statements = []
            db.conn.set_trace_callback(statements.append)
            run()
            db.conn.set_trace_callback(None)
            statement = next(s for s in statements if "judged" in s and "DELETE" not in s)
            plan = [row[3] for row in db.conn.execute("EXPLAIN QUERY PLAN " + statement)]
            coverage = [step for step in plan if step.split()[:2] in [[how, a] for how in ("SCAN", "SEARCH")
                                                                       for a in aliases]]
            assert len(coverage) == 2, plan
            assert all(step.startswith("SEARCH") and "(customer_id=? AND stage=?" in step for step in coverage), plan
            assert any(f"opinions_customer (customer_id=? AND stage=?{bound})" in step for step in plan), plan
