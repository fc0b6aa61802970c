"""The checklist and settings page: an admin rewords, reorders, retires, restores and
adds checklist items, sets the service targets and the currency; a refusal shows
next to its field with what was typed kept; nobody else may change them."""

import pytest
from fixtures import PASSWORD, sign_in

import crm_core
from crm_core import checklist, i18n, outcomes

PAGE = "pages/12_Checklist_and_settings.py"


@pytest.fixture
def settings_page(open_page, locked_db):
    return sign_in(open_page(PAGE, locked_db, stage="post_deal"), "admin", PASSWORD)


def button(page, label):
    return next(b for b in page.button if b.label == label)


def listed(db_path, language="en"):
    with crm_core.connect(db_path) as db:
        return checklist.items(db, language).set_index("key")


def test_the_stage_in_the_link_picks_the_items_shown(settings_page):
    assert not settings_page.exception
    table = settings_page.dataframe[0].value
    assert table["Item"].tolist()[:2] == ["Immediate reply to abnormal functioning", "Quick attention to breakdowns"]
    assert len(table) == 8 and set(table["Status"]) == {"Active"}
    assert settings_page.query_params["stage"] in ("post_deal", ["post_deal"])


def test_an_admin_retires_and_restores_an_item_and_the_table_says_so(settings_page, locked_db):
    settings_page.selectbox(key="item_pick:post_deal").select("post.spares")
    page = button(settings_page.run(), "Retire").click().run()
    assert not page.exception and page.success[0].value == "Retired."
    assert not listed(locked_db).loc["post.spares", "active"]
    shown = page.dataframe[0].value.set_index("Key")
    assert shown.loc["post.spares", "Status"] == "Retired" and shown.index[-1] == "post.spares"
    page = button(page, "Restore").click().run()
    assert page.success[0].value == "Restored." and listed(locked_db).loc["post.spares", "active"]


def test_an_admin_moves_an_item_up(settings_page, locked_db):
    settings_page.selectbox(key="item_pick:post_deal").select("post.service")
    page = button(settings_page.run(), "Move up").click().run()
    assert not page.exception
    assert page.dataframe[0].value["Key"].tolist()[-2:] == ["post.service", "post.training"]


def test_an_admin_rewords_an_item_in_french_and_only_french_changes(settings_page, locked_db):
    settings_page.selectbox(key="wording_language").select("fr")
    page = settings_page.run()
    page.selectbox(key="item_pick:post_deal").select("post.expert_team")
    page = page.run()
    page.text_input(key="reword:post.expert_team:fr").input("Une équipe d'experts attitrée")
    page = button(page, "Save the wording").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    assert listed(locked_db, "fr").loc["post.expert_team", "wording"] == "Une équipe d'experts attitrée"
    assert listed(locked_db, "en").loc["post.expert_team", "wording"] == "Dedicated expert team"
    assert "Une équipe d'experts attitrée" in page.dataframe[0].value["Item"].tolist()


def test_a_refused_wording_shows_next_to_its_field_and_what_was_typed_stays(settings_page, locked_db):
    settings_page.selectbox(key="item_pick:post_deal").select("post.training")
    page = settings_page.run()
    page.text_input(key="reword:post.training:en").input("priority in REPAIRS")
    page = button(page, "Save the wording").click().run()
    assert [e.value for e in page.error] == ["Wording: another item of this stage is already called "
                                             "“priority in REPAIRS”"]
    assert page.text_input(key="reword:post.training:en").value == "priority in REPAIRS"
    assert listed(locked_db).loc["post.training", "wording"] == "Training for end users"


def test_an_admin_adds_an_item_to_the_stage_shown(settings_page, locked_db):
    settings_page.text_input(key="new_item").input("Remote diagnosis")
    page = next(b for b in settings_page.get("form_submit_button")
                if b.label == "Add the item").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    assert listed(locked_db).loc["post.remote_diagnosis", "stage"] == "post_deal"
    assert page.text_input(key="new_item").value == ""
    assert page.dataframe[0].value["Item"].tolist()[-1] == "Remote diagnosis"


