"""The sidebar's saved views on the pages: save what a page shows, find it as a link,
open it (the page shows the same view), rename and delete it; personal and team views;
a viewer; and a view's link opened signed out meets the sign-in gate."""

import re
from urllib.parse import parse_qs

from fixtures import PASSWORD, sign_in

import crm_core
from crm_core import saved_views
from pages.common import PAGES
from pages.common.views import BOX

OVERVIEW = "app.py"
GAPS = "pages/2_Checklist_gaps.py"


def opened(page):
    """The page with its "Saved views" box open (as a click on it opens it: the page reruns);
    closed, the box holds nothing; what a click keeps is ``<key>:open``."""
    if f"{BOX}:open" in page.session_state:
        return page
    page.session_state[f"{BOX}:open"] = True
    return page.run()


def save(page, name: str, shared: bool = False, owner: str | None = None):
    """Fill and send the sidebar's "Save this view" form; returns the page after the run."""
    page = opened(page)
    if owner is not None:
        page.sidebar.text_input(key="view_owner").input(owner)
    page.sidebar.text_input(key="view_name").input(name)
    if shared:
        page.sidebar.checkbox(key="view_shared").check()
    return page.sidebar.button(key="view_save").click().run()


def links(page) -> dict[str, tuple[str, dict[str, list[str]], str]]:
    """The saved views' sidebar links: name (as typed: the label escapes Markdown) ->
    (page, query, heading), the heading being the caption above it ("My views", "Team views")."""
    found, heading = {}, None
    for element in next(e for e in page.sidebar.get("expander") if e.label.startswith("⭐")):
        if element.type == "caption":
            heading = element.value
        elif element.type == "page_link":
            name = re.sub(r"\\(.)", r"\1", element.proto.label)
            found[name] = (element.proto.page, parse_qs(element.proto.query_string), heading)
    return found


def open_link(open_page, db, link):
    """Run the page a sidebar link names with its query, as a click on it (or the link
    pasted in a new tab) opens it."""
    target, query, _heading = link
    files = {"" if file == "app.py" else file.split("/")[-1].split("_", 1)[1][:-3]: file for file in PAGES.values()}
    return open_page(files[target], db, **{name: values if len(values) > 1 else values[0]
                                           for name, values in query.items()})


def test_every_page_has_its_list_of_kept_parameters():
    assert set(saved_views.PAGE_PARAMS) == set(PAGES)


def test_a_saved_view_is_a_link_in_the_sidebar_that_opens_the_same_view(open_page, story_db):
    page = open_page(OVERVIEW, story_db, sector="Energy", period="180", as_of="2025-06-30", lang="fr",
                     token="not-for-a-link")
    page = save(page, "Énergie, fin juin", owner="Ana")
    assert not page.exception
    assert [s.value for s in page.sidebar.success] == ["Vue « Énergie, fin juin » enregistrée."]
    target, query, heading = links(page)["Énergie, fin juin"]
    assert (target, heading) == ("", "Mes vues")       # the overview, under "My views"
    assert query == {"sector": ["Energy"], "period": ["180"], "as_of": ["2025-06-30"], "lang": ["fr"]}
    opened = open_link(open_page, story_db, links(page)["Énergie, fin juin"])
    assert not opened.exception
    assert opened.multiselect(key="sector").value == ["Energy"]
    assert any("30 juin 2025" in w.value for w in opened.warning)          # the snapshot banner
    assert {m.label: m.value for m in opened.metric}["Clients"] == "1"
    # Nothing was added to the page's main area.
    assert "view_save" not in [b.key for b in opened.main.button]


def test_a_journey_view_keeps_the_customer_and_the_tab(open_page, story_db):
    page = open_page(OVERVIEW, story_db).switch_page(PAGES["journey"])
    page.query_params["customer"] = "2"
    page.query_params["tab"] = "History"
    page = save(page.run(), "Borealis history", owner="Ana")
    assert links(page)["Borealis history"][:2] == ("Customer_journey", {"customer": ["2"], "tab": ["History"],
                                                                       "lang": ["en"]})
    opened = open_link(open_page, story_db, links(page)["Borealis history"])
    assert opened.header[0].value == "Borealis Rail"


