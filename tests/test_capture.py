"""A response drafted from an e-mail or a calendar invite: day, mode, summary, the
customer from the addresses, the stage; hostile files refused with a reason."""

import datetime as dt

import pytest

import crm_core
from crm_core import capture
from fixtures import TODAY, invite_bytes, mail_bytes


def draft_of(db_path, data: bytes, name: str) -> capture.Draft:
    with crm_core.connect(db_path) as db:
        (found,) = capture.drafts(db, data, name)
    return found


def local(text: str) -> dt.datetime:
    """An aware ISO date-time as the server's local wall time (what a draft holds)."""
    return dt.datetime.fromisoformat(text).astimezone().replace(tzinfo=None)


def test_a_mail_from_a_contact_drafts_an_email_response_to_that_customer_in_its_stage(capture_db):
    draft = draft_of(capture_db, mail_bytes(), "delay.eml")
    assert (draft.kind, draft.mode, draft.customer_id, draft.stage) == ("email", "email_fax", 1, "operational")
    assert draft.when == local("2025-06-03T09:15:00+00:00")
    assert draft.summary == ("Delay plan for the turbine hall — Thanks for the revised plan. "
                             "We agree with the new dates.")
    assert draft.addresses == ("ines.ortiz@acme-turbines.com", "ana@supplier.example")
    assert draft.notes == ()


def test_a_mail_we_sent_finds_the_customer_among_the_recipients_and_by_domain(capture_db):
    draft = draft_of(capture_db, mail_bytes(sender="Ana <ana@supplier.example>",
                                            to="Nils <nils@borealis-rail.eu>"), "sent.eml")
    assert (draft.customer_id, draft.candidates, draft.stage) == (2, (2,), "pre_deal")


def test_public_domains_match_no_customer_and_an_unknown_sender_asks_for_the_customer(capture_db):
    for sender in ("Someone <someone@gmail.com>", "x@unknown-company.org"):
        draft = draft_of(capture_db, mail_bytes(sender=sender), "who.eml")
        assert (draft.customer_id, draft.candidates, draft.stage) == (None, (), None)
        assert draft.notes == ("no customer has a contact with these addresses: pick the customer",)


def test_addresses_of_several_customers_ask_which_one(capture_db):
    draft = draft_of(capture_db, mail_bytes(to="lars@borealis-rail.eu, ines.ortiz@acme-turbines.com",
                                            sender="ana@supplier.example"), "both.eml")
    assert (draft.customer_id, draft.candidates) == (None, (2, 1))
    assert draft.notes == ("the addresses belong to several customers: pick the customer",)


def test_an_html_mail_is_reduced_to_text_without_its_scripts_or_styles(capture_db):
    markup = ("<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
              "<p>Spare parts <b>quoted</b> at &euro;1,200.</p><script>document.cookie</script>"
              "<img src=x onerror=alert(1)></body></html>")
    data = mail_bytes(subject="Spares", body="", html=markup)
    for message in (data, data.replace(b"Content-Type: text/plain", b"Content-Type: text/x-unused")):
        draft = draft_of(capture_db, message, "spares.eml")
        assert "alert" not in draft.summary and "cookie" not in draft.summary and "<" not in draft.summary
    only_html = mail_bytes(subject="Spares", body="x").replace(b"text/plain", b"text/html")
    assert draft_of(capture_db, only_html, "h.eml").summary == "Spares — x"


def test_encoded_headers_latin1_bodies_and_unknown_charsets_are_read(capture_db):
    data = mail_bytes(subject="Réunion: délai", body="Très bien, merci.", charset="iso-8859-1")
    assert b"=?" in data                     # the subject travels as an encoded word
    assert draft_of(capture_db, data, "fr.eml").summary == "Réunion: délai — Très bien, merci."
    lying = mail_bytes(body="plain words").replace(b'charset="utf-8"', b'charset="x-no-such-charset"')
    assert draft_of(capture_db, lying, "odd.eml").summary.endswith("plain words")


def test_quoted_lines_are_left_out_and_a_long_summary_is_cut_at_a_word(capture_db):
    body = "Agreed.\n> old text we wrote\n" + "word " * 200
    draft = draft_of(capture_db, mail_bytes(body=body), "long.eml")
    assert "old text" not in draft.summary
    assert len(draft.summary) <= capture.SUMMARY_LENGTH + 1 and draft.summary.endswith("word…")


