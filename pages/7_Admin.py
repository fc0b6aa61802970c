"""Accounts: who may read, who may write, who manages."""

import pandas as pd
import streamlit as st

import crm_core
from crm_core import accounts
from pages.common import setup
from pages.common.auth import signed_in

ctx = setup("Accounts", "🔑")
user = signed_in()
with crm_core.connect(ctx.path) as db:
    team = accounts.users(db)
if team and (user is None or not user.is_admin):
    st.warning("Only an admin can manage accounts.")
    st.stop()
if not team:
    st.info("No accounts yet: the app is open to anyone with the link. Create the first admin to require "
            "sign-in on every page.")
else:
    table = pd.DataFrame(team)
    table["status"] = table["disabled"].map({0: "active", 1: "disabled"})
    st.dataframe(table[["name", "role", "status", "failed_logins", "created_at"]], hide_index=True,
                 column_config={"failed_logins": "Failed sign-ins in a row", "created_at": "Created"})

st.subheader("Add an account" if team else "Create the first admin")
with st.form("add_account", clear_on_submit=False):
    name = st.text_input("Name", key="account_name")
    role = st.selectbox("Role", accounts.ROLES if team else ("admin",), key="account_role",
                        help="viewer: reads · editor: also writes data · admin: also manages accounts")
    password = st.text_input("Password (at least 8 characters)", type="password", key="account_password")
    if st.form_submit_button("Add account", type="primary"):
        try:
            with crm_core.connect(ctx.path) as db:
                created = accounts.add_user(db, name, password, role, acting=user.name if user else None)
            st.success(f"Added {created.name} as {created.role}.")
            if not team:
                st.session_state["user"] = created   # the creator of the first admin is signed in as it
                st.rerun()
        except (crm_core.ValidationError, crm_core.AccessDenied) as error:
            st.error(str(error))

if team:
    st.subheader("Disable or enable an account")
    others = [a["name"] for a in team if a["name"] != user.name]
    if others:
        target = st.selectbox("Account", others, key="toggle_name")
        disabled = next(a["disabled"] for a in team if a["name"] == target)
        if st.button("Enable" if disabled else "Disable", key="toggle"):
            with crm_core.connect(ctx.path) as db:
                accounts.set_disabled(db, target, not disabled, acting=user.name)
            st.rerun()
