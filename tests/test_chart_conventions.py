"""Charts that explain themselves: time axes in the page's language with years, line
styles in the legend, the waterfall named, no mode in the colour that means negative,
and the readings of "what moves opinion" told apart."""

import colorsys
import json

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

import crm_core
from crm_core import i18n
from pages.common import drivers

JOURNEY = "pages/1_Customer_journey.py"


def specs(page) -> list[dict]:
    """The Vega-Lite spec of every chart the page drew."""
    return [json.loads(chart.proto.spec) for chart in page.get("vega_lite_chart")]


def walk(spec):
    """Every dictionary inside ``spec`` (layers, facets and encodings included)."""
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from walk(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from walk(value)


def time_encodings(spec: dict) -> list[dict]:
    return [part["x"] for part in walk(spec) if isinstance(part.get("x"), dict) and part["x"].get("type") == "temporal"]


def customer_with_history(db) -> int:
    """A demo customer past delivery (so the journey shows its scores and timeline charts)."""
    table = crm_core.portfolio(db)
    return int(table[table["stage"] == "post_deal"]["customer_id"].iloc[0])


@pytest.mark.parametrize("lang", ["fr", "es", "id"])
def test_the_journey_charts_name_the_months_in_the_page_language_with_years(open_page, demo_db, lang):
    with crm_core.connect(demo_db) as db:
        customer_id = customer_with_history(db)
    page = open_page(JOURNEY, demo_db, customer=str(customer_id), lang=lang)
    assert not page.exception
    axes = [x for spec in specs(page) for x in time_encodings(spec)]
    assert len(axes) >= 2          # the scores chart and the timeline
    names = json.dumps(i18n.month_abbreviations(lang))
    for x in axes:
        assert names in x["axis"]["labelExpr"] and "year(datum.value)" in x["axis"]["labelExpr"]
        assert "format" not in x["axis"]  # no English month names from Vega's own formats


def test_the_opinion_against_score_legend_draws_the_line_styles(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        customer_id = customer_with_history(db)
    page = open_page(JOURNEY, demo_db, customer=str(customer_id))
    styled = [part for spec in specs(page) for part in walk(spec)
              if isinstance(part.get("encoding"), dict) and "strokeDash" in part["encoding"]]
    assert styled
    # a line with points would draw its legend's symbols as points, which show no line style
    assert all(not (isinstance(part["mark"], dict) and part["mark"].get("point")) for part in styled)
    dashes = [part["encoding"]["strokeDash"] for part in styled]
    for dash in dashes:
        assert dash["legend"]["symbolType"] == "stroke"
        solid, dashed = dash["scale"]["range"]
        assert solid != dashed
    assert dashes[0]["scale"]["domain"] == ["Customer's opinion", "Our response score"]


def test_the_first_journey_chart_says_it_is_a_waterfall(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        customer_id = customer_with_history(db)
    waterfall = specs(open_page(JOURNEY, demo_db, customer=str(customer_id)))[0]
    assert "waterfall" in " ".join(waterfall["title"]["subtitle"]).lower()


def hue(colour: str) -> float:
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(red, green, blue)[0] * 360


def test_no_mode_is_drawn_in_the_negative_red():
    negative = crm_core.catalogue.NEGATIVE_COLOUR
    assert crm_core.catalogue.OPINION_BAND_COLOURS["negative"] == negative == drivers.CLEAR["lower"]
    for mode, colour in crm_core.MODE_COLOURS.items():
        assert colour.upper() != negative.upper(), mode
        assert 20 < hue(colour) < 340, mode          # not a red of any shade


def luminance(colour: str) -> float:
    """The relative luminance of WCAG 2."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_two_greys_of_what_moves_opinion_can_be_told_apart():
    dark, pale = sorted((luminance(drivers.CLEAR["unclear"]), luminance(drivers.CLEAR["too_few"])))
    assert (pale + 0.05) / (dark + 0.05) >= 3      # WCAG's contrast for graphics


# Every place a page draws a chart through ``presented.draw`` (which skips Altair's schema
# check on the page's run), opened on the demo portfolio.
DRAWN = [("app.py", {}), (JOURNEY, {}), ("pages/2_Checklist_gaps.py", {}), ("pages/3_Opinion_trends.py", {}),
         ("pages/3_Opinion_trends.py", {"view": "Movers"}), ("pages/3_Opinion_trends.py", {"view": "Self-assessment"}),
         ("pages/4_Response_quality.py", {}),
         ("pages/8_Service_and_promises.py", {}), ("pages/10_Outcomes.py", {}), ("pages/11_What_moves_opinion.py", {})]


@pytest.mark.parametrize("page_file, params", DRAWN)
def test_every_chart_a_page_draws_is_valid_vega_lite(open_page, demo_db, page_file, params):
    if page_file == JOURNEY:
        with crm_core.connect(demo_db) as db:
            params = {"customer": str(customer_with_history(db))}
    page = open_page(page_file, demo_db, **params)
    assert not page.exception
    drawn = specs(page)
    assert drawn
    for spec in drawn:
        validate_jsonschema(spec, load_schema())   # raises, naming what is wrong
