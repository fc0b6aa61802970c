"""Checklist gaps: what do we keep failing to give?"""

import altair as alt
import streamlit as st

import crm_core
from pages.common import empty_state, fmt_pct, read, setup, stage_colour, with_labels
from pages.common.charts import day_text, journey_link, link_column, portfolio_filters, url_choice

TOP = 40            # customers in the heatmap
TABLE_ROWS = 50     # customers in the table
STATUS = alt.Scale(domain=["Missing", "Given"], range=["#C0392B", "#DDE3EA"])

ctx = setup("Checklist gaps", "🧩")
st.caption("What do we keep failing to give? Every expected response of a stage, for every customer "
           "that has reached it.")
if read(ctx, "customer_names").empty:
    empty_state("There are no customers yet, so there is no gap to show.")
    st.stop()
stage = url_choice("Stage", crm_core.STAGES, "operational", "stage", crm_core.STAGE_LABELS.get)
filters = portfolio_filters(ctx)
gaps = read(ctx, "checklist_gaps", stage, ctx.as_of, filters=filters or None, top=TOP)
stage_name = crm_core.STAGE_LABELS[stage]
if gaps.customers_total == 0:
    st.info(f"No customer {'matching these filters ' if filters else ''}had reached the "
            f"{stage_name} stage by then. Pick another stage or clear the filters.")
    st.stop()

worst = gaps.items.iloc[0]
left, middle, right = st.columns(3)
left.metric(f"Customers at or past {stage_name}", f"{gaps.customers_total:,}")
middle.metric("Customers with a gap", f"{gaps.customers_with_gaps:,}")
right.metric("Most often missing", fmt_pct(worst["missing_share"]) if worst["missing"] else "nothing")
if worst["missing"]:
    right.caption(f"of customers miss **{worst['label']}**")

items = with_labels(gaps.items.assign(stage=stage))
items["share_text"] = items["missing_share"].map(fmt_pct)
items["count_text"] = [f"{m:,} of {c:,} customers" for m, c in zip(items["missing"], items["customers"])]
bars = alt.Chart(items, title=f"Items most often missing at {stage_name}").mark_bar().encode(
    x=alt.X("missing_share:Q", title="Customers missing it", axis=alt.Axis(format="%", tickCount=5),
            scale=alt.Scale(domain=[0, 1])),
    y=alt.Y("label:N", title=None, sort=list(items["label"]), axis=alt.Axis(labelLimit=320)),
    color=stage_colour().legend(None),
    tooltip=[alt.Tooltip("label:N", title="Item"), alt.Tooltip("share_text:N", title="Missing at"),
             alt.Tooltip("count_text:N", title="Customers")])
st.altair_chart(bars, width="stretch")

cells = gaps.cells.assign(status=gaps.cells["done"].map({True: "Given", False: "Missing"}),
                          last_text=gaps.cells["last_on"].map(day_text))
shown = cells["customer_id"].nunique()
if shown:
    heatmap = alt.Chart(cells, title=f"Who is missing what at {stage_name}").mark_rect(stroke="white").encode(
        x=alt.X("label:N", title="Checklist item", sort=list(items["label"]), axis=alt.Axis(
            orient="top", labelAngle=-30, labelLimit=260, labelOverlap=False)),
        y=alt.Y("name:N", title="Customer", sort=alt.EncodingSortField("rank", order="ascending"),
                axis=alt.Axis(labelLimit=220, labelOverlap=False)),
        color=alt.Color("status:N", title="Response", scale=STATUS),
        tooltip=[alt.Tooltip("name:N", title="Customer"), alt.Tooltip("label:N", title="Item"),
                 alt.Tooltip("status:N", title="Response"), alt.Tooltip("times:Q", title="Times given"),
                 alt.Tooltip("last_text:N", title="Last addressed")]).properties(height=alt.Step(22))
    st.altair_chart(heatmap, width="stretch")
    which = (f"All {shown} customers with a gap" if shown == gaps.customers_with_gaps else
             f"The {shown} customers with most gaps, out of {gaps.customers_with_gaps:,} with a gap")
    st.caption(f"{which}; {gaps.customers_total:,} customers are at or past {stage_name}. "
               "Hover a cell for the last date the item was addressed.")

st.subheader("Customers with most gaps")
table = gaps.customers[gaps.customers["missing"] > 0].head(TABLE_ROWS)
if table.empty:
    st.success(f"Every customer got every expected response of the {stage_name} stage.")
else:
    view = with_labels(table).assign(
        journey=journey_link(table["customer_id"]),
        gaps=[f"{m} of {t}" for m, t in zip(table["missing"], table["items_total"])],
        last=table["last_on"].map(day_text))
    st.dataframe(view[["name", "journey", "gaps", "stage_label", "sector", "region", "account_manager",
                       "last"]], hide_index=True, width="stretch", column_config={
        "name": "Customer", "journey": link_column(), "gaps": "Missing items",
        "stage_label": "Now in", "sector": "Sector", "region": "Region",
        "account_manager": "Account manager", "last": "Last item addressed"})
    if len(table) < gaps.customers_with_gaps:
        st.caption(f"The first {len(table)} customers, most gaps first.")
