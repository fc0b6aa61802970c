"""The "What moves opinion" page and the next best response on the journey, checked
against crm_core on the demo portfolio; a friendly message where there is nothing."""

import crm_core
from crm_core import analysis

PAGE = "pages/11_What_moves_opinion.py"


def metrics(page) -> dict[str, str]:
    return {m.label: m.value for m in page.metric}


def demo_drivers(path, stage, **kwargs):
    with crm_core.connect(path) as db:
        return crm_core.opinion_drivers(db, stage, **kwargs)


def test_the_page_shows_each_items_difference_and_counts_from_crm_core(open_page, demo_db):
    page = open_page(PAGE, demo_db)
    assert not page.exception
    found = demo_drivers(demo_db, "operational")
    assert metrics(page)["Customers with an opinion of Operational"] == str(found.customers)
    table = page.dataframe[0].value
    items = table[table["Kind"] == "Checklist item"].set_index("Response")
    delays = found.items.set_index("item_key").loc["ops.delays"]
    shown = items.loc["Plan for actual delays"]
    assert shown["Customers given"] == delays["customers_with"]
    assert shown["Customers not given"] == delays["customers_without"]
    assert shown["Difference"] == round(delays["difference"], 2)
    assert shown["Reading"] == "higher where given"
    assert list(table[table["Kind"] == "Mode"]["Response"]) == ["Face to face", "Phone", "Email / fax"]
    # the demo's silent-delays accounts: a delay plan goes with a clearly better opinion
    assert delays["low"] > 0 and not delays["too_few"]
    best = found.items[~found.items["too_few"]].sort_values("difference").iloc[-1]
    assert best["item_key"] == "ops.delays"
    assert metrics(page)["Largest difference"] == f"+{best['difference']:.1f}"


def test_the_method_is_stated_in_one_sentence(open_page, demo_db):
    page = open_page(PAGE, demo_db)
    text = " ".join(m.value for m in page.markdown)
    assert "latest opinion" in text and "95% interval" in text
    assert f"fewer than {analysis.MIN_CUSTOMERS} customers" in text


def test_stage_and_filters_come_from_the_url_and_too_few_is_said(open_page, demo_db):
    page = open_page(PAGE, demo_db, stage="post_deal", sector="Energy")
    found = demo_drivers(demo_db, "post_deal", filters={"sector": ["Energy"]})
    assert metrics(page)["Customers with an opinion of Post-deal"] == str(found.customers)
    assert found.customers < 2 * analysis.MIN_CUSTOMERS
    readings = page.dataframe[0].value["Reading"]
    assert set(readings) == {"too few to say"}
    assert any("too few to say" in c.value for c in page.caption)


def test_the_snapshot_day_is_respected(open_page, demo_db):
    page = open_page(PAGE, demo_db, as_of="2025-12-31")
    found = demo_drivers(demo_db, "operational", as_of="2025-12-31")
    assert found.customers != demo_drivers(demo_db, "operational").customers
    assert metrics(page)["Customers with an opinion of Operational"] == str(found.customers)


def test_an_empty_database_gets_a_friendly_next_step(open_page, empty_db):
    page = open_page(PAGE, empty_db)
    assert not page.exception
    assert "no opinion to explain" in page.info[0].value
    assert not page.metric


def test_the_journey_names_the_next_best_response(open_page, demo_db):
    with crm_core.connect(demo_db) as db:
        table = crm_core.portfolio(db)
        operational = table[table["stage"] == "operational"]["customer_id"]
        ranking = {int(c): crm_core.next_best_responses(db, int(c)) for c in sorted(operational)}
    # the demo's silent-delay accounts in operation: the delay plan is what they miss most
    customer_id, ranked = next((c, r) for c, r in ranking.items() if list(r["item_key"][:1]) == ["ops.delays"])
    page = open_page("pages/1_Customer_journey.py", demo_db, customer=str(customer_id))
    assert not page.exception
    advice = [i.value for i in page.info if "Give next" in i.value]
    assert advice == [f"Give next: **Plan for actual delays** (+{ranked['difference'].iloc[0]:.1f} opinion "
                      "where given)."]


def test_journeys_of_customers_in_the_same_stage_share_one_analysis_of_it(open_page, story_db, monkeypatch):
    calls = []
    original = crm_core.opinion_drivers

    def counted(db, stage, *args, **kwargs):
        calls.append(stage)
        return original(db, stage, *args, **kwargs)

    monkeypatch.setattr(crm_core, "opinion_drivers", counted)
    for customer in ("2", "3"):                      # Borealis and Cobalt, both in pre-deal
        page = open_page("pages/1_Customer_journey.py", story_db, customer=customer)
        assert [i.value for i in page.info if i.value.startswith("Give next")]
    assert calls == ["pre_deal"]
