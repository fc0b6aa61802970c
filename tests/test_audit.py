"""The audit trail: every write appends who, when, what, before and after;
undo restores the last change of the same user; replaying the trail gives
exactly the data in the database."""

import json
import random

import pandas as pd
import pytest
from fixtures import ON_POSTGRESQL, TODAY, database_before, old_customer

import crm_core
from crm_core.storage import commands
from crm_core.storage.entities import ENTITIES


def replay(trail: pd.DataFrame) -> dict:
    """Entity states implied by the audit trail alone."""
    state = {}
    for row in trail.itertuples():
        key = (row.entity, row.entity_id)
        if pd.isna(row.after):
            state.pop(key, None)
        else:
            state[key] = json.loads(row.after)
    return state


def everything(db) -> dict:
    """Every entity in the database, as the audit trail records them (of the checklist a new
    database starts with, the items someone changed: the others are nobody's change)."""
    state = {}
    changed_items = {entity_id for (entity_id,) in db.conn.execute(
        "SELECT entity_id FROM audit WHERE entity = 'checklist_item'")}
    for entity, table in ((name, e.table) for name, e in ENTITIES.items()):
        for (entity_id,) in db.conn.execute(f"SELECT id FROM {table}"):
            if entity != "checklist_item" or entity_id in changed_items:
                state[(entity, entity_id)] = json.loads(json.dumps(commands.snapshot(db, entity, entity_id)))
    return state


def test_every_write_appends_who_when_what_and_the_states(empty_db):
    with crm_core.connect(empty_db) as db:
        cid = crm_core.add_customer(db, {"name": "Delta Hydro", "created_on": "2026-01-05"},
                                    [{"name": "Ines", "role": "CTO"}], author="ana", today=TODAY)
        rid = crm_core.log_response(db, cid, "pre_deal", "2026-02-01", "phone", ["pre.data"], 4, 4,
                                    "Data pack", "ana", today=TODAY)
        crm_core.update_response(db, rid, {"quality": 2}, author="marc", today=TODAY)
        crm_core.delete_response(db, rid, author="marc")
        trail = crm_core.history(db, cid)
    assert list(zip(trail["action"], trail["entity"], trail["author"])) == [
        ("create", "customer", "ana"), ("create", "stage_entry", "ana"), ("create", "response", "ana"),
        ("update", "response", "marc"), ("delete", "response", "marc")]
    update = trail.iloc[3]
    assert json.loads(update["before"])["quality"] == 4 and json.loads(update["after"])["quality"] == 2
    assert json.loads(trail.iloc[0]["after"])["contacts"][0]["name"] == "Ines"
    assert pd.isna(trail.iloc[4]["after"]) and trail["at"].str.match(r"\d{4}-\d\d-\d\dT").all()


def test_undo_restores_a_deleted_response_with_its_items_and_numbers(story_db):
    with crm_core.connect(story_db) as db:
        before = crm_core.portfolio(db)
        crm_core.delete_response(db, 1, author="ana")
        assert crm_core.portfolio(db).set_index("name").loc["Acme Turbines", "responses"] == 1
        undone = crm_core.undo(db, "ana")
        assert [r["action"] for r in undone] == ["delete"]
        pd.testing.assert_frame_equal(crm_core.portfolio(db), before)
        assert list(crm_core.journey(db, 1).responses["items"].iloc[0]) == ["pre.data", "pre.technology"]


def test_undo_takes_back_only_the_same_users_latest_change(story_db):
    with crm_core.connect(story_db) as db:
        mine = crm_core.record_opinion(db, 2, "pre_deal", "2025-05-01", 2, author="ana", today=TODAY)
        crm_core.record_opinion(db, 3, "pre_deal", "2025-07-01", 1, author="marc", today=TODAY)
        crm_core.undo(db, "ana")
        kept = set(crm_core.history(db)["entity_id"][lambda s: s > 0])
        assert mine in kept
        assert len(crm_core.journey(db, 2).opinions) == 1 and len(crm_core.journey(db, 3).opinions) == 1
        with pytest.raises(crm_core.ValidationError) as nothing:
            crm_core.undo(db, "ana")
        assert nothing.value.field == "undo"


def test_undo_refuses_when_someone_changed_it_since(story_db):
    with crm_core.connect(story_db) as db:
        rid = crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.status"], 3, 3,
                                    "Status call", "ana", today=TODAY)
        crm_core.update_response(db, rid, {"summary": "Status call (minutes attached)"}, author="marc",
                                 today=TODAY)
        with pytest.raises(crm_core.ValidationError, match="changed since"):
            crm_core.undo(db, "ana")


def test_undo_of_a_new_customer_removes_it_and_its_first_stage(empty_db):
    with crm_core.connect(empty_db) as db:
        crm_core.add_customer(db, {"name": "Echo Metro", "created_on": "2026-03-01"}, author="ana",
                              today=TODAY)
        crm_core.undo(db, "ana")
        assert crm_core.portfolio(db).empty
        assert everything(db) == {}