def test_a_mail_without_a_date_says_so(capture_db):
    draft = draft_of(capture_db, mail_bytes(date=""), "nodate.eml")
    assert draft.when is None and "the mail says no date: today is proposed" in draft.notes


def test_an_invite_gives_the_meeting_day_the_attendees_customer_and_face_to_face(capture_db):
    with crm_core.connect(capture_db) as db:
        (draft,) = capture.drafts(db, invite_bytes(), "visit.ics")
    assert (draft.kind, draft.mode, draft.customer_id, draft.stage) == ("invite", "face_to_face", 2, "pre_deal")
    assert draft.when == local("2025-06-04T14:00:00+00:00")
    assert draft.summary == "Site visit: commissioning review"


@pytest.mark.parametrize("where", [
    {"location": "Microsoft Teams Meeting",
     "description": "Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting"},
    {"location": "https://zoom.us/j/123456789"},
    {"location": "Online", "description": "Dial-in: +47 21 00 00 00, conference ID 1234"},
    {"location": "tel:+4721000000"},
], ids=["teams", "zoom", "dial-in", "tel"])
def test_a_call_link_or_dial_in_makes_the_meeting_a_phone_response(capture_db, where):
    assert draft_of(capture_db, invite_bytes(**where), "call.ics").mode == "phone"


def test_a_calendar_with_two_meetings_gives_two_drafts(capture_db):
    lines = invite_bytes().decode().split("\r\n")
    event = "\r\n".join(lines[4:-2]).replace("meeting-1", "meeting-2").replace("Site visit", "Follow-up")
    two = "\r\n".join(lines[:-2]) + "\r\n" + event + "\r\nEND:VCALENDAR\r\n"
    with crm_core.connect(capture_db) as db:
        found = capture.drafts(db, two.encode(), "two.ics")
    assert [d.summary for d in found] == ["Site visit: commissioning review", "Follow-up: commissioning review"]


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.eml", "empty.eml is empty"),
    (b"x" * (capture.MAX_BYTES + 1), "huge.eml", "huge.eml is larger than 5 MB"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "photo.eml", "is not an e-mail"),
    (b"just some words, no headers", "words.eml", "is not an e-mail"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n", "bad.ics", "is not a calendar invite"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "none.ics", "holds no meeting"),
    (b"\xd0\xcf\x11\xe0outlook", "mail.msg", "save the mail as .eml"),
], ids=["empty", "huge", "binary", "no-headers", "malformed-ics", "no-event", "msg"])
def test_hostile_or_unreadable_files_are_refused_with_a_reason(capture_db, data, name, message):
    with crm_core.connect(capture_db) as db, pytest.raises(crm_core.ValidationError, match=message) as refused:
        capture.drafts(db, data, name)
    assert refused.value.field == "file"


def test_a_draft_writes_nothing(capture_db):
    with crm_core.connect(capture_db) as db:
        before = crm_core.export_table(db, "responses").shape
        capture.drafts(db, mail_bytes(), "delay.eml")
        capture.drafts(db, invite_bytes(), "visit.ics")
        assert crm_core.export_table(db, "responses").shape == before


def test_a_domain_with_like_wildcards_matches_only_itself(capture_db):
    with crm_core.connect(capture_db) as db:
        crm_core.update_customer(db, 3, {"name": "Cobalt Mining", "sector": "Mining", "region": "Iberia",
                                         "account_manager": "Ana"},
                                 [{"name": "Buyer", "email": "buyer@cobalt_mining.example.org"}], today=TODAY)
        (underscore,) = capture.drafts(db, mail_bytes(sender="new@cobalt_mining.example.org"), "u.eml")
        (wildcard,) = capture.drafts(db, mail_bytes(sender="new@%.org"), "w.eml")
        (one_letter_off,) = capture.drafts(db, mail_bytes(sender="new@cobaltxmining.example.org"), "x.eml")
    assert underscore.customer_id == 3
    assert (wildcard.candidates, one_letter_off.candidates) == ((), ())
