"""Follow-ups of the advice "give next" (crm_core.followups), on the hand-made story
(tests/fixtures.py): made with defaults, done by the response that gives their item in
the same change, changed and closed by hand, audited and undone like any entity, refused
to viewers, and counted in the at-risk severity as of a snapshot day."""

import datetime as dt
import json

import pytest
from fixtures import HOSTILE, TODAY, count, database_before, empty_database

import crm_core
from crm_core import followups, risk, storage
from crm_core.storage import transfer

WEEK_LATER = (TODAY + dt.timedelta(days=followups.DEFAULT_DUE_DAYS)).isoformat()


def follow_up(db, follow_up_id: int) -> dict:
    return storage.commands.snapshot(db, "follow_up", follow_up_id)


def test_a_follow_up_goes_to_the_account_manager_due_a_week_later(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        assert {k: v for k, v in follow_up(db, acme).items() if k != "id"} == {
            "customer_id": 1, "item_key": "ops.delays", "owner": "Ana", "due_on": WEEK_LATER,
            "created_on": TODAY.isoformat(), "created_by": "Marc", "status": "open", "closed_on": None,
            "closed_by_response": None, "note": None}
        other = crm_core.create_follow_up(db, 2, "pre.data", owner="  Marc ", due_on="2026-12-24",
                                          note="Ask for the site survey", author="Marc", today=TODAY)
        assert (follow_up(db, other)["owner"], follow_up(db, other)["due_on"]) == ("Marc", "2026-12-24")
        # A customer without an account manager: the author follows up.
        crm_core.update_customer(db, 3, {"name": "Cobalt Mining"}, today=TODAY)
        assert follow_up(db, crm_core.create_follow_up(db, 3, "pre.data", author="Marc", today=TODAY))["owner"] \
            == "Marc"


@pytest.mark.parametrize("arguments, field", [
    ({"item_key": "pre.nonsense"}, "item_key"),
    ({"due_on": "2026-11-23"}, "due_on"),              # before the day it is made
    ({"due_on": "soon"}, "due_on"),
    ({"owner": "x" * 201}, "owner"),
])
def test_a_follow_up_with_a_wrong_item_day_or_owner_is_refused(story_db, arguments, field):
    values = {"item_key": "ops.delays", **arguments}
    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError) as refused:
            crm_core.create_follow_up(db, 1, values.pop("item_key"), **values, author="Marc", today=TODAY)
        assert refused.value.field == field and count(db, "follow_ups") == 0


def test_a_customer_has_one_open_follow_up_per_item(story_db):
    with crm_core.connect(story_db) as db:
        first = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        with pytest.raises(crm_core.ValidationError, match="already has an open follow-up"):
            crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        crm_core.close_follow_up(db, first, "cancelled", author="Marc", today=TODAY)
        crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)


def test_a_response_giving_the_item_closes_the_follow_up_in_its_own_change(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        borealis = crm_core.create_follow_up(db, 2, "pre.data", author="Marc", today=TODAY)
        # Another item for the customer, the item for another customer, the item on a day
        # before the follow-up was made: none of them closes anything.
        crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.progress"], 4, 4, "Progress", "Ana",
                              today=TODAY)
        crm_core.log_response(db, 1, "pre_deal", TODAY, "phone", ["pre.data"], 4, 4, "Data", "Ana", today=TODAY)
        late = crm_core.log_response(db, 1, "operational", "2026-11-01", "phone", ["ops.delays"], 4, 4,
                                     "Logged late", "Ana", today=TODAY)
        assert follow_up(db, acme)["status"] == follow_up(db, borealis)["status"] == "open"
        assert followups.closed_by(db, late) == []
        given = crm_core.log_response(db, 1, "operational", TODAY, "face_to_face", ["ops.delays", "ops.status"],
                                      5, 4, "Recovery plan", "Ana", today=TODAY)
        closed = follow_up(db, acme)
        assert (closed["status"], closed["closed_on"], closed["closed_by_response"]) == (
            "done", TODAY.isoformat(), given)
        assert followups.closed_by(db, given) == [closed]
        assert follow_up(db, borealis)["status"] == "open"
        trail = crm_core.history(db, 1)
        last = trail[trail["change_id"] == trail["change_id"].max()]
        assert list(zip(last["action"], last["entity"], last["author"])) == [
            ("create", "response", "Ana"), ("update", "follow_up", "Ana")]
        assert json.loads(last["after"].iloc[1])["closed_by_response"] == given


