"""The two undocumented third-party functions the product leans on, each kept behind one
function of ours. These tests fail loudly when an upgrade changes them, instead of a page
silently drawing something else."""

import altair as alt
import pandas as pd
from streamlit.testing.v1 import AppTest

from crm_core import i18n

CHART_SCRIPT = """
import altair as alt
import pandas as pd
import streamlit as st
from pages.common.presented import vega_lite_spec

data = pd.DataFrame({"month": ["2026-01", "2026-02"], "responses": [3, 5]})
chart = alt.Chart(data, title="Responses").mark_bar().encode(x="month:N", y="responses:Q")
st.altair_chart(chart)
st.vega_lite_chart(spec=vega_lite_spec(chart))
"""


def test_a_cached_chart_spec_draws_exactly_what_st_altair_chart_draws():
    page = AppTest.from_string(CHART_SCRIPT).run()
    assert not page.exception
    drawn, cached = (element.proto for element in page.get("vega_lite_chart"))
    assert cached.spec == drawn.spec and cached.spec
    assert [d.data.data for d in cached.datasets] == [d.data.data for d in drawn.datasets]
    assert len(drawn.datasets) == 1   # the data travels as an Arrow dataset, not inline


def test_vega_lite_spec_is_a_json_spec_with_named_datasets():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    from pages.common.presented import vega_lite_spec

    spec = vega_lite_spec(chart)
    assert isinstance(spec, dict) and spec["mark"]["type"] == "point" and "datasets" in spec


def test_the_plural_rule_of_every_catalogue_picks_the_right_form():
    # Plural-Forms of the .po files: es and fr have two forms (fr: 0 and 1 are singular), id one.
    expected = {"es": [1, 0, 1, 1], "fr": [0, 0, 1, 1], "id": [0, 0, 0, 0]}
    for lang, forms in expected.items():
        assert [i18n._plural_rule(lang)(n) for n in (0, 1, 2, 5)] == forms, lang