def test_after_any_writes_and_undos_the_data_equals_what_the_trail_implies(story_db):
    rng = random.Random(4)
    authors = ["ana", "marc", "siti"]
    with crm_core.connect(story_db) as db:
        # The story was written before anyone was named; start the replay from its state.
        state = replay(crm_core.history(db))
        for step in range(120):
            author = rng.choice(authors)
            try:
                if rng.random() < 0.3:
                    crm_core.undo(db, author)
                    continue
                journey = crm_core.journey(db, rng.choice([1, 2, 3]))
                cid = int(journey.customer["id"])
                stage = journey.current_stage
                keys = list(journey.checklist[journey.checklist["stage"] == stage]["item_key"])
                choice = rng.random()
                if choice < 0.4:
                    crm_core.log_response(db, cid, stage, f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                                          rng.choice(crm_core.MODES), rng.sample(keys, 1), rng.randint(1, 5),
                                          rng.randint(1, 5), f"step {step}", author, today=TODAY)
                elif choice < 0.6 and len(journey.responses):
                    crm_core.update_response(db, int(journey.responses["id"].iloc[-1]),
                                             {"completeness": rng.randint(1, 5)}, author=author, today=TODAY)
                elif choice < 0.75 and len(journey.responses):
                    crm_core.delete_response(db, int(journey.responses["id"].iloc[0]), author=author)
                elif choice < 0.9:
                    crm_core.record_opinion(db, cid, stage, "2026-10-01", rng.randint(-2, 2), author=author,
                                            today=TODAY)
                else:
                    crm_core.update_customer(db, cid, {**journey.customer, "notes": f"step {step}"},
                                             author=author, today=TODAY)
            except crm_core.ValidationError:
                continue
        trail = crm_core.history(db)
        assert (trail["action"] == "undo").sum() >= 5
        assert replay(trail) == everything(db)
        assert state != everything(db)


def new_customer(db, name: str) -> int:
    return crm_core.add_customer(db, {"name": name, "created_on": "2025-01-01"}, author="ana", today=TODAY)


def test_an_id_is_never_handed_out_again_after_an_undone_create_or_a_delete(story_db):
    with crm_core.connect(story_db) as db:
        gone = new_customer(db, "Short-lived Ltd")
        crm_core.log_response(db, gone, "pre_deal", "2025-02-01", "phone", ["pre.data"], 3, 3, "Hello", "ana",
                              today=TODAY)
        crm_core.undo(db, "ana")             # the response
        crm_core.undo(db, "ana")             # the customer's creation
        fresh = new_customer(db, "Next Ltd")
        assert fresh > gone
        # its history is its own creation only: nothing of the customer that was undone
        trail = crm_core.history(db, fresh)
        assert set(trail["action"]) == {"create"} and set(trail["entity"]) == {"customer", "stage_entry"}
        newest = crm_core.log_response(db, 1, "operational", "2025-06-01", "phone", ["ops.status"], 3, 3, "Status",
                                       "ana", today=TODAY)
        crm_core.delete_response(db, newest, author="ana")
        again = crm_core.log_response(db, 1, "operational", "2025-06-02", "phone", ["ops.status"], 3, 3, "Again",
                                      "ana", today=TODAY)
        assert again > newest
        assert [a for a in crm_core.history(db).query("entity == 'response' and entity_id == @again")["action"]] == [
            "create"]


def test_a_database_from_before_m012_keeps_its_rows_and_never_reuses_an_audited_id(tmp_path):
    from crm_core.storage import schema

    # As the old version left it: Gamma (id 3) created, then its creation undone (the
    # row deleted, both in the audit trail); the old schema would hand id 3 out again.
    with database_before(tmp_path / "old.db", "m012_ids_never_reused") as (path, old):
        for n, name in enumerate(("Alpha", "Beta", "Gamma"), start=1):
            old_customer(old, n, name)
            old.execute("INSERT INTO audit (change_id, at, author, action, entity, entity_id, customer_id)"
                        " VALUES (:n, '2026-11-24 10:00:00', 'ana', 'create', 'customer', :n, :n)", {"n": n})
        old.execute("DELETE FROM stage_entries WHERE customer_id = 3")
        old.execute("DELETE FROM customers WHERE id = 3")
        old.execute("INSERT INTO audit (change_id, at, author, action, entity, entity_id, customer_id, undoes)"
                    " VALUES (4, '2026-11-24 10:01:00', 'ana', 'undo', 'customer', 3, 3, 3)")
        before = {table: old.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                  for table in ("customers", "stage_entries", "audit")}
    with crm_core.connect(path) as db:      # m012 runs here
        assert schema.pending(db) == []
        after = {table: db.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in before}
        assert after == before
        if not ON_POSTGRESQL:
            assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert db.conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert new_customer(db, "Delta") == 4
