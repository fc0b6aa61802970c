"""The checklist as an admin keeps it (add, reword per language, reorder, retire,
restore), the service targets and the team's currency: every count follows the
current checklist, a retired item keeps its history, admins only, all audited."""

import pandas as pd
import pytest
from fixtures import PASSWORD, SUMMARY_TABLES, TODAY, random_writes, summaries

import crm_core
from crm_core import checklist, outcomes
from crm_core.__main__ import main


def stage_figures(db, customer_id, stage):
    """(items given, items expected) of ``stage`` on the journey, its checklist agreeing with its coverage."""
    journey = crm_core.journey(db, customer_id)
    items = journey.checklist[journey.checklist["stage"] == stage]
    coverage = journey.stages.set_index("stage").loc[stage, "coverage"]
    assert pd.isna(coverage) or coverage == pytest.approx(items["done"].sum() / len(items))
    return int(items["done"].sum()), len(items)


def test_an_added_item_gets_a_key_of_its_own_and_counts_in_its_stage(story_db):
    with crm_core.connect(story_db) as db:
        key = checklist.add_item(db, "pre_deal", "Site visit with the engineers")
        again = checklist.add_item(db, "operational", "Site visit with the engineers")
        assert (key, again) == ("pre.site_visit_with_the_engineers", "ops.site_visit_with_the_engineers")
        assert key not in crm_core.CHECKLIST_LABELS
        borealis = crm_core.portfolio(db).set_index("name").loc["Borealis Rail"]
        assert (borealis["stage"], borealis["items_total"]) == ("pre_deal", 6)
        assert stage_figures(db, 1, "pre_deal") == (2, 6)
        journey = crm_core.journey(db, 2).checklist
        assert journey[journey["stage"] == "pre_deal"]["item_key"].tolist()[-1] == key
        response = crm_core.log_response(db, 2, "pre_deal", "2025-04-01", "face_to_face", [key], 4, 4,
                                         "Visit", today=TODAY)
        assert crm_core.journey(db, 2).responses.set_index("id").loc[response, "items"] == [key]
        assert stage_figures(db, 2, "pre_deal") == (1, 6)


def test_a_retired_item_leaves_every_count_and_keeps_its_history(story_db):
    with crm_core.connect(story_db) as db:
        before = (stage_figures(db, 1, "pre_deal"), crm_core.checklist_gaps(db, "pre_deal").items.copy())
        checklist.retire_item(db, "pre.data")
        assert stage_figures(db, 1, "pre_deal") == (1, 4)
        assert stage_figures(db, 2, "pre_deal") == (0, 4)
        borealis = crm_core.portfolio(db).set_index("name").loc["Borealis Rail"]
        assert borealis["items_total"] == 4
        past = crm_core.portfolio(db, as_of="2025-03-31").set_index("name").loc["Acme Turbines"]
        assert (past["items_covered"], past["items_total"]) == (1, 4)
        assert "pre.data" not in set(crm_core.checklist_coverage(db, "pre_deal")["item_key"])
        assert "pre.data" not in set(crm_core.checklist_gaps(db, "pre_deal").items["item_key"])
        assert "pre.data" not in set(crm_core.opinion_drivers(db, "pre_deal").items["item_key"])
        assert "pre.data" not in set(crm_core.next_best_responses(db, 2)["item_key"])
        assert "pre.data" not in set(crm_core.journey(db, 1).checklist["item_key"])
        trend = crm_core.self_assessment_trend(db).query("stage == 'pre_deal'")
        assert trend["mean_coverage"].iloc[-1] == pytest.approx(1 / 4)     # pre.technology of 4, not 2 of 5
        # The responses that gave it still say so, in every language's words.
        assert crm_core.journey(db, 1).responses["items"].map(lambda keys: "pre.data" in keys).sum() == 2
        assert checklist.wordings(db, "fr")["pre.data"] == "Données détaillées et complètes"
        with pytest.raises(crm_core.ValidationError) as refused:
            crm_core.log_response(db, 2, "pre_deal", "2025-04-01", "phone", ["pre.data"], 3, 3, "x", today=TODAY)
        assert refused.value.field == "items"
        checklist.restore_item(db, "pre.data")
        assert stage_figures(db, 1, "pre_deal") == before[0]
        pd.testing.assert_frame_equal(crm_core.checklist_gaps(db, "pre_deal").items, before[1])