def test_an_admin_sets_the_targets_of_a_priority(settings_page, locked_db):
    settings_page.selectbox(key="target_priority").select("high")
    page = settings_page.run()
    for field, hours in (("first_reply_hours", 3), ("attention_hours", 10), ("repair_hours", 36)):
        page.number_input(key=f"{field}:high").set_value(hours)
    page = button(page, "Save the targets").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    with crm_core.connect(locked_db) as db:
        targets = crm_core.service_targets(db).set_index("priority").loc["high"]
    assert targets.tolist() == [3, 10, 36]
    assert page.dataframe[1].value.set_index("priority").loc["High"].tolist() == [3, 10, 36]


def test_an_admin_sets_the_currency(settings_page, locked_db):
    settings_page.selectbox(key="currency_pick").select("JPY")
    page = button(settings_page.run(), "Save the currency").click().run()
    assert not page.exception and page.success[0].value == "Saved."
    with crm_core.connect(locked_db) as db:
        assert outcomes.currency(db) == "JPY"
    assert page.selectbox(key="currency_pick").value == "JPY"     # every amount: tests/test_page_outcomes.py


@pytest.mark.parametrize("who", ["vera", None])
def test_only_an_admin_sees_the_page_with_accounts(open_page, locked_db, who):
    page = open_page(PAGE, locked_db)
    if who:
        page = sign_in(page, who, PASSWORD)
    assert not page.dataframe and not [b for b in page.button if b.label == "Retire"]
    if who:
        assert page.warning[0].value == ("Only an admin can change the checklist, the service targets and "
                                         "the currency.")


def test_in_open_mode_the_page_writes_under_the_typed_name(open_page, story_db):
    page = open_page(PAGE, story_db)
    page.sidebar.text_input(key="author").input("Ana")
    page = page.run()
    page.selectbox(key="item_pick:pre_deal").select("pre.references")
    page = button(page.run(), "Retire").click().run()
    assert not page.exception
    with crm_core.connect(story_db) as db:
        assert crm_core.history(db).iloc[-1][["author", "entity"]].tolist() == ["Ana", "checklist_item"]


def test_a_rewording_and_a_new_item_show_on_the_journey_in_that_language(open_page, story_db):
    with crm_core.connect(story_db) as db:
        checklist.reword_item(db, "pre.data", "fr", "Un dossier de données complet")
        checklist.add_item(db, "pre_deal", "Visite du site", language="fr")
    page = open_page("pages/1_Customer_journey.py", story_db, customer="2", lang="fr",
                     tab=i18n.gettext("fr", "Checklist"))
    assert not page.exception
    items = [text for frame in page.dataframe if "Point" in frame.value.columns for text in frame.value["Point"]]
    assert "Un dossier de données complet" in items and "Visite du site" in items
    assert "Données détaillées et complètes" not in items
    english = open_page("pages/1_Customer_journey.py", story_db, customer="2", lang="en", tab="Checklist")
    shown = [text for frame in english.dataframe if "Item" in frame.value.columns for text in frame.value["Item"]]
    assert "Detailed, complete data" in shown and "Visite du site" in shown


def test_a_rewording_shows_at_once_on_the_gaps_charts_already_drawn(open_page, story_db):
    """The charts are kept per content (``presented_of``): a rewording changes no count, and
    must still change the chart."""
    page = open_page("pages/2_Checklist_gaps.py", story_db, stage="pre_deal")
    assert not page.exception
    charts = lambda: " ".join(chart.proto.spec for chart in page.get("vega_lite_chart"))  # noqa: E731
    assert "Detailed, complete data" in charts()
    with crm_core.connect(story_db) as db:
        checklist.reword_item(db, "pre.data", "en", "The full data pack")
    page.run()
    assert not page.exception
    assert "The full data pack" in charts() and "Detailed, complete data" not in charts()