def test_a_refused_response_leaves_the_follow_up_open(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        with pytest.raises(crm_core.ValidationError):
            crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.delays"], 9, 4, "Bad rating", "Ana",
                                  today=TODAY)
        assert follow_up(db, acme)["status"] == "open"


def test_undo_reopens_an_auto_closed_follow_up_then_removes_it(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        response = crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.delays"], 4, 4, "Plan",
                                         "Ana", today=TODAY)
        undone = crm_core.undo(db, "Ana")
        assert [(row["action"], row["entity"]) for row in undone] == [("create", "response"),
                                                                       ("update", "follow_up")]
        assert storage.commands.snapshot(db, "response", response) is None
        reopened = follow_up(db, acme)
        assert (reopened["status"], reopened["closed_on"], reopened["closed_by_response"]) == ("open", None, None)
        crm_core.undo(db, "Marc")
        assert follow_up(db, acme) is None
        assert list(crm_core.history(db, 1)["action"].tail(3)) == ["undo", "undo", "undo"]


def test_hand_changes_are_audited_and_undone_and_a_closed_one_stays_closed(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        crm_core.update_follow_up(db, acme, owner="Jonas", due_on="2026-12-15", note="After the site visit",
                                  author="Marc")
        changed = follow_up(db, acme)
        assert (changed["owner"], changed["due_on"], changed["note"]) == ("Jonas", "2026-12-15",
                                                                          "After the site visit")
        with pytest.raises(crm_core.ValidationError) as refused:
            crm_core.close_follow_up(db, acme, "done", "2026-11-25", author="Jonas", today=TODAY)
        assert refused.value.field == "closed_on"                  # in the future
        crm_core.close_follow_up(db, acme, "done", author="Jonas", today=TODAY)
        assert (follow_up(db, acme)["status"], follow_up(db, acme)["closed_on"]) == ("done", TODAY.isoformat())
        for change in (lambda: crm_core.update_follow_up(db, acme, owner="Ana", author="Jonas"),
                       lambda: crm_core.close_follow_up(db, acme, "cancelled", author="Jonas", today=TODAY)):
            with pytest.raises(crm_core.ValidationError, match="already done"):
                change()
        crm_core.undo(db, "Jonas")
        assert follow_up(db, acme)["status"] == "open"
        trail = crm_core.history(db, 1)
        rows = trail[trail["entity"] == "follow_up"]
        assert list(zip(rows["action"], rows["author"])) == [("create", "Marc"), ("update", "Marc"),
                                                             ("update", "Jonas"), ("undo", "Jonas")]
        assert json.loads(rows["before"].iloc[1])["owner"] == "Ana"


def test_deleting_the_response_that_closed_it_keeps_it_done_and_undo_links_it_again(story_db):
    with crm_core.connect(story_db) as db:
        acme = crm_core.create_follow_up(db, 1, "ops.delays", author="Marc", today=TODAY)
        response = crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.delays"], 4, 4, "Plan",
                                         "Ana", today=TODAY)
        crm_core.delete_response(db, response, author="Ana")
        kept = follow_up(db, acme)
        assert (kept["status"], kept["closed_by_response"]) == ("done", None)
        last = crm_core.history(db, 1).tail(2)
        assert list(zip(last["action"], last["entity"])) == [("update", "follow_up"), ("delete", "response")]
        crm_core.undo(db, "Ana")
        assert follow_up(db, acme)["closed_by_response"] == response


