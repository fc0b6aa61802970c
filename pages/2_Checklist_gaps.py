"""Checklist gaps: what do we keep failing to give?"""

import streamlit as st

import crm_core
from pages.common import (
    _,
    download,
    escape_markdown,
    fmt_date,
    fmt_number,
    fmt_pct,
    item_label,
    portfolio_or_stop,
    read,
    setup,
    stage_label,
    with_labels,
)
from pages.common.charts import journey_link, link_column, portfolio_filters, url_choice
from pages.common.gaps import gaps_heatmap, items_chart
from pages.common.presented import draw

TOP = 40            # customers in the heatmap
TABLE_ROWS = 50     # customers in the table

ctx = setup("Checklist gaps", "🧩")
st.caption(_("What do we keep failing to give? Every expected response of a stage, for every customer "
             "that has reached it."))
portfolio_or_stop(ctx, _("There are no customers yet, so there is no gap to show."))
stage = url_choice(_("Stage"), crm_core.STAGES, "operational", "stage", stage_label)
filters = portfolio_filters(ctx)
# The gaps of a stage change with its responses, the customers who reached it and their profiles:
# a colleague's response in another stage, a case or a promise leaves them warm.
ctx = ctx.scoped(crm_core.stage_scope(stage), crm_core.OPINIONS, crm_core.CUSTOMERS)
gaps = read(ctx, crm_core.checklist_gaps, stage, ctx.as_of, filters=filters or None, top=TOP)
stage_name = stage_label(stage)
if gaps.customers_total == 0:
    st.info(_("No customer matching these filters had reached the {stage} stage by then. Pick another stage "
              "or clear the filters.", stage=stage_name) if filters else
            _("No customer had reached the {stage} stage by then. Pick another stage.", stage=stage_name))
    st.stop()

worst = gaps.items.iloc[0]
left, middle, right = st.columns(3)
left.metric(_("Customers at or past {stage}", stage=stage_name), fmt_number(gaps.customers_total, 0))
middle.metric(_("Customers with a gap"), fmt_number(gaps.customers_with_gaps, 0))
right.metric(_("Most often missing"), fmt_pct(worst["missing_share"]) if worst["missing"] else _("nothing"))
if worst["missing"]:
    worst_item = escape_markdown(item_label(worst["item_key"], worst["label"]))
    right.caption(_("of customers miss **{item}**", item=worst_item))

draw(ctx, items_chart, stage, filters or None, TOP)
shown = gaps.cells["customer_id"].nunique()
if shown:
    draw(ctx, gaps_heatmap, stage, filters or None, TOP)
    values = dict(shown=shown, with_gap=fmt_number(gaps.customers_with_gaps, 0),
                  total=fmt_number(gaps.customers_total, 0), stage=stage_name)
    st.caption(_("All {shown} customers with a gap; {total} customers are at or past {stage}. Hover a cell "
                 "for the last date the item was addressed.", **values) if shown == gaps.customers_with_gaps else
               _("The {shown} customers with most gaps, out of {with_gap} with a gap; {total} customers are at "
                 "or past {stage}. Hover a cell for the last date the item was addressed.", **values))

st.subheader(_("Customers with most gaps"))
table = gaps.customers[gaps.customers["missing"] > 0].head(TABLE_ROWS)
if table.empty:
    st.success(_("Every customer got every expected response of the {stage} stage.", stage=stage_name))
else:
    view = with_labels(table).assign(
        journey=journey_link(table["customer_id"]),
        gaps=[_("{missing} of {total}", missing=m, total=t) for m, t in zip(table["missing"], table["items_total"])],
        last=table["last_on"].map(fmt_date))
    st.dataframe(view[["name", "journey", "gaps", "stage_label", "sector", "region", "account_manager",
                       "last"]], hide_index=True, width="stretch", column_config={
        "name": _("Customer"), "journey": link_column(), "gaps": _("Missing items"),
        "stage_label": _("Now in"), "sector": _("Sector"), "region": _("Region"),
        "account_manager": _("Account manager"), "last": _("Last item addressed")})
    download(table, f"checklist-gaps-{stage}")
    if len(table) < gaps.customers_with_gaps:
        st.caption(_("The first {n} customers, most gaps first.", n=len(table)))