def test_editing_a_response_keeps_an_item_retired_since(story_db):
    with crm_core.connect(story_db) as db:
        first = crm_core.journey(db, 1).responses.sort_values("responded_on").iloc[0]
        checklist.retire_item(db, "pre.technology")
        crm_core.update_response(db, int(first["id"]), {"summary": "Data pack, revised"}, today=TODAY)
        edited = crm_core.journey(db, 1).responses.set_index("id").loc[int(first["id"])]
        assert (edited["summary"], sorted(edited["items"])) == ("Data pack, revised", ["pre.data", "pre.technology"])


def test_summaries_after_retiring_restoring_and_moving_items_equal_a_rebuild(demo_db):
    """Also the bits of ``judged_summary``, which name items by their position."""
    with crm_core.connect(demo_db) as db:
        checklist.retire_item(db, "post.spares")
        checklist.add_item(db, "operational", "Weekly site call")
        checklist.retire_item(db, "ops.delays")
    random_writes(demo_db, seed=7, count=60)
    with crm_core.connect(demo_db) as db:
        checklist.restore_item(db, "ops.delays")
        checklist.move_item(db, "pre.technology", -1)
        checklist.move_item(db, "ops.delays", 1)
    kept = summaries(demo_db)
    with crm_core.connect(demo_db) as db:
        crm_core.rebuild_summaries(db)
        assert not crm_core.storage.frame(db, "SELECT * FROM item_coverage WHERE item_key = 'post.spares'").shape[0]
    rebuilt = summaries(demo_db)
    for table in SUMMARY_TABLES:
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)


def test_a_rewording_changes_one_language_and_an_empty_one_gives_the_usual_words_back(story_db):
    with crm_core.connect(story_db) as db:
        checklist.reword_item(db, "post.spares", "fr", "  Pièces au prix coûtant ")
        assert checklist.wordings(db, "fr")["post.spares"] == "Pièces au prix coûtant"
        assert checklist.wordings(db, "es")["post.spares"] == "Repuestos a precio real"
        assert checklist.wordings(db, "en")["post.spares"] == "Spare parts at actual price"
        listed = checklist.items(db, "fr").set_index("key").loc["post.spares"]
        assert bool(listed["reworded"]) and listed["label"] == "Spare parts at actual price"
        checklist.reword_item(db, "post.spares", "fr", "")
        assert checklist.wordings(db, "fr")["post.spares"] == "Pièces de rechange au prix réel"


@pytest.mark.parametrize("call, field", [
    (lambda db: checklist.add_item(db, "pre_deal", "   "), "label"),
    (lambda db: checklist.add_item(db, "pre_deal", "x" * 121), "label"),
    (lambda db: checklist.add_item(db, "pre_deal", "detailed, COMPLETE data"), "label"),
    (lambda db: checklist.add_item(db, "after_sale", "Anything"), "stage"),
    (lambda db: checklist.add_item(db, "pre_deal", "Anything", language="de"), "language"),
    (lambda db: checklist.reword_item(db, "pre.data", "en", "Evaluation of the options"), "label"),
    (lambda db: checklist.reword_item(db, "pre.nothing", "en", "Anything"), "key"),
    (lambda db: checklist.move_item(db, "pre.data", -1), "step"),
    (lambda db: checklist.move_item(db, "post.service", 1), "step"),
    (lambda db: checklist.move_item(db, "pre.data", 2), "step"),
    (lambda db: checklist.restore_item(db, "pre.data"), "key"),
])
def test_bad_checklist_changes_are_refused_naming_the_field_and_change_nothing(story_db, call, field):
    with crm_core.connect(story_db) as db:
        before = checklist.items(db)
        with pytest.raises(crm_core.ValidationError) as refused:
            call(db)
        assert refused.value.field == field
        pd.testing.assert_frame_equal(checklist.items(db), before)


def test_moving_an_item_swaps_it_with_its_neighbour_and_the_checklist_follows(story_db):
    with crm_core.connect(story_db) as db:
        checklist.move_item(db, "pre.technology", -1)
        order = checklist.items(db).query("stage == 'pre_deal'")["key"].tolist()
        assert order == ["pre.data", "pre.technology", "pre.evaluations", "pre.maintenance", "pre.references"]
        journey = crm_core.journey(db, 2).checklist
        assert journey[journey["stage"] == "pre_deal"]["item_key"].tolist() == order