def test_a_viewer_may_not_make_or_change_a_follow_up(locked_db):
    with crm_core.connect(locked_db) as db:
        with pytest.raises(crm_core.AccessDenied):
            crm_core.create_follow_up(db, 1, "ops.delays", author="vera", today=TODAY)
        made = crm_core.create_follow_up(db, 1, "ops.delays", owner="VERA", author="admin", today=TODAY)
        # An owner naming an account is stored in the account's own spelling.
        assert follow_up(db, made)["owner"] == "vera" and follow_up(db, made)["created_by"] == "admin"
        for change in (lambda: crm_core.update_follow_up(db, made, owner="admin", author="vera"),
                       lambda: crm_core.close_follow_up(db, made, author="vera", today=TODAY)):
            with pytest.raises(crm_core.AccessDenied):
                change()
        assert follow_up(db, made)["status"] == "open"


def test_my_follow_ups_are_overdue_due_and_done_this_week(story_db):
    monday = dt.date(2026, 11, 23)                     # TODAY is a Tuesday
    with crm_core.connect(story_db) as db:
        late = crm_core.create_follow_up(db, 1, "ops.delays", due_on="2026-11-10", author="Ana",
                                         today=dt.date(2026, 11, 1))
        due = crm_core.create_follow_up(db, 2, "pre.data", owner="ana", author="Marc", today=TODAY)
        last_week = crm_core.create_follow_up(db, 1, "ops.status", author="Ana", today=dt.date(2026, 11, 1))
        crm_core.close_follow_up(db, last_week, closed_on=monday - dt.timedelta(days=1), author="Ana",
                                 today=TODAY)
        crm_core.log_response(db, 1, "operational", monday, "phone", ["ops.progress"], 4, 4, "Report", "Ana",
                              today=TODAY)
        done = crm_core.create_follow_up(db, 1, "ops.progress", owner="Ana", author="Ana", today=monday)
        crm_core.close_follow_up(db, done, author="Ana", today=TODAY)
        crm_core.create_follow_up(db, 3, "pre.data", owner="Jonas", author="Ana", today=TODAY)
        mine = crm_core.my_follow_ups(db, "ANA", today=TODAY)
        assert list(zip(mine["group"], mine["follow_up_id"])) == [("overdue", late), ("due", due), ("done", done)]
        assert mine.loc[0, "days_overdue"] == 14
        # At the end of 2026-11-09 the first one was not due yet, the one due a week after
        # 2026-11-01 was overdue and not yet done, and the others did not exist.
        then = crm_core.my_follow_ups(db, "Ana", as_of="2026-11-09")
        assert list(zip(then["group"], then["follow_up_id"])) == [("overdue", last_week), ("due", late)]
        nobody = crm_core.my_follow_ups(db, "Siti", today=TODAY)
        assert nobody.empty and list(nobody.columns) == list(mine.columns)   # no rows, every column


def test_an_overdue_follow_up_adds_one_point_of_severity_as_of_its_day(story_db):
    as_of = dt.date(2025, 6, 30)                  # Acme: severity 4 then (tests/test_risk.py)
    with crm_core.connect(story_db) as db:
        for item in ("ops.delays", "ops.status"):  # two overdue follow-ups are still one sign
            crm_core.create_follow_up(db, 1, item, due_on="2025-06-10", author="Ana", today=dt.date(2025, 6, 1))

        def acme(day):
            found = crm_core.at_risk(db, day, 90, today=TODAY).set_index("name")
            return found.loc["Acme Turbines"]

        late = acme(as_of)
        assert "overdue_follow_up" in late["reasons"] and "overdue_follow_up" in risk.SIGNALS
        assert (late["signals"], late["severity"], late["act_now"]) == (3, 5, True)
        for day in ("2025-05-31", "2025-06-10"):    # not made yet; made and due that day, not overdue
            assert "overdue_follow_up" not in acme(day)["reasons"]
        assert followups.customers_with_overdue_follow_ups(db, "2025-06-11") == {1}
        # Done on 2025-06-20 by a response: still overdue at the end of 2025-06-15, no longer after.
        crm_core.log_response(db, 1, "operational", "2025-06-20", "phone", ["ops.delays"], 4, 4, "Plan", "Ana",
                              today=TODAY)
        crm_core.close_follow_up(db, 2, closed_on="2025-06-20", author="Ana", today=TODAY)
        assert "overdue_follow_up" in acme("2025-06-15")["reasons"]
        assert "overdue_follow_up" not in acme(as_of)["reasons"]
        assert followups.customers_with_overdue_follow_ups(db, today=TODAY) == set()


