"""Adding and editing customers: profile and contacts, with errors next to the field."""


import crm_core

PAGE = "pages/6_Customers.py"


def test_a_new_customer_with_a_contact_is_added(open_page, story_db):
    page = open_page(PAGE, story_db)
    assert not page.exception
    page.text_input(key="customer:0:name").input("Delta <i>Hydro</i> & Sons")
    page.session_state["customer:0:sector"] = "Energy"
    page.session_state["customer:0:contacts"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"name": "Inés Ortega", "role": "CTO", "email": "ines@delta.example"}]}
    page.button[0].click().run()
    assert [s.value for s in page.success] == ["Added Delta <i>Hydro</i> & Sons."]
    with crm_core.connect(story_db) as db:
        delta = crm_core.portfolio(db).set_index("name").loc["Delta <i>Hydro</i> & Sons"]
        journey = crm_core.journey(db, int(delta["customer_id"]))
    assert delta["sector"] == "Energy" and delta["stage"] == "pre_deal"
    assert journey.contacts.iloc[0]["email"] == "ines@delta.example"


def test_a_duplicate_name_is_refused_next_to_the_name_and_the_form_keeps_its_values(open_page, story_db):
    page = open_page(PAGE, story_db)
    page.text_input(key="customer:0:name").input("acme TURBINES")
    page.text_area(key="customer:0:notes").input("Met at the fair")
    page.button[0].click().run()
    assert [e.value for e in page.error] == ["Name: another customer already has this name"]
    assert page.text_input(key="customer:0:name").value == "acme TURBINES"
    assert page.text_area(key="customer:0:notes").value == "Met at the fair"


def test_editing_keeps_the_profile_and_changes_what_was_typed(open_page, story_db):
    page = open_page(PAGE, story_db, customer="2")
    assert page.text_input(key="customer:2:name").value == "Borealis Rail"
    page.text_area(key="customer:2:notes").input("Needs a winter maintenance window (never asked before)")
    page.button[0].click().run()
    with crm_core.connect(story_db) as db:
        customer = crm_core.journey(db, 2).customer
    assert customer["notes"].startswith("Needs a winter") and customer["sector"] == "Rail & transport"


def test_after_adding_a_customer_the_page_links_to_logging_its_first_response(open_page, story_db):
    page = open_page("app.py", story_db).switch_page("pages/6_Customers.py").run()   # app.py resolves the link
    page.text_input(key="customer:0:name").input("Delta Hydro")
    page.button[0].click().run()
    assert [s.value for s in page.success] == ["Added Delta Hydro."]
    with crm_core.connect(story_db) as db:
        delta = int(crm_core.portfolio(db).set_index("name").loc["Delta Hydro", "customer_id"])
    links = [link.proto for link in page.main.page_link]
    assert [(link.label, link.page) for link in links] == [("Log a response for this customer", "Log_response")]
    assert f"customer={delta}" in links[0].query_string
