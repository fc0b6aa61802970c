"""Checklist and settings: what do we expect to give at each stage, and which service
targets and currency does the team work to?"""

import pandas as pd
import streamlit as st

import crm_core
from crm_core import checklist, i18n
from pages.common import _, currency, entry_closed, field_label, lang, read, setup, stage_label
from pages.common.auth import admins_only
from pages.common.charts import url_choice
from pages.common.forms import confirmation, field_error, other_error, save, session_author
from pages.common.service import priority_label

ctx = setup("Checklist and settings", "⚙️")
admins_only(ctx.path, _("Only an admin can change the checklist, the service targets and the currency."))
author = session_author()
if entry_closed(ctx):
    st.stop()

st.subheader(_("Checklist items"))
st.caption(_("The 18 items of the model keep their meaning: reword them, but add an item for something new. "
             "A retired item stays in the history of the responses that gave it and leaves every count."))
stage = url_choice(_("Stage"), crm_core.STAGES, "pre_deal", "stage", stage_label)
language = st.selectbox(_("Wording in"), list(i18n.LANGUAGES), index=list(i18n.LANGUAGES).index(lang()),
                        format_func=i18n.LANGUAGES.get, key="wording_language")
listed = read(ctx, checklist.items, language)
listed = listed[listed["stage"] == stage].reset_index(drop=True)
st.dataframe(pd.DataFrame({
    _("Item"): listed["wording"], _("Key"): listed["key"],
    _("Status"): listed["active"].map({True: _("Active"), False: _("Retired")}),
    _("Of the model"): listed["original"], _("Reworded"): listed["reworded"],
}), hide_index=True)
wording = dict(zip(listed["key"], listed["wording"]))
key = st.selectbox(_("Item"), list(wording), format_func=wording.get, key=f"item_pick:{stage}")
active = bool(listed.loc[listed["key"] == key, "active"].iloc[0])
up, down, retire = st.columns(3)
for column, label, step in ((up, _("Move up"), -1), (down, _("Move down"), 1)):
    column.button(label, key=f"move:{step}", disabled=not active, width="stretch", on_click=save,
                  args=("checklist", ctx.path, checklist.move_item, key, step), kwargs={"author": author})
retire.button(_("Retire") if active else _("Restore"), key="retire", width="stretch", on_click=save,
              args=("checklist", ctx.path, checklist.retire_item if active else checklist.restore_item, key),
              kwargs={"author": author, "done": _("Retired.") if active else _("Restored.")})
other_error("checklist", ())
confirmation("checklist")
reword_key = f"reword:{key}:{language}"
st.text_input(_("New wording in {language}", language=i18n.LANGUAGES[language]), value=wording[key],
              key=reword_key, max_chars=checklist.MAX_WORDING,
              help=_("Leave it empty to give the item back its usual words."))
st.button(_("Save the wording"), key="save_wording", on_click=lambda: save(
    "reword", ctx.path, checklist.reword_item, key, language, st.session_state[reword_key], author=author))
field_error("reword", "label", "language")
other_error("reword", ("label", "language"))
confirmation("reword")
with st.form("add_item"):
    st.text_input(_("A new item of this stage, in {language}", language=i18n.LANGUAGES[language]),
                  key="new_item", max_chars=checklist.MAX_WORDING)
    st.form_submit_button(_("Add the item"), on_click=lambda: save(
        "add_item", ctx.path, checklist.add_item, stage, st.session_state["new_item"], language=language,
        author=author, reset={"new_item": ""}))
field_error("add_item", "label", "stage")
other_error("add_item", ("label", "stage"))
confirmation("add_item")

st.subheader(_("Service targets"))
targets = read(ctx, crm_core.service_targets)
priority = st.selectbox(_("Priority"), crm_core.PRIORITIES, format_func=priority_label, key="target_priority")
current = targets.set_index("priority").loc[priority]
clocks = {field: field_label(field) for field in ("first_reply_hours", "attention_hours", "repair_hours")}
for column, (field, label) in zip(st.columns(3), clocks.items()):
    column.number_input(label, min_value=0.0, value=float(current[field]), step=1.0, key=f"{field}:{priority}")
st.button(_("Save the targets"), key="save_targets", on_click=lambda: save(
    "targets", ctx.path, crm_core.set_service_target, priority,
    *(st.session_state[f"{field}:{priority}"] for field in clocks), author=author))
field_error("targets", *clocks)
other_error("targets", tuple(clocks))
confirmation("targets")
st.dataframe(targets.assign(priority=targets["priority"].map(priority_label)), hide_index=True,
             column_config={"priority": _("Priority"), **clocks})

st.subheader(_("Currency"))
names = i18n.currency_names(lang())
code = st.selectbox(_("Every amount is in"), list(names), index=list(names).index(currency()),
                    format_func=lambda c: f"{c} · {names[c]}", key="currency_pick",
                    help=_("This names the unit of every amount; it converts nothing."))
st.button(_("Save the currency"), key="save_currency", on_click=save,
          args=("currency", ctx.path, crm_core.outcomes.set_currency, code), kwargs={"author": author})
other_error("currency", ())
confirmation("currency")
