"""Accounts: who may read, who may write, who manages."""

import pandas as pd
import streamlit as st

import crm_core
from crm_core import accounts, shell
from pages.common import _, fmt_datetime, fmt_each, setup
from pages.common.auth import admins_only
from pages.common.forms import confirmation, error_text, other_error, save

ctx = setup("Accounts", "🔑")
ROLES = {"viewer": _("Viewer"), "editor": _("Editor"), "admin": _("Admin")}
user = admins_only(ctx.path, _("Only an admin can manage accounts."))
with crm_core.connect(ctx.path) as db:
    team = accounts.users(db)
if not team:
    # Not from the browser: in open mode anyone who reaches the page could make themselves the admin.
    st.info(_("No accounts yet: the app runs open. Create the first admin on the server, which then asks for "
              "sign-in on every page:"))
    st.code(shell.command_line(ctx.path, "user", "add", _("Your Name"), "--role", "admin"), language="sh")
    st.stop()
table = pd.DataFrame(team)
table["status"] = table["disabled"].map({0: _("Active"), 1: _("Disabled")})
table["role"] = table["role"].map(ROLES)
table["created_at"] = fmt_each(table["created_at"], fmt_datetime)
st.dataframe(table[["name", "role", "status", "failed_logins", "created_at"]], hide_index=True,
             column_config={"name": _("Name"), "role": _("Role"), "status": _("Status"),
                            "failed_logins": _("Failed sign-ins in a row"), "created_at": _("Created")})

st.subheader(_("Add an account"))
with st.form("add_account", clear_on_submit=False):
    name = st.text_input(_("Name"), key="account_name")
    role = st.selectbox(_("Role"), accounts.ROLES, key="account_role", format_func=ROLES.get,
                        help=_("viewer: reads · editor: also writes data · admin: also manages accounts"))
    password = st.text_input(_("Password (at least 8 characters)"), type="password", key="account_password")
    if st.form_submit_button(_("Add account"), type="primary"):
        try:
            with crm_core.connect(ctx.path) as db:
                created = accounts.add_user(db, name, password, role, author=user.name)
            st.success(_("Added {name} as {role}.", name=created.name, role=ROLES[created.role]))
        except (crm_core.ValidationError, crm_core.AccessDenied, crm_core.StorageError) as error:
            st.error(error_text(error))

others = [a["name"] for a in team if a["name"] != user.name]
by_name = {a["name"]: a for a in team}
st.subheader(_("Disable or enable an account"))
if others:
    target = st.selectbox(_("Account"), others, key="toggle_name")
    disabled = by_name[target]["disabled"]
    st.button(_("Enable") if disabled else _("Disable"), key="toggle", on_click=save,
              args=("toggle", ctx.path, accounts.set_disabled, target, not disabled), kwargs={"author": user.name})
    other_error("toggle", ())
    confirmation("toggle")
st.subheader(_("Role"))
if others:
    target = st.selectbox(_("Account"), others, key="role_name")
    st.selectbox(_("Role"), accounts.ROLES, index=accounts.ROLES.index(by_name[target]["role"]),
                 key=f"role_of:{target}", format_func=ROLES.get)
    # The callback runs before the next script run: it reads the role chosen in the box.
    st.button(_("Save changes"), key="save_role", on_click=lambda: save(
        "role", ctx.path, accounts.set_role, target, st.session_state[f"role_of:{target}"], author=user.name))
    other_error("role", ())
    confirmation("role")