def test_a_stage_keeps_at_least_one_active_item(story_db):
    with crm_core.connect(story_db) as db:
        for key in ("pre.data", "pre.evaluations", "pre.technology", "pre.maintenance"):
            checklist.retire_item(db, key)
        with pytest.raises(crm_core.ValidationError, match="at least one"):
            checklist.retire_item(db, "pre.references")
        assert stage_figures(db, 1, "pre_deal") == (0, 1)


def test_only_an_admin_changes_the_checklist_the_targets_and_the_currency(locked_db):
    with crm_core.connect(locked_db) as db:
        crm_core.add_user(db, "eddie", PASSWORD, "editor", author="admin")
        changes = ((checklist.add_item, ("pre_deal", "New")), (checklist.retire_item, ("pre.data",)),
                   (crm_core.set_service_target, ("high", 1, 2, 3)), (outcomes.set_currency, ("USD",)))
        for author in ("vera", "eddie", None):
            for change, args in changes:
                with pytest.raises(crm_core.AccessDenied):
                    change(db, *args, author=author)
        checklist.add_item(db, "pre_deal", "New", author="admin")
        assert outcomes.set_currency(db, "usd", author="admin") == "USD"


def test_checklist_changes_are_audited_and_reversed_by_their_opposite_not_by_undo(story_db):
    with crm_core.connect(story_db) as db:
        checklist.reword_item(db, "pre.data", "id", "Data lengkap", author="Admin")
        checklist.retire_item(db, "pre.data", author="Admin")
        trail = crm_core.history(db).query("entity == 'checklist_item'")
        assert trail["action"].tolist() == ["update", "update"]
        assert '"id": "Data lengkap"' in trail.iloc[0]["after"] and '"active": 0' in trail.iloc[1]["after"]
        with pytest.raises(crm_core.ValidationError, match="nothing of yours to undo"):
            crm_core.undo(db, "Admin")


def test_the_team_currency_wins_over_the_server_setting_and_its_change_can_be_undone(story_db, monkeypatch):
    monkeypatch.setenv("CRM_CURRENCY", "usd")
    with crm_core.connect(story_db) as db:
        assert outcomes.currency(db) == "USD"
        with pytest.raises(crm_core.ValidationError) as refused:
            outcomes.set_currency(db, "euro", author="Admin")
        assert refused.value.field == "currency" and outcomes.currency(db) == "USD"
        outcomes.set_currency(db, "idr", author="Admin")
        outcomes.set_currency(db, "GBP", author="Admin")
        assert outcomes.currency(db) == "GBP"
        crm_core.undo(db, "Admin")
        assert outcomes.currency(db) == "IDR"
        assert crm_core.history(db).query("entity == 'setting'")["action"].tolist() == ["create", "update", "undo"]


def test_the_command_line_keeps_the_checklist_the_targets_and_the_currency(story_db, capsys):
    db = ["--db", str(story_db)]
    assert main([*db, "checklist", "add", "post_deal", "Télédiagnostic", "--lang", "fr"]) == 0
    assert "added post.telediagnostic" in capsys.readouterr().out
    assert main([*db, "checklist", "reword", "post.telediagnostic", "Remote diagnosis"]) == 0
    assert main([*db, "checklist", "up", "post.telediagnostic"]) == 0
    assert main([*db, "checklist", "retire", "post.spares"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "post_deal\tpost.spares\tretired\tSpare parts at actual price" in listed
    post = [line.split("\t")[1] for line in listed if line.startswith("post_deal") and "\tactive\t" in line]
    assert post[-2:] == ["post.telediagnostic", "post.service"]
    assert main([*db, "checklist", "list", "--lang", "fr"]) == 0
    assert "post_deal\tpost.telediagnostic\tactive\tTélédiagnostic" in capsys.readouterr().out
    assert main([*db, "checklist", "retire", "post.nothing"]) == 2
    assert "refused: key: unknown checklist item" in capsys.readouterr().err
    assert main([*db, "target", "set", "high", "2", "6", "30"]) == 0
    assert "high\tfirst reply 2 h\tattention 6 h\trepair 30 h" in capsys.readouterr().out
    assert main([*db, "target", "set", "high", "2"]) == 2
    assert main([*db, "currency", "chf"]) == 0 and "CHF" in capsys.readouterr().out
    assert main([*db, "currency"]) == 0 and capsys.readouterr().out.strip() == "CHF"
    with crm_core.connect(story_db) as opened:
        assert crm_core.service_targets(opened).set_index("priority").loc["high", "attention_hours"] == 6
