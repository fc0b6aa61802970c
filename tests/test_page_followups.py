"""Follow-ups on the pages: one click on the journey's advice makes one, "My follow-ups"
on the overview lists it, and logging the response it asks for closes it and says so."""

import datetime as dt

from fixtures import PASSWORD, TODAY, open_boxes, sign_in

import crm_core
from pages.common import fmt_date
from pages.common.followups import BOX

JOURNEY = "pages/1_Customer_journey.py"


def follow_up_buttons(page) -> list:
    return [b for b in page.button if b.label.startswith("📌 Follow up")]


def opened(page):
    """The journey with its follow-ups expander open (as a click on it opens it: the page
    reruns; what a click keeps is ``<key>:open``); closed, it holds nothing."""
    page.session_state[f"{BOX}:open"] = True
    return page.run()


def test_one_click_on_the_advice_makes_a_follow_up_that_my_follow_ups_lists(open_page, story_db):
    with crm_core.connect(story_db) as db:
        advised = crm_core.next_best_responses(db, 1).iloc[0]
    page = open_page(JOURNEY, story_db, customer="1")
    page.sidebar.text_input(key="author").input("Ana").run()
    due = dt.date.today() + dt.timedelta(days=crm_core.followups.DEFAULT_DUE_DAYS)
    [button] = follow_up_buttons(page)
    assert button.label == f"📌 Follow up (due {fmt_date(due)})"
    button.click().run()
    assert not page.exception and "Follow-up made." in [s.value for s in page.success]
    with crm_core.connect(story_db) as db:
        made = crm_core.follow_up_list(db)
    assert list(zip(made["item_key"], made["owner"], made["due_on"], made["created_by"])) == [
        (advised["item_key"], "Ana", due.isoformat(), "Ana")]
    # The advice now says who gives it by when, and the journey lists it.
    assert not follow_up_buttons(page)
    assert f"📌 Follow-up open: Ana, due {fmt_date(due)}." in [c.value for c in page.caption]
    assert page.expander[0].label.startswith("📌 1 follow-up open") and not page.expander[0].dataframe
    assert list(opened(page).expander[0].dataframe[0].value["Owner"]) == ["Ana"]

    overview = open_page("app.py", story_db)
    overview.sidebar.text_input(key="author").input("ana").run()
    assert not overview.exception
    [mine] = [table.value for table in overview.dataframe if "Follow-up" in table.value.columns]
    assert list(mine["Customer"]) == ["Acme Turbines"] and list(mine["Follow-up"]) == ["⏳ Due"]
    assert "0 overdue · 1 due · 0 done this week" in [c.value for c in overview.caption]


def test_logging_the_response_it_asks_for_closes_the_follow_up_and_says_so(open_page, story_db):
    with crm_core.connect(story_db) as db:
        made = crm_core.create_follow_up(db, 1, "ops.delays", author="Jonas")
    page = open_page("pages/5_Log_response.py", story_db, customer="1")
    page.text_input(key="author").input("Ana").run()
    page.session_state["response_items"] = ["ops.delays"]
    page.session_state["response_quality"] = 4
    page.session_state["response_completeness"] = 5
    page.text_input(key="response_summary").input("Recovery plan for the late gearboxes")
    page.button[0].click().run()
    assert [s.value for s in page.success] == [
        "Response saved for Acme Turbines. Follow-up “Plan for actual delays” closed."]
    with crm_core.connect(story_db) as db:
        closed = crm_core.follow_up_list(db).set_index("follow_up_id").loc[made]
        response = crm_core.journey(db, 1).responses.iloc[-1]
    assert (closed["status"], closed["closed_by_response"]) == ("done", response["id"])
    journey = opened(open_page(JOURNEY, story_db, customer="1"))
    assert list(journey.expander[0].dataframe[0].value["Status"]) == ["✅ Done"]


def test_a_snapshot_offers_no_follow_up_button(open_page, story_db):
    page = open_page(JOURNEY, story_db, customer="1", as_of="2025-06-30")
    assert not page.exception and [i for i in page.info if "Give next" in i.value]
    assert not follow_up_buttons(page)


def test_the_journey_reassigns_re_dates_and_closes_a_follow_up_and_undo_reopens_it(open_page, story_db):
    with crm_core.connect(story_db) as db:
        made = crm_core.create_follow_up(db, 1, "ops.delays", author="Ana")
    page = opened(open_page(JOURNEY, story_db, customer="1", tab="History"))     # where the undo button is
    page.sidebar.text_input(key="author").input("Ana").run()
    form = page.get("form")[0]
    form.text_input[0].input("Jonas")                                 # the owner
    form.date_input[0].set_value(dt.date.today() + dt.timedelta(days=20))
    form.button[0].click().run()
    assert "Follow-up changed." in [s.value for s in page.success]
    assert page.get("form")[0].text_input[0].value == "Jonas"
    page.get("form")[0].button[1].click().run()                      # Mark done
    assert "Follow-up done." in [s.value for s in page.success]
    with crm_core.connect(story_db) as db:
        changed = crm_core.follow_up_list(db).set_index("follow_up_id").loc[made]
    assert (changed["owner"], changed["due_on"], changed["status"]) == (
        "Jonas", (dt.date.today() + dt.timedelta(days=20)).isoformat(), "done")
    [undo] = [b for b in page.button if "Undo my last change" in b.label]
    undo.click().run()
    with crm_core.connect(story_db) as db:
        assert crm_core.follow_up_list(db)["status"].tolist() == ["open"]
    assert not page.exception
    undo.click().run()                                                 # back to Ana, whatever was typed
    assert page.get("form")[0].text_input[0].value == "Ana"


def test_a_viewer_sees_the_advice_without_the_follow_up_button(open_page, locked_db):
    page = sign_in(open_page(JOURNEY, locked_db, customer="1"), "vera", PASSWORD)
    assert not page.exception and [i for i in page.info if "Give next" in i.value]
    [button] = follow_up_buttons(page)
    assert button.disabled


def test_a_service_event_that_gives_the_item_says_it_closed_the_follow_up(open_page, story_db):
    with crm_core.connect(story_db) as db:
        crm_core.move_stage(db, 1, "post_deal", "2025-06-01", today=TODAY)
        crm_core.open_case(db, 1, "2025-08-10 09:00", "Turbine trips", "critical", now=dt.datetime(2025, 8, 10, 9))
        crm_core.create_follow_up(db, 1, "post.immediate_reply", author="Ana", today=dt.date(2025, 8, 10))
    page = open_boxes(open_page("pages/8_Service_and_promises.py", story_db, customer="1"), "event_box")
    page.session_state["event_day"] = dt.date(2025, 8, 10)
    page.session_state["event_time"] = dt.time(9, 45)
    [b for b in page.button if b.label == "Save"][0].click().run()
    assert not page.exception
    assert "Saved; the clock and the checklist agree. Follow-up “Immediate reply to abnormal functioning” " \
           "closed." in [s.value for s in page.success]
