"""A response drafted from an e-mail (``.eml``, or its source pasted) or a calendar
invite (``.ics``): its day and time, mode, summary, the customer its addresses belong
to and that customer's current stage. A draft is only a proposal: the log form shows
it, the user checks the checklist items and ratings, and the one write path
(``writes.log_response``) saves it. Nothing here writes.

Hostile input is expected: files over ``MAX_BYTES``, malformed headers, unknown
charsets, HTML bodies (reduced to text by a parser that never runs or renders
anything; scripts and styles are dropped). Outlook's ``.msg`` is refused with
advice: the readers that exist are GPL-licensed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import html.parser
import re
from dataclasses import dataclass, replace

import icalendar

from .i18n import N_
from .storage import capture_queries, commands
from .validation import MAX_TEXT, ValidationError

MAX_BYTES = 5_000_000
# A mail's summary: its subject, then the first lines of its text up to this length.
SUMMARY_LENGTH = 300
# Addresses of these domains say nothing about the company a person works for.
PUBLIC_DOMAINS = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
                            "icloud.com", "me.com", "aol.com", "gmx.net", "gmx.de", "web.de", "proton.me",
                            "protonmail.com", "yandex.ru", "mail.ru", "example.com"})
# A meeting held over a line: a dial-in number or a call link says "phone".
CALL_SIGNS = re.compile(r"teams\.microsoft\.com|zoom\.us|meet\.google\.com|webex\.com|gotomeeting|whereby\.com|"
                        r"\btel:|dial[- ]?in|conference id|meeting id|\+\d[\d ()-]{7,}\d", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """What a message proposes. ``kind``: ``email`` or ``invite``; ``when``: its day and
    time (None when it says none); ``addresses``: every address it names, lower case;
    ``customer_id``: the one customer they match (None when none or several);
    ``candidates``: every customer they match; ``stage``: that customer's current stage."""

    source: str
    kind: str
    when: dt.datetime | None
    mode: str
    summary: str
    addresses: tuple[str, ...] = ()
    customer_id: int | None = None
    candidates: tuple[int, ...] = ()
    stage: str | None = None
    notes: tuple[str, ...] = ()


