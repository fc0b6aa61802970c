"""Saved views in crm_core: what a view keeps of a URL, who sees, saves, renames and
deletes which view, the names it accepts, its audit trail, and the migration that
adds the table to an existing database."""

import datetime as dt

import pandas as pd
import pytest
from fixtures import TODAY, database_before, dump, old_customer

import crm_core
from crm_core import saved_views, storage
from crm_core.storage import schema


def with_team(db):
    crm_core.add_user(db, "Ada", "admin-pass-1", "admin")
    crm_core.add_user(db, "Eddie", "editor-pass-1", "editor", author="Ada")
    crm_core.add_user(db, "Vera", "viewer-pass-1", "viewer", author="Ada")


def names(views) -> list[tuple[str, str, bool, bool]]:
    return [(v.name, v.owner, v.mine, v.changeable) for v in views]


def test_a_view_keeps_the_pages_parameters_and_the_snapshot_day_only():
    query = {"sector": ["Energy", "Mining"], "period": "90", "as_of": ["2025-06-30"], "lang": ["fr"],
             "password": ["hunter2"], "token": ["abc"], "customer": ["1"], "region": [" "]}
    assert saved_views.kept("overview", query) == {"sector": ["Energy", "Mining"], "period": ["90"],
                                                   "as_of": ["2025-06-30"]}
    assert saved_views.kept("journey", {"customer": ["3"], "tab": ["History"], "sector": ["Energy"]}) == {
        "customer": ["3"], "tab": ["History"]}
    # A day the page could not show (malformed) leaves the view live; an over-long value is no choice.
    assert saved_views.kept("gaps", {"as_of": ["30/06/2025"], "stage": ["x" * 201]}) == {}
    assert saved_views.kept("gaps", {"as_of": [(dt.date.today() + dt.timedelta(days=1)).isoformat()]}) == {}
    with pytest.raises(crm_core.ValidationError) as refused:
        saved_views.kept("nowhere", {})
    assert refused.value.field == "page"


def test_no_page_keeps_a_secret_in_a_view():
    kept = {name for names in saved_views.PAGE_PARAMS.values() for name in names}
    assert not {name for name in kept if any(word in name for word in ("pass", "token", "secret", "cookie", "sign"))}


def test_a_personal_view_is_its_owners_and_a_team_view_everyones(story_db):
    with crm_core.connect(story_db) as db:
        mine = saved_views.save_view(db, "  Energy, June ", "overview", {"sector": ["Energy"]}, author="Ana")
        saved_views.save_view(db, "Pre-deal gaps", "gaps", {"stage": ["pre_deal"]}, shared=True, author="Ana")
        assert names(saved_views.views_for(db, "Ana")) == [("Energy, June", "Ana", True, True),
                                                           ("Pre-deal gaps", "Ana", True, True)]
        # In open mode everyone edits, so anyone renames a team view; nobody sees another's personal one.
        assert names(saved_views.views_for(db, "Bo")) == [("Pre-deal gaps", "Ana", False, True)]
        assert names(saved_views.views_for(db, None)) == [("Pre-deal gaps", "Ana", False, True)]
        view = saved_views.views_for(db, "Ana")[0]
        assert (view.id, view.page, view.params, view.shared) == (mine, "overview", {"sector": ["Energy"]}, False)


@pytest.mark.parametrize("name, message", [("", "must not be empty"), ("   ", "must not be empty"),
                                           ("x" * 81, "is too long"), ("a\x00b", "NUL"),
                                           (" energy,  JUNE", "you already have a view named")])
def test_a_bad_name_is_refused_naming_the_field_and_nothing_is_saved(story_db, name, message):
    with crm_core.connect(story_db) as db:
        saved_views.save_view(db, "Energy, June", "overview", {}, author="Ana")
        before = dump(db)
        with pytest.raises(crm_core.ValidationError, match=message) as refused:
            saved_views.save_view(db, name, "overview", {}, author="Ana")
        assert refused.value.field == "name" and dump(db) == before


def test_another_owner_may_use_the_same_name_and_a_rename_keeps_names_distinct(story_db):
    with crm_core.connect(story_db) as db:
        first = saved_views.save_view(db, "Energy", "overview", {}, author="Ana")
        saved_views.save_view(db, "Mining", "overview", {}, author="Ana")
        saved_views.save_view(db, "Energy", "overview", {}, author="Bo")
        saved_views.rename_view(db, first, "ENERGY", author="Ana")    # its own name, in other case
        with pytest.raises(crm_core.ValidationError, match="already have a view named"):
            saved_views.rename_view(db, first, "mining", author="Ana")
        assert [v.name for v in saved_views.views_for(db, "Ana")] == ["ENERGY", "Mining"]


