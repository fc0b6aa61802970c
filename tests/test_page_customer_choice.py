"""The customer choice of the journey, log, service and outcomes pages and the Customers
page's edit box: a small portfolio is offered whole; past ``PICKER_OPTIONS`` customers a
search box narrows the choice, so a run never ships every name, and the customer of the
link is always among the options."""

import pytest
from fixtures import TODAY, new_location

import crm_core
from pages.common.forms import PICKER_OPTIONS

JOURNEY = "pages/1_Customer_journey.py"


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    path = new_location(tmp_path_factory.mktemp("large") / "large.db")
    with crm_core.connect(path) as db:
        for n in range(PICKER_OPTIONS + 50):
            crm_core.add_customer(db, {"name": f"Customer {n:03d}", "created_on": "2026-01-05"}, today=TODAY)
    return path


def test_a_small_portfolio_is_offered_whole_without_a_search_box(open_page, story_db):
    page = open_page(JOURNEY, story_db)
    assert page.selectbox(key="customer_pick").options == ["Acme Turbines", "Borealis Rail", "Cobalt Mining"]
    assert not [box for box in page.text_input if box.key == "customer_search"]


def test_a_large_portfolio_ships_at_most_the_limit_and_the_links_customer(open_page, large_db):
    with crm_core.connect(large_db) as db:
        last = int(crm_core.customer_names(db)["customer_id"].iloc[-1])
    page = open_page(JOURNEY, large_db, customer=str(last))
    assert not page.exception
    options = page.selectbox(key="customer_pick").options
    assert len(options) == PICKER_OPTIONS and options[0] == f"Customer {PICKER_OPTIONS + 49:03d}"
    assert page.selectbox(key="customer_pick").value == last
    assert page.header[0].value == f"Customer {PICKER_OPTIONS + 49:03d}"


def test_typing_narrows_the_choice_and_picking_opens_the_journey(open_page, large_db):
    page = open_page(JOURNEY, large_db)
    page.text_input(key="customer_search").input("customer 24").run()
    assert page.selectbox(key="customer_pick").options == [f"Customer 24{n}" for n in range(10)]
    with crm_core.connect(large_db) as db:
        wanted = int(crm_core.find_customers(db, "Customer 245")[0]["customer_id"].iloc[0])
    page.selectbox(key="customer_pick").select(wanted).run()
    assert not page.exception and page.header[0].value == "Customer 245"
    assert page.query_params["customer"] in (str(wanted), [str(wanted)])


def test_the_customers_page_edit_box_is_narrowed_the_same_way(open_page, large_db):
    with crm_core.connect(large_db) as db:
        last = int(crm_core.customer_names(db)["customer_id"].iloc[-1])
    page = open_page("pages/6_Customers.py", large_db, customer=str(last))
    assert not page.exception
    box = page.selectbox(key=f"pick:{last}")
    assert len(box.options) == PICKER_OPTIONS + 1 and box.options[:2] == [
        "➕ New customer", f"Customer {PICKER_OPTIONS + 49:03d}"]
    assert box.value == last and page.text_input(key=f"customer:{last}:name").value == box.options[1]
    page.text_input(key="edit_search").input("customer 24").run()
    assert page.selectbox(key=f"pick:{last}").options == ["➕ New customer", *[f"Customer 24{n}" for n in range(10)]]