def drafts(db, data: bytes, filename: str) -> list[Draft]:
    """The drafts of one file (``.eml``, ``.ics``, or text holding a mail's source):
    one per mail, one per event of an invite. Raises ``ValidationError`` (field
    ``file``) saying what is wrong with a file that cannot be read."""
    name = filename.lower()
    if len(data) > MAX_BYTES:
        raise ValidationError("file", N_("{file} is larger than {mb} MB"), file=filename, mb=MAX_BYTES // 1_000_000)
    if name.endswith(".msg"):
        raise ValidationError("file", N_("{file} is an Outlook .msg file: save the mail as .eml (File, Save as) "
                                         "and drop that"), file=filename)
    if not data.strip():
        raise ValidationError("file", N_("{file} is empty"), file=filename)
    if name.endswith((".ics", ".ical", ".ifb")) or data.lstrip()[:15].upper() == b"BEGIN:VCALENDAR":
        return [_matched(db, draft) for draft in read_invite(data, filename)]
    return [_matched(db, read_mail(data, filename))]


def read_mail(data: bytes, source: str) -> Draft:
    """A mail's draft without its customer: date and time from ``Date``, the summary from
    the subject and the first lines, every address of From/To/Cc. Raises ``ValidationError``
    when the bytes hold no mail headers."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not message.keys() or not any(message.get(h) for h in ("From", "To", "Subject", "Date")):
        raise ValidationError("file", N_("{file} is not an e-mail (no From, To, Subject or Date header)"),
                              file=source)
    subject = _header(message, "Subject")
    body = _body_text(message)
    first_lines = " ".join(line.strip() for line in body.splitlines()
                           if line.strip() and not line.lstrip().startswith(">"))
    summary = " — ".join(part for part in (subject, first_lines) if part)
    notes = []
    when = _mail_date(_header(message, "Date"))
    if when is None:
        notes.append(N_("the mail says no date: today is proposed"))
    addresses = _addresses([_header(message, h) for h in ("From", "Sender", "Reply-To", "To", "Cc")])
    return Draft(source, "email", when, "email_fax", _shortened(summary), addresses, notes=tuple(notes))


def read_invite(data: bytes, source: str) -> list[Draft]:
    """An invite's drafts without their customer, one per event: its start, the title as
    summary, the attendees' and organiser's addresses, phone when it names a dial-in or a
    call link, else face to face. Raises ``ValidationError`` for a calendar that cannot
    be read or holds no event."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # icalendar raises ValueError and others for malformed content lines
        raise ValidationError("file", N_("{file} is not a calendar invite that can be read"), file=source) from None
    events = calendar.walk("VEVENT")
    if not events:
        raise ValidationError("file", N_("{file} holds no meeting"), file=source)
    found = []
    for event in events:
        start = event.get("DTSTART")
        when = start.dt if start is not None else None
        if isinstance(when, dt.datetime):
            when = _local(when)
        elif isinstance(when, dt.date):
            when = dt.datetime.combine(when, dt.time())
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        people = [str(a) for a in (*attendees, event.get("ORGANIZER", ""))]
        words = " ".join(str(event.get(key, "")) for key in ("LOCATION", "DESCRIPTION", "URL", "CONFERENCE",
                                                              "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                                                              "X-GOOGLE-CONFERENCE"))
        mode = "phone" if CALL_SIGNS.search(words) else "face_to_face"
        title = _plain(str(event.get("SUMMARY", "")))
        found.append(Draft(source, "invite", when, mode, _shortened(title), _addresses(people)))
    return found


def _matched(db, draft: Draft) -> Draft:
    """``draft`` with its customer: the customers whose contacts have one of its
    addresses, else those whose contacts share one of its (company) domains."""
    candidates = capture_queries.customers_by_email(db, draft.addresses)
    notes = list(draft.notes)
    if not candidates:
        domains = sorted({address.rpartition("@")[2] for address in draft.addresses} - PUBLIC_DOMAINS)
        candidates = capture_queries.customers_by_domain(db, domains)
    if not candidates:
        notes.append(N_("no customer has a contact with these addresses: pick the customer"))
    elif len(candidates) > 1:
        notes.append(N_("the addresses belong to several customers: pick the customer"))
    customer_id = candidates[0] if len(candidates) == 1 else None
    stage = commands.last_stage_entry(db, customer_id)[0] if customer_id is not None else None
    return replace(draft, customer_id=customer_id, candidates=tuple(candidates), stage=stage, notes=tuple(notes))


def _header(message, name: str) -> str:
    """A header's decoded text ('' when missing or beyond repair)."""
    try:
        value = message.get(name)
    except Exception:  # the email package raises on some malformed encoded words
        return ""
    return _plain(str(value)) if value is not None else ""


def _mail_date(text: str) -> dt.datetime | None:
    """The local date and time of a ``Date`` header (None when it has none or is unreadable)."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _local(when)


def _local(when: dt.datetime) -> dt.datetime:
    """``when`` as the server's local wall time without a zone (a naive time is taken as local)."""
    return when.astimezone().replace(tzinfo=None) if when.tzinfo else when


def _addresses(values: list[str]) -> tuple[str, ...]:
    """Every e-mail address in header values or ``mailto:`` URIs, lower case, in order, once."""
    found: list[str] = []
    for value in values:
        value = re.sub(r"(?i)mailto:", "", value or "")
        for _name, address in email.utils.getaddresses([value]):
            address = address.strip().lower()
            if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}", address) and address not in found:
                found.append(address)
    return tuple(found)


def _body_text(message) -> str:
    """The mail's text: its plain part, else its HTML part reduced to text; '' when none."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # malformed MIME structure
        part = None
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):  # an unknown or lying charset
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    return _html_text(content) if part.get_content_subtype() == "html" else content


class _TextOnly(html.parser.HTMLParser):
    """Collects an HTML document's text; script, style and head contents are dropped."""

    SKIPPED = {"script", "style", "head", "title", "noscript", "template"}
    BREAKS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _html_text(markup: str) -> str:
    """HTML reduced to its text (parsed, never rendered; scripts and styles dropped)."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _plain(text: str) -> str:
    """``text`` on one line without control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _shortened(text: str) -> str:
    """A summary of at most ``SUMMARY_LENGTH`` characters (cut at a word, with an ellipsis)."""
    text = _plain(text)[:MAX_TEXT]
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0] + "…"