def test_open_mode_needs_the_owners_name(story_db):
    with crm_core.connect(story_db) as db:
        with pytest.raises(crm_core.ValidationError) as refused:
            saved_views.save_view(db, "Energy", "overview", {}, author="  ")
    assert refused.value.field == "author"


def test_viewers_save_personal_views_and_only_editors_share_them(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        saved_views.save_view(db, "My gaps", "gaps", {}, author="vera")   # stored under the account's spelling
        before = dump(db)
        for author, shared in (("Vera", True), ("Nobody", False), (None, False)):
            with pytest.raises(crm_core.AccessDenied):
                saved_views.save_view(db, "Team gaps", "gaps", {}, shared=shared, author=author)
        assert dump(db) == before
        saved_views.save_view(db, "Team gaps", "gaps", {}, shared=True, author="Eddie")
        assert names(saved_views.views_for(db, "Vera")) == [("My gaps", "Vera", True, True),
                                                            ("Team gaps", "Eddie", False, False)]


def test_only_the_owner_or_an_admin_renames_or_deletes_a_team_view(story_db):
    with crm_core.connect(story_db) as db:
        with_team(db)
        team = saved_views.save_view(db, "Team gaps", "gaps", {}, shared=True, author="Eddie")
        personal = saved_views.save_view(db, "Eddie's", "gaps", {}, author="Eddie")
        before = dump(db)
        with pytest.raises(crm_core.AccessDenied, match="only its owner or an admin"):
            saved_views.rename_view(db, team, "Mine now", author="Vera")
        with pytest.raises(crm_core.AccessDenied):
            saved_views.delete_view(db, team, author="Vera")
        # Someone else's personal view is not even said to exist, to an admin neither.
        for author in ("Vera", "Ada"):
            with pytest.raises(crm_core.ValidationError, match="unknown saved view") as refused:
                saved_views.delete_view(db, personal, author=author)
            assert refused.value.field == "saved_view_id"
        assert dump(db) == before
        saved_views.rename_view(db, team, "Gaps (team)", author="ada")
        assert names(saved_views.views_for(db, "Ada")) == [("Gaps (team)", "Eddie", False, True)]
        saved_views.delete_view(db, team, author="Eddie")
        assert names(saved_views.views_for(db, "Ada")) == []


def test_every_change_of_a_view_is_audited_and_undo_leaves_views_alone(story_db):
    with crm_core.connect(story_db) as db:
        view = saved_views.save_view(db, "Energy", "overview", {"sector": ["Energy"]}, author="Ana")
        saved_views.rename_view(db, view, "Energy, live", author="Ana")
        crm_core.record_opinion(db, 3, "pre_deal", "2025-07-01", 1, author="Ana", today=TODAY)
        saved_views.delete_view(db, view, author="Ana")
        trail = crm_core.history(db)
        rows = trail[trail["entity"] == "saved_view"]
        assert list(zip(rows["action"], rows["author"], rows["entity_id"])) == [
            ("create", "Ana", view), ("update", "Ana", view), ("delete", "Ana", view)]
        assert '"Energy, live"' in rows["before"].iloc[-1] and pd.isna(rows["after"].iloc[-1])
        saved_views.save_view(db, "Kept", "overview", {}, author="Ana")
        crm_core.undo(db, "Ana")   # takes back the opinion, the latest data change
        assert [v.name for v in saved_views.views_for(db, "Ana")] == ["Kept"]
        assert crm_core.journey(db, 3).opinions.empty


def test_an_existing_database_gets_the_table_and_keeps_its_rows(tmp_path):
    with database_before(tmp_path / "old.db", "m016_saved_views") as (path, old):
        old_customer(old, 1, "Old Co")
        assert "saved_views" not in storage.table_names(old)
    with crm_core.connect(path) as db:
        assert schema.pending(db) == []
        assert crm_core.customer_names(db)["name"].tolist() == ["Old Co"]
        saved_views.save_view(db, "Old Co", "journey", {"customer": ["1"]}, author="Ana")
        assert saved_views.views_for(db, "Ana")[0].params == {"customer": ["1"]}
