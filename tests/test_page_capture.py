"""The log page's capture: a dropped mail or invite fills the response form (customer,
stage, day, mode, summary); the user adds the ratings and saves; nothing is saved
before; several files make a review list; a bad file gets its reason."""

import datetime as dt

import crm_core
from fixtures import invite_bytes, mail_bytes

PAGE = "pages/5_Log_response.py"


def responses(db_path):
    with crm_core.connect(db_path) as db:
        return crm_core.export_table(db, "responses")


def drop(page, *files):
    for name, data in files:
        page.file_uploader[0].upload(name, data, "application/octet-stream")
    return page.run()


def save_with_ratings(page, quality=4, completeness=3):
    """The three interactions after the drop: quality, completeness, save."""
    page.session_state["response_quality"] = quality
    page.session_state["response_completeness"] = completeness
    save = next(b for b in page.button if b.label == "Save response")
    return save.click().run()


def test_a_dropped_mail_fills_the_form_and_saves_with_the_ratings_only(open_page, capture_db):
    page = open_page(PAGE, capture_db)
    page.text_input(key="author").input("Ana").run()
    before = len(responses(capture_db))
    drop(page, ("delay.eml", mail_bytes()))
    assert not page.exception
    assert page.file_uploader[0].value == []                          # ready for the next files
    assert page.query_params["customer"] == "1"
    assert page.selectbox(key="customer_pick").value == 1
    assert (page.session_state["response_stage"], page.session_state["response_mode"]) == ("operational", "email_fax")
    assert page.session_state["response_date"] == dt.date(2025, 6, 3)
    assert page.text_input(key="response_summary").value.startswith("Delay plan for the turbine hall — Thanks")
    assert len(responses(capture_db)) == before                       # nothing saved by the drop
    save_with_ratings(page)
    assert [s.value for s in page.success] == ["Response saved for Acme Turbines."]
    last = responses(capture_db).iloc[-1]
    assert (last["customer"], last["stage"], last["responded_on"], last["mode"], last["quality"],
            last["completeness"]) == ("Acme Turbines", "operational", "2025-06-03", "email_fax", 4, 3)
    assert last["summary"].startswith("Delay plan for the turbine hall")


def test_a_dropped_invite_logs_a_meeting_with_its_attendees_customer(open_page, capture_db):
    page = open_page(PAGE, capture_db)
    page.text_input(key="author").input("Ana").run()
    drop(page, ("visit.ics", invite_bytes()))
    assert page.selectbox(key="customer_pick").value == 2
    save_with_ratings(page, 5, 4)
    last = responses(capture_db).iloc[-1]
    assert (last["customer"], last["stage"], last["responded_on"], last["mode"], last["summary"]) == (
        "Borealis Rail", "pre_deal", "2025-06-04", "face_to_face", "Site visit: commissioning review")


def test_several_files_make_a_review_list_used_or_skipped_one_by_one(open_page, capture_db):
    page = open_page(PAGE, capture_db)
    page.text_input(key="author").input("Ana").run()
    drop(page, ("a.eml", mail_bytes(subject="First")), ("b.eml", mail_bytes(subject="Second", body="")),
         ("c.ics", invite_bytes(summary="Third")))
    rows = [m.value for m in page.markdown if m.value.startswith(("📧", "📅"))]
    assert len(rows) == 3 and "**▶**" in rows[0]
    page.button(key="capture_skip:1").click().run()                   # "Second" is skipped
    save_with_ratings(page)
    assert responses(capture_db).iloc[-1]["summary"].startswith("First")
    # The saved one left the list; the next (the invite) now fills the form.
    rows = [m.value for m in page.markdown if m.value.startswith(("📧", "📅"))]
    assert len(rows) == 1 and rows[0].startswith("📅 **▶**")
    assert page.text_input(key="response_summary").value == "Third"
    assert page.selectbox(key="customer_pick").value == 2


def test_an_unknown_sender_leaves_the_customer_to_pick_and_says_so(open_page, capture_db):
    page = open_page(PAGE, capture_db)
    drop(page, ("who.eml", mail_bytes(sender="x@unknown-company.org")))
    assert page.selectbox(key="customer_pick").value is None
    assert "no customer has a contact with these addresses: pick the customer" in [c.value for c in page.caption]
    assert page.session_state["response_summary"].startswith("Delay plan")


def test_a_pasted_mail_source_fills_the_form(open_page, capture_db):
    page = open_page(PAGE, capture_db)
    page.text_area(key="capture_source").input(mail_bytes(subject="Pasted").decode()).run()
    assert page.selectbox(key="customer_pick").value == 1
    assert page.text_input(key="response_summary").value.startswith("Pasted — ")


def test_a_bad_file_gets_its_reason_in_the_language_of_the_page(open_page, capture_db):
    page = open_page(PAGE, capture_db, lang="fr")
    drop(page, ("mail.msg", b"\xd0\xcf\x11\xe0"), ("ok.eml", mail_bytes()))
    assert not page.exception
    (error,) = page.error
    assert "mail.msg" in error.value and ".eml" in error.value and "Outlook" in error.value
    assert error.value != ("mail.msg is an Outlook .msg file: save the mail as .eml (File, Save as) and drop that")
    assert page.selectbox(key="customer_pick").value == 1               # the good file still counts
