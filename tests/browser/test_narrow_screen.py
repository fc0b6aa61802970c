"""At 1366 × 768 (a common laptop) the overview and Outcomes show every headline figure, its
label and the overview's period choice whole: nothing cut or ellipsised."""

from __future__ import annotations

import pytest
from fixtures import wait_until_idle
from playwright.sync_api import Page, expect

# Elements of a key figure whose text must fit: the card's label and its value, with every
# element inside them (Streamlit truncates with an ellipsis on an inner element).
CUT = """elements => elements.flatMap(element => [element, ...element.querySelectorAll('*')])
    .filter(e => e.scrollWidth > e.clientWidth + 1 && e.textContent.trim())
    .map(e => e.textContent.trim())"""


def cut_texts(page: Page, test_id: str) -> list[str]:
    return page.get_by_test_id(test_id).evaluate_all(CUT)


@pytest.mark.parametrize("path, figures", [("/", 4), ("/Outcomes", 5)])
def test_every_headline_figure_shows_whole_at_1366(server, page, path, figures):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(server.url + path)
    expect(page.get_by_test_id("stMetricValue")).to_have_count(figures)
    wait_until_idle(page)
    assert cut_texts(page, "stMetricValue") == []
    assert cut_texts(page, "stMetricLabel") == []
    if path == "/":
        choice = page.get_by_test_id("stButtonGroup").filter(has_text="365 days")
        expect(choice.get_by_text("365 days", exact=True)).to_be_visible()
        assert choice.evaluate_all(CUT) == []