def test_the_migration_adds_follow_ups_to_an_older_database_keeping_its_rows(tmp_path):
    with database_before(tmp_path / "old.db", "m017_follow_ups") as (location, old):
        assert "follow_ups" not in storage.table_names(old)
    with crm_core.connect(location) as db:
        assert "follow_ups" in storage.table_names(db)
        customer = crm_core.add_customer(db, {"name": "Delta Hydro", "created_on": "2026-01-05"}, today=TODAY)
        crm_core.create_follow_up(db, customer, "pre.data", owner="Ana", today=TODAY)
        assert len(crm_core.follow_up_list(db, today=TODAY)) == 1


def test_a_copy_of_the_database_carries_follow_ups_and_their_ids_continue(story_db, tmp_path):
    with crm_core.connect(story_db) as db:
        done = crm_core.create_follow_up(db, 1, "ops.delays", author="Ana", today=TODAY)
        crm_core.log_response(db, 1, "operational", TODAY, "phone", ["ops.delays"], 4, 4, "Plan", "Ana",
                              today=TODAY)
        undone = crm_core.create_follow_up(db, 2, "pre.data", author="Ana", today=TODAY)
        crm_core.undo(db, "Ana")          # an id only the audit trail remembers
        copied = crm_core.follow_up_list(db, today=TODAY)
    target = empty_database(tmp_path / "copy.db")
    checks = {check.table: check for check in transfer.copy_database(story_db, target)}
    assert checks["follow_ups"].same and checks["follow_ups"].target_rows == 1
    with crm_core.connect(target) as db:
        assert crm_core.follow_up_list(db, today=TODAY).equals(copied) and copied["follow_up_id"].tolist() == [done]
        assert crm_core.create_follow_up(db, 2, "pre.data", author="Ana", today=TODAY) > undone


def test_the_checklist_response_of_a_service_event_closes_the_follow_up_of_its_item(story_db):
    now = dt.datetime(2025, 8, 11, 13, 0)
    with crm_core.connect(story_db) as db:
        crm_core.move_stage(db, 1, "post_deal", "2025-06-01", today=TODAY)
        case = crm_core.open_case(db, 1, "2025-08-10 09:00", "Turbine trips", "critical", now=now)
        expert = crm_core.create_follow_up(db, 1, "post.expert_team", author="Ana", today=dt.date(2025, 8, 10))
        response = crm_core.log_case_event(db, case, "attention", "2025-08-10 12:00", expert="Team Atlas",
                                           response={"mode": "phone", "quality": 4, "completeness": 5},
                                           author="Ana", now=now)
        closed = follow_up(db, expert)
        assert (closed["status"], closed["closed_on"], closed["closed_by_response"]) == (
            "done", "2025-08-10", response)


@pytest.mark.parametrize("field", ["owner", "note"])
def test_a_hostile_owner_or_note_is_stored_as_typed_or_refused_naming_it(story_db, field):
    with crm_core.connect(story_db) as db:
        for value in HOSTILE:
            try:
                made = crm_core.create_follow_up(db, 1, "ops.delays", **{field: value}, author="Ana", today=TODAY)
            except crm_core.ValidationError as refused:
                assert refused.field == field
                continue
            assert follow_up(db, made)[field] == (value.strip() or None)     # a blank note is none
            crm_core.close_follow_up(db, made, "cancelled", author="Ana", today=TODAY)
