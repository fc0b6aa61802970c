"""The sidebar's saved views (``saved_views_box``, drawn by ``setup`` on every page):
links to the views of this person and of the team, "Save this view" (a name, personal
or shared) and rename or delete. The rules are ``crm_core.saved_views``'; closed, the
box costs a page run nothing but its label, open one cached read (``views_for``); nothing
is drawn in the page's main area.

A view's link is a page link with the view's parameters and the session's language:
opening it runs that page's ``setup`` like any link, so it meets the sign-in gate.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import crm_core
from crm_core import saved_views

from . import PAGES, ROOT, Context, _, escape_markdown, expander, lang, read
from .auth import signed_in
from .forms import confirmation, field_error, has_news, other_error, save

SAVE, MANAGE = "save_view", "manage_view"   # the two forms, whose outcomes ``forms.save`` keeps


BOX = "saved_views_box"   # the expander's key: its open state, kept per session


def saved_views_box(ctx: Context) -> None:
    """The "Saved views" expander at the end of the sidebar, for the page being run. Its
    links and forms are built only while it is open (opening it reruns the page, from the
    cache): closed, a page run reads and ships none of them."""
    box = expander("⭐ " + _("Saved views"), BOX, open_now=has_news(SAVE, MANAGE), into=st.sidebar)
    if not box.open:
        return
    page = _current_page()
    # A view of a page this version no longer has stays saved but has nothing to link to.
    # Keyed on the accounts too: a role decides which views a person may rename or delete.
    views = [view for view in read(ctx.scoped(crm_core.SAVED_VIEWS, crm_core.ACCOUNTS), saved_views.views_for,
                                   _author())
             if view.page in PAGES]
    with box:
        _links([v for v in views if v.mine], _("My views"))
        _links([v for v in views if not v.mine], _("Team views"))
        if not views:
            st.caption(_("No saved view yet: name what this page shows below to find it here."))
        if page is not None:
            _save_form(ctx.path, page)
        changeable = [v for v in views if v.changeable]
        if changeable:
            _manage_form(ctx.path, changeable)


def _current_page() -> str | None:
    """The key of ``PAGES`` of the page file being run: Streamlit runs it as the module
    ``__main__`` (its own per run, on this session's thread), found up the call stack."""
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") != "__main__":
        frame = frame.f_back
    file = frame.f_globals.get("__file__") if frame is not None else None
    if not file:
        return None
    running = Path(file).resolve()
    return next((page for page, path in PAGES.items() if (ROOT / path).resolve() == running), None)


def _author() -> str | None:
    """Who the views are listed for and saved by: the signed-in account, else (open mode)
    the name this browser gave in "You are"."""
    user = signed_in()
    return user.name if user is not None else st.session_state.get("author")


def _links(views: list[saved_views.SavedView], heading: str) -> None:
    """One link per view under ``heading``, opening its page with its parameters."""
    if not views:
        return
    st.caption(heading)
    try:
        for view in views:
            st.page_link(PAGES[view.page], label=escape_markdown(view.name), icon="👥" if view.shared else "⭐",
                         query_params={**view.params, "lang": lang()},
                         help=None if view.mine else _("Shared by {owner}", owner=view.owner))
    except StreamlitPageNotFoundError:
        pass   # a page file run on its own (AppTest) has no app.py to resolve the links against


def _save_form(path: str, page: str) -> None:
    user = signed_in()
    with st.form(SAVE, border=False):
        confirmation(SAVE)
        other_error(SAVE, ("name", "author"))
        st.text_input(_("Name of this view"), key="view_name", max_chars=saved_views.MAX_NAME,
                      placeholder=_("e.g. Energy, at risk, end of June"))
        field_error(SAVE, "name")
        if user is None and not st.session_state.get("author"):
            st.text_input(_("You are"), key="view_owner", placeholder=_("Your name"))
            field_error(SAVE, "author")
        viewer = user is not None and not user.can_write
        st.checkbox(_("Share with the team"), key="view_shared", disabled=viewer,
                    help=_("Viewers save personal views; editors and admins share them with the team.") if viewer
                    else _("Everyone sees a team view in their sidebar."))
        st.form_submit_button(_("Save this view"), key="view_save", icon="⭐", on_click=_save, args=(path, page))


def _save(path: str, page: str) -> None:
    """Save the URL as it is now (the page's last run wrote its choices into it)."""
    if st.session_state.get("view_owner"):
        st.session_state["author"] = st.session_state.pop("view_owner")   # the name "You are" keeps
    name = st.session_state.get("view_name")
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    save(SAVE, path, saved_views.save_view, name, page, query, shared=bool(st.session_state.get("view_shared")),
         author=_author(), reset={"view_name": "", "view_shared": False},
         done=_("Saved the view “{name}”.", name=escape_markdown((name or "").strip())))


def _manage_form(path: str, views: list[saved_views.SavedView]) -> None:
    names = {view.id: view.name for view in views}
    shared = {view.id for view in views if view.shared}
    with st.form(MANAGE, border=False):
        confirmation(MANAGE)
        other_error(MANAGE, ("name",))
        st.selectbox(_("Saved view"), list(names), key="view_pick",
                     format_func=lambda view_id: names[view_id] + (" · 👥" if view_id in shared else ""))
        st.text_input(_("New name"), key="view_new_name", max_chars=saved_views.MAX_NAME)
        field_error(MANAGE, "name")
        rename, delete = st.columns(2)
        rename.form_submit_button(_("Rename"), key="view_rename", on_click=_rename, args=(path,))
        delete.form_submit_button(_("Delete"), key="view_delete", on_click=_delete, args=(path, names))


def _rename(path: str) -> None:
    save(MANAGE, path, saved_views.rename_view, st.session_state.get("view_pick"),
         st.session_state.get("view_new_name"), author=_author(), reset={"view_new_name": ""}, done=_("Renamed."))


def _delete(path: str, names: dict[int, str]) -> None:
    picked = st.session_state.get("view_pick")
    save(MANAGE, path, saved_views.delete_view, picked, author=_author(),
         done=_("Deleted the view “{name}”.", name=escape_markdown(names.get(picked, ""))))
    if f"{MANAGE}:error" not in st.session_state:
        st.session_state.pop("view_pick", None)   # gone: the box starts again at the first view
