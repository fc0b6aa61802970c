"""What moves opinion: which of our responses go with a better opinion?"""

import pandas as pd
import streamlit as st

import crm_core
from pages.common import (
    _,
    download,
    escape_markdown,
    fmt_number,
    fmt_opinion,
    portfolio_or_stop,
    read,
    setup,
    stage_label,
)
from pages.common.charts import portfolio_filters, url_choice
from pages.common.drivers import drivers_chart, readable_drivers
from pages.common.presented import draw, presented

ctx = setup("What moves opinion", "🎯")
st.caption(_("Which of our responses move opinion? For each expected response and each mode of "
             "communication, how the customers' opinion of the stage differs where we gave it."))
portfolio_or_stop(ctx, _("There are no customers yet, so there is no opinion to explain."))
stage = url_choice(_("Stage"), crm_core.STAGES, "operational", "stage", stage_label)
filters = portfolio_filters(ctx) or None
# Keyed on the stage's responses and opinions: a save in another stage leaves this analysis warm.
analysis = ctx.scoped(crm_core.stage_scope(stage))
found = read(analysis, crm_core.opinion_drivers, stage, ctx.as_of, filters=filters)
stage_name = stage_label(stage)
if found.customers == 0:
    st.info(_("No customer matching these filters had given an opinion of the {stage} stage by then. Pick "
              "another stage or clear the filters.", stage=stage_name) if filters else
            _("No customer had given an opinion of the {stage} stage by then. Pick another stage.",
              stage=stage_name))
    st.stop()

st.markdown("**" + _("How it is measured") + ":** " + _(crm_core.DRIVERS_METHOD, n=crm_core.MIN_CUSTOMERS))
items, modes = presented(analysis, readable_drivers, stage, filters)
left, middle, right = st.columns(3)
left.metric(_("Customers with an opinion of {stage}", stage=stage_name), fmt_number(found.customers, 0),
            border=True)
middle.metric(_("Their mean latest opinion"), fmt_opinion(found.mean_opinion), border=True)
clear = items[~items["too_few"]].sort_values("difference", ascending=False)
right.metric(_("Largest difference"), fmt_opinion(clear["difference"].iloc[0]) if len(clear) else "—",
             border=True)
if len(clear):
    right.caption(_("where **{item}** was given", item=escape_markdown(clear["name"].iloc[0])))

draw(analysis, drivers_chart, stage, filters, "items")
draw(analysis, drivers_chart, stage, filters, "modes")
if items["too_few"].any() or modes["too_few"].any():
    st.caption(_("Grey bars: fewer than {n} customers on one side, too few to say anything.",
                 n=crm_core.MIN_CUSTOMERS))

st.subheader(_("The figures"), anchor=False)
table = pd.concat([items.assign(kind=_("Checklist item")), modes.assign(kind=_("Mode"))])
columns = {"kind": _("Kind"), "name": _("Response"), "customers_with": _("Customers given"),
           "mean_with": _("Mean opinion given"), "customers_without": _("Customers not given"),
           "mean_without": _("Mean opinion not given"), "difference": _("Difference"), "low": _("95% from"),
           "high": _("95% to"), "verdict": _("Reading")}
shown = table[list(columns)].rename(columns=columns).round(2)
st.dataframe(shown, hide_index=True, width="stretch")
download(shown, f"what-moves-opinion-{stage}")