def test_a_bad_name_is_shown_under_the_field_and_kept(open_page, story_db):
    page = save(open_page(OVERVIEW, story_db), "   ", owner="Ana")
    assert [e.value for e in page.sidebar.error] == ["Name: must not be empty"]
    page = save(page, "Energy")
    page = save(page, "ENERGY")
    assert [e.value for e in page.sidebar.error] == ["Name: you already have a view named “ENERGY”"]
    assert page.sidebar.text_input(key="view_name").value == "ENERGY"
    with crm_core.connect(story_db) as db:
        assert [v.name for v in saved_views.views_for(db, "Ana")] == ["Energy"]


def test_rename_and_delete_from_the_sidebar(open_page, story_db):
    page = save(save(open_page(OVERVIEW, story_db), "Energy", owner="Ana"), "Mining")
    page.sidebar.selectbox(key="view_pick").select_index(0)
    page.sidebar.text_input(key="view_new_name").input("Energy, live")
    page = page.sidebar.button(key="view_rename").click().run()
    assert [s.value for s in page.sidebar.success] == ["Renamed."]
    assert list(links(page)) == ["Energy, live", "Mining"]
    page.sidebar.selectbox(key="view_pick").select_index(1)
    page = page.sidebar.button(key="view_delete").click().run()
    assert [s.value for s in page.sidebar.success] == ["Deleted the view “Mining”."]
    assert list(links(page)) == ["Energy, live"]


def test_a_team_view_is_in_everyones_sidebar_a_personal_one_only_in_its_owners(open_page, story_db):
    page = save(open_page(GAPS, story_db, stage="pre_deal"), "Mine", owner="Ana")
    save(page, "Pre-deal gaps", shared=True)
    other = open_page(OVERVIEW, story_db)
    other.session_state["author"] = "Bo"
    other = opened(other)
    assert {name: heading for name, (_page, _query, heading) in links(other).items()} == {
        "Pre-deal gaps": "Team views"}
    assert links(other)["Pre-deal gaps"][:2] == ("Checklist_gaps", {"stage": ["pre_deal"], "lang": ["en"]})


def test_a_viewer_saves_personal_views_and_cannot_share(open_page, locked_db):
    page = sign_in(open_page(OVERVIEW, locked_db), "vera", PASSWORD).switch_page(GAPS)   # app.py resolves links
    page.query_params["stage"] = "post_deal"
    page = opened(page.run())
    assert page.sidebar.checkbox(key="view_shared").disabled
    page = save(page, "Post-deal gaps")
    assert links(page)["Post-deal gaps"][2] == "My views"
    with crm_core.connect(locked_db) as db:
        assert [(v.owner, v.shared) for v in saved_views.views_for(db, "vera")] == [("vera", False)]


def test_a_view_link_opened_signed_out_shows_the_sign_in_and_then_the_view(open_page, locked_db):
    with crm_core.connect(locked_db) as db:
        saved_views.save_view(db, "Energy", "overview", {"sector": ["Energy"], "as_of": ["2025-06-30"]},
                              shared=True, author="admin")
    page = opened(sign_in(open_page(OVERVIEW, locked_db), "vera", PASSWORD))
    link = links(page)["Energy"]
    signed_out = open_link(open_page, locked_db, link)
    assert signed_out.title[0].value == "🔒 Sign in"
    assert not signed_out.metric and not signed_out.multiselect and not signed_out.get("expander")
    signed_in = sign_in(signed_out, "vera", PASSWORD)
    assert signed_in.multiselect(key="sector").value == ["Energy"]
    assert signed_in.query_params["as_of"] == "2025-06-30"


def test_a_role_change_shows_at_once_in_the_views_one_may_change(open_page, locked_db):
    with crm_core.connect(locked_db) as db:
        saved_views.save_view(db, "Energy", "overview", {"sector": ["Energy"]}, shared=True, author="admin")
    page = opened(sign_in(open_page(OVERVIEW, locked_db), "vera", PASSWORD))
    assert "view_pick" not in [box.key for box in page.sidebar.selectbox]     # a viewer changes no team view
    with crm_core.connect(locked_db) as db:
        crm_core.accounts.set_role(db, "vera", "admin", author="admin")
    page.run()
    assert page.sidebar.selectbox(key="view_pick").options == ["Energy · 👥"]
