"""Change scopes: every write transaction counts itself, at its commit, in each scope it
touched (a customer's, the portfolio's, a stage's responses and opinions, the customers'
profiles, the settings', the accounts', the saved views'),
and in ``everything`` when it did not say; a refused write counts nowhere. Pages key
their caches on these versions (tests/test_page_caching.py)."""

import pytest
from fixtures import TODAY, database_before, old_customer

import crm_core
from crm_core import importer, saved_views

SCOPES = ("customer:1", "customer:2", "customer:3", "portfolio", "customers", "stage:pre_deal", "stage:operational",
          "stage:post_deal", "settings", "accounts", "saved_views", "service", "outcomes",
          "opinions", "everything")


def touched(location, write) -> dict[str, int]:
    """{scope: how often it was counted} by ``write(db)``, the scopes counted at least once,
    and under ``"*"`` the change counter's count (every write transaction and savepoint)."""
    def versions():
        return {"*": crm_core.change_count(location), **crm_core.change_versions(location, SCOPES)}
    before = versions()
    with crm_core.connect(location) as db:
        write(db)
    after = versions()
    return {scope: after[scope] - before[scope] for scope in after if after[scope] != before[scope]}


def test_a_response_touches_its_customer_the_portfolio_and_its_stage(story_db):
    assert touched(story_db, lambda db: crm_core.log_response(
        db, 1, "operational", "2025-07-01", "phone", ["ops.changes"], 4, 4, "Call", "Ana", today=TODAY)) == {
        "*": 1, "customer:1": 1, "portfolio": 1, "stage:operational": 1}


def test_an_opinion_moved_to_another_stage_touches_both_stages_and_the_opinions(story_db):
    with crm_core.connect(story_db) as db:
        opinion = int(crm_core.journey(db, 1).opinions.iloc[-1]["id"])     # operational, -2
    assert touched(story_db, lambda db: crm_core.update_opinion(db, opinion, {"stage": "pre_deal"}, author="Ana",
                                                                today=TODAY)) == {
        "*": 1, "customer:1": 1, "portfolio": 1, "stage:operational": 1, "stage:pre_deal": 1, "opinions": 1}


def test_a_customer_profile_touches_the_customers_and_every_stage(story_db):
    assert touched(story_db, lambda db: crm_core.update_customer(
        db, 3, {"name": "Cobalt Mining", "sector": "Energy"}, today=TODAY)) == {
        "*": 1, "customer:3": 1, "portfolio": 1, "customers": 1, "stage:pre_deal": 1, "stage:operational": 1,
        "stage:post_deal": 1}


def test_a_refused_write_touches_nothing(story_db):
    def refused(db):
        with pytest.raises(crm_core.ValidationError):
            crm_core.log_response(db, 1, "operational", "2025-07-01", "phone", ["ops.changes"], 9, 4, "Call", "Ana",
                                  today=TODAY)
    assert touched(story_db, refused) == {}


def test_an_undo_touches_the_customer_it_gives_back(story_db):
    with crm_core.connect(story_db) as db:
        crm_core.record_opinion(db, 3, "pre_deal", "2025-07-01", 2, author="Ana", today=TODAY)
    assert touched(story_db, lambda db: crm_core.undo(db, "Ana")) == {"*": 1, "customer:3": 1, "portfolio": 1,
                                                                     "stage:pre_deal": 1, "opinions": 1}


def test_a_customer_moved_touches_the_opinions_and_followed_up_that_customer_alone(story_db):
    # A move changes the final opinion (the sum over the stages reached) with no new opinion.
    assert touched(story_db, lambda db: crm_core.move_stage(db, 2, "operational", "2025-07-01", today=TODAY)) == {
        "*": 1, "customer:2": 1, "portfolio": 1, "opinions": 1}
    assert touched(story_db, lambda db: crm_core.create_follow_up(db, 3, "pre.data", author="Ana")) == {
        "*": 1, "customer:3": 1, "portfolio": 1}


def test_a_service_case_or_a_promise_touches_the_service_and_an_outcome_the_outcomes(story_db):
    assert touched(story_db, lambda db: crm_core.open_case(db, 1, "2025-06-02T09:00", "Pump trips", "high",
                                                           author="Ana")) == {
        "*": 1, "customer:1": 1, "portfolio": 1, "service": 1}
    assert touched(story_db, lambda db: crm_core.record_promise(db, 1, "operational", "2025-06-01", "training",
                                                                "Train the crew", author="Ana", today=TODAY)) == {
        "*": 1, "customer:1": 1, "portfolio": 1, "service": 1}
    assert touched(story_db, lambda db: crm_core.outcomes.record_outcome(db, 1, "additional_sale", "2025-06-03",
                                                                         amount=1200, author="Ana", today=TODAY)) == {
        "*": 1, "customer:1": 1, "portfolio": 1, "outcomes": 1}


@pytest.mark.parametrize("write, scope", [
    (lambda db: crm_core.outcomes.set_currency(db, "USD", author="Ana"), "settings"),
    (lambda db: crm_core.checklist.reword_item(db, "pre.data", "en", "Data sheets", author="Ana"), "settings"),
    (lambda db: crm_core.set_service_target(db, "high", 2, 6, 40, author="Ana"), "settings"),
    (lambda db: saved_views.save_view(db, "Iberia", "overview", {"region": ["Iberia"]}, author="Ana"),
     "saved_views"),
    (lambda db: crm_core.add_user(db, "Ana", "correct horse battery", "admin"), "accounts"),
    (lambda db: crm_core.accounts.remember(db, author="Ana"), "accounts"),
    (crm_core.rebuild_summaries, "everything"),
], ids=["currency", "checklist", "service target", "saved view", "account", "remembered sign-in", "rebuild"])
def test_each_kind_of_write_touches_its_own_scope(story_db, write, scope):
    assert touched(story_db, write) == {"*": 1, scope: 1}


def test_an_import_touches_each_customer_once_and_the_portfolio_once(story_db):
    rows = ("customer,stage,date,mode,items,quality,completeness,summary\r\n"
            "Acme Turbines,operational,2025-07-01,phone,ops.changes,4,4,One\r\n"
            "Acme Turbines,operational,2025-07-02,phone,ops.changes,4,4,Two\r\n"
            "Borealis Rail,pre_deal,2025-07-03,phone,pre.data,3,3,Three\r\n")

    def imported(db):
        table = importer.read_table(rows.encode(), "responses.csv")
        plan = importer.preview(db, table, "responses", importer.suggest_mapping(table.columns, "responses"),
                                today=TODAY)
        assert importer.apply(db, plan, author="Ana").created == 3
    # One commit, one change: the change counter and every scope count it once.
    assert touched(story_db, imported) == {"*": 1, "customer:1": 1, "customer:2": 1, "portfolio": 1,
                                           "stage:operational": 1, "stage:pre_deal": 1}


def test_a_scope_never_touched_is_at_version_0(story_db):
    assert crm_core.change_versions(story_db, ("customer:99", "portfolio")) == {
        "customer:99": 0, "portfolio": crm_core.change_count(story_db)}   # every story write was a customer's


def test_an_existing_database_gets_the_table_and_keeps_its_rows(tmp_path):
    with database_before(tmp_path / "old.db", "m020_change_scopes") as (location, db):
        old_customer(db, 1, "Old Customer")
    assert crm_core.change_versions(location, ("customer:1", "portfolio"))["portfolio"] == 0
    with crm_core.connect(location) as db:
        assert crm_core.customer_names(db)["name"].tolist() == ["Old Customer"]
