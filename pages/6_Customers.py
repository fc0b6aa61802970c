"""Find a customer in the list, add a customer or edit one's profile and contacts."""

import datetime as dt

import pandas as pd
import streamlit as st

import crm_core
from pages.common import (
    _,
    customer_labels,
    download,
    entry_closed,
    first_of,
    log_link,
    params,
    read,
    setup,
    stage_label,
)
from pages.common.charts import link_column, portfolio_filters, url_choice
from pages.common.customers import every_customer, first_customers
from pages.common.forms import confirmation, customer_options, field_error, other_error, save, session_author
from pages.common.presented import presented

FIELDS = ("name", "sector", "region", "account_manager", "acquisition_cost", "created_on", "notes",
          "external_id")
CONTACT_COLUMNS = ["name", "role", "email", "phone"]
SORTS = {"name": _("Name"), "final_opinion": _("Final opinion"), "last_response": _("Last response"),
         "risk": _("Most at risk")}

ctx = setup("Customers", "🏢")

st.subheader(_("Customer list"), anchor=False)
search = st.text_input(_("Search by name"), key="q", bind="query-params", placeholder=_("Part of the name"),
                       icon=":material/search:")
filters = portfolio_filters(ctx)
stage_box, risk_box, sort_box = st.columns([2, 1, 3])
# Kept in the URL by hand, as stage keys: a bound multiselect would write the translated labels.
linked = params.choices("stage", crm_core.STAGES)
stages = stage_box.multiselect(_("Stage"), list(crm_core.STAGES), default=linked, format_func=stage_label,
                               key=f"stage:{','.join(linked)}", placeholder=_("All"))
if stages:
    st.query_params["stage"] = stages
else:
    st.query_params.pop("stage", None)
with risk_box:
    at_risk_only = st.toggle(_("At risk only"), key="at_risk", bind="query-params")
with sort_box:
    sort = url_choice(_("Sort by"), list(crm_core.customers.SORTS), "name", "sort", format_func=SORTS.get)
choices = (ctx.as_of, filters or None, stages, at_risk_only, search, sort)
shown, total = presented(ctx, first_customers, *choices)
if not total:
    st.info(_("No customer matches these filters."))
else:
    st.dataframe(shown, hide_index=True, width="stretch", column_config={"journey": link_column()},
                 key="customer_list")
    first_of(len(shown), total)
    download(lambda: every_customer(ctx, *choices), "customers")

st.subheader(_("Add or edit a customer"), anchor=False)
if entry_closed(ctx):
    st.stop()
author = session_author()
known = customer_labels(ctx)
labels = {0: "➕ " + _("New customer"), **known}
HEADINGS = {"sector": _("Sector"), "region": _("Region"), "account_manager": _("Account manager"), "name": _("Name"),
            "role": _("Role"), "email": _("Email"), "phone": _("Phone")}
wanted, _text = params.record_id("customer")
chosen = wanted if wanted in labels else 0
# Past a few hundred customers a search box narrows the box: every run ships its options.
options = [0, *customer_options(known, chosen or None, "edit_search")]
customer_id = st.selectbox(_("Customer"), options, index=options.index(chosen), format_func=labels.get,
                           key=f"pick:{chosen}")
if customer_id:
    st.query_params["customer"] = str(customer_id)
else:
    st.query_params.pop("customer", None)
journey = read(ctx, crm_core.journey, customer_id) if customer_id else None
profile = journey.customer if journey else {"created_on": dt.date.today().isoformat()}
options = read(ctx.scoped(crm_core.CUSTOMERS), crm_core.filter_values)
form = f"customer:{customer_id}"
confirmation(form)
added = st.session_state.pop("customer:added", None)
if added is not None and not customer_id:
    log_link(added)

with st.form(form):
    st.text_input(_("Name"), value=profile.get("name") or "", key=f"{form}:name", max_chars=200)
    field_error(form, "name")
    sector, region, manager = st.columns(3)
    for column, field in ((sector, "sector"), (region, "region"), (manager, "account_manager")):
        known = options[field]
        current = profile.get(field)
        column.selectbox(HEADINGS[field], known if current in known or not current
                         else [current, *known], index=None if not current else
                         (known.index(current) if current in known else 0),
                         accept_new_options=True, key=f"{form}:{field}", placeholder=_("Choose or type"))
    cost, created, external = st.columns(3)
    cost.number_input(_("Acquisition cost"), min_value=0.0, step=1000.0, key=f"{form}:acquisition_cost",
                      value=profile.get("acquisition_cost"))
    created.date_input(_("Customer since"), value=dt.date.fromisoformat(profile["created_on"]),
                       key=f"{form}:created_on", disabled=bool(customer_id))
    with created:
        field_error(form, "created_on")
    external.text_input(_("External id (ERP)"), value=profile.get("external_id") or "", key=f"{form}:external_id")
    st.text_area(_("Notes, including needs the customer never stated before"), value=profile.get("notes") or "",
                 key=f"{form}:notes")
    st.markdown("**" + _("Contacts") + "**")
    contacts = journey.contacts if journey else pd.DataFrame(columns=CONTACT_COLUMNS)
    st.data_editor(contacts[CONTACT_COLUMNS].astype("object"), num_rows="dynamic", hide_index=True,
                   key=f"{form}:contacts", width="stretch",
                   column_config={c: st.column_config.TextColumn(HEADINGS[c]) for c in CONTACT_COLUMNS})
    field_error(form, "contacts[")
    other_error(form, ("name", "created_on", "contacts["))
    submitted = st.form_submit_button(_("Save customer"), type="primary")


def edited_contacts() -> list[dict]:
    """The contacts table as the user left it (the editor keeps only the changes)."""
    table = contacts[CONTACT_COLUMNS].astype("object").to_dict("records")
    changes = st.session_state.get(f"{form}:contacts", {})
    for row, values in changes.get("edited_rows", {}).items():
        table[int(row)].update(values)
    table += changes.get("added_rows", [])
    deleted = set(changes.get("deleted_rows", []))
    return [{k: (v if isinstance(v, str) else None) for k, v in r.items()}
            for i, r in enumerate(table) if i not in deleted and any(isinstance(v, str) and v for v in r.values())]


if submitted:
    values = {field: st.session_state.get(f"{form}:{field}") for field in FIELDS}
    if customer_id:
        save(form, ctx.path, crm_core.update_customer, customer_id, values, edited_contacts(), author=author,
             done=_("Saved {name}.", name=values["name"]))
    else:
        added = save(form, ctx.path, crm_core.add_customer, values, edited_contacts(), author=author,
                     done=_("Added {name}.", name=values["name"]))
        if added is not None:
            st.session_state["customer:added"] = added   # the next run offers to log its first response
            for key in [k for k in st.session_state if k.startswith(f"{form}:") and k != f"{form}:done"]:
                del st.session_state[key]   # an empty form for the next customer
    st.rerun()
