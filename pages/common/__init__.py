"""What every page starts with: ``ctx = setup("Title")``.

``setup`` sets the page config, opens (and on first run creates) the
database, draws the shared sidebar (snapshot date, links) and returns the
page's context. Every entry path — the main script, a sidebar click, a cold
deep link to a page file — runs it, because each page calls it first.
Reads go through ``read``: cached per database and keyed on the versions of the
change scopes the context reads (``Context.scoped``), so a write refreshes the
caches of what it touched and leaves the others warm.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Hashable
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import crm_core
import crm_core.charts
from crm_core import demo, i18n, wording
from crm_core.storage.files import is_demo

from . import params

APP_TITLE = i18n.N_("Customer response")
PAGES = {
    "overview": "app.py",
    "journey": "pages/1_Customer_journey.py",
    "gaps": "pages/2_Checklist_gaps.py",
    "trends": "pages/3_Opinion_trends.py",
    "quality": "pages/4_Response_quality.py",
    "log": "pages/5_Log_response.py",
    "customers": "pages/6_Customers.py",
    "service": "pages/8_Service_and_promises.py",
    "outcomes": "pages/10_Outcomes.py",
    "drivers": "pages/11_What_moves_opinion.py",
    "import": "pages/9_Import_export.py",
    "admin": "pages/7_Admin.py",
    "settings": "pages/12_Checklist_and_settings.py",
}
ROOT = Path(__file__).resolve().parents[2]
# Parameters every link between pages keeps: the snapshot day and the language.
CARRIED = ("as_of", "lang")
# The change scopes ``setup`` reads the versions of, in one statement: what pages key their
# reads on, but for one customer's (``Context.of_customer``).
PREFETCHED = (crm_core.PORTFOLIO, crm_core.SETTINGS, crm_core.EVERYTHING, crm_core.SAVED_VIEWS, crm_core.CUSTOMERS,
              crm_core.SERVICE, crm_core.OUTCOMES, crm_core.OPINIONS, *map(crm_core.stage_scope, crm_core.STAGES))


@dataclass(frozen=True)
class Context:
    """What a page needs: the database file, the snapshot day (None = now) and
    ``version``, the cache key of ``read`` and ``presented``: the versions, when this run
    started, of the change scopes its reads depend on (``scoped``). ``versions``: the
    versions this run has read, by scope (``crm_core.change_versions``)."""

    path: str
    as_of: dt.date | None
    version: Hashable = 0
    versions: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()

    def scoped(self, *scopes: str) -> Context:
        """This context keyed on ``scopes`` (and ``SETTINGS`` and ``EVERYTHING``, which change
        every figure): its cached reads stay warm until a write touches one of them. A scope
        this run has not read yet costs one statement."""
        keyed = (*scopes, crm_core.SETTINGS, crm_core.EVERYTHING)
        missing = [scope for scope in keyed if scope not in self.versions]
        if missing:
            self.versions.update(crm_core.change_versions(self.path, missing))
        return Context(self.path, self.as_of, tuple((scope, self.versions[scope]) for scope in keyed), self.versions)

    def of_customer(self, customer_id: int) -> Context:
        """Keyed on one customer's writes: for reads of that customer alone (its journey,
        cases, promises, follow-ups, history), which a save for another customer leaves warm."""
        return self.scoped(crm_core.customer_scope(customer_id))


@st.cache_resource(show_spinner="Creating the demo database…")
def _prepare_database(path: str) -> str:
    """Create the schema (and the demo data for the default file) once per process."""
    if is_demo(path):
        demo.ensure_demo(path)
    else:
        with crm_core.connect(path):
            pass
    return path


def setup(title: str, icon: str = "📊") -> Context:
    """Language, page config, database, login gate, sidebar. Returns the page's
    ``Context``. ``title`` is English; it is translated here."""
    language_key = _choose_language()
    title = _(title)
    st.set_page_config(page_title=f"{title} · {_(APP_TITLE)}", page_icon=icon, layout="wide")
    path = str(crm_core.database_location())
    try:
        _prepare_database(path)
    except crm_core.StorageError as error:
        st.error(_("The database cannot be opened: {error}", error=error))
        st.stop()
    from .auth import gate  # auth uses ``_`` from here
    gate(path)
    _navigation()
    finder = st.sidebar.container()   # the search box, first under the links; filled once the context is known
    with st.sidebar:
        as_of = _snapshot_day()
    _language_box(language_key)
    _run.as_of = as_of
    # Read once per run, not per read: every write runs in a button callback (before
    # this) or is followed by ``st.rerun()``, so the run never sees a stale version. A page's
    # reads are the portfolio's unless they say otherwise (``Context.scoped``).
    versions = crm_core.change_versions(path, PREFETCHED)
    ctx = Context(path=path, as_of=as_of, versions=versions).scoped(crm_core.PORTFOLIO)
    # What the admin chose for the whole team, read (from the cache) once per run for every
    # amount and checklist item the page shows.
    settings = ctx.scoped()
    _run.currency = read(settings, crm_core.outcomes.currency)
    _run.wordings = read(settings, crm_core.checklist.wordings, lang())
    _find_customer(ctx.scoped(crm_core.CUSTOMERS), finder)
    from .views import saved_views_box  # views uses ``_`` from here
    saved_views_box(ctx)
    st.title(f"{icon} {title}")
    if as_of is not None:
        _snapshot_banner(as_of)
    return ctx


def _snapshot_banner(day: dt.date) -> None:
    """The mark of a snapshot in the main area, where a projector shows it with the sidebar
    closed, and the one click back to live (which drops ``as_of`` from the link)."""
    banner, back = st.columns([4, 1], vertical_alignment="center")
    banner.warning(_("Snapshot: end of {day} · not live", day=fmt_date(day)), icon="📌")
    back.button(_("Back to live"), key="back_to_live", icon="🔴", width="stretch", on_click=_back_to_live)


def _back_to_live() -> None:
    """Drop ``as_of`` from the link and empty the live date box. Right after a day is typed
    into that box no run has drawn the snapshot's box yet, so the live one still holds the
    day, on the server and in the browser, and would put it back; set here (not dropped),
    the browser is told too."""
    st.query_params.pop("as_of", None)
    st.session_state[_snapshot_key(None)] = None


def entry_closed(ctx: Context) -> bool:
    """On a past snapshot, say why there is no entry form and return True: a snapshot shows a
    day that is over, and an entry saved from it would not show in it (it is stamped today)."""
    if ctx.as_of is None:
        return False
    st.info(_("This is a snapshot of the end of {day}: data is entered on the live view only, "
              "where what you save shows at once. Click “Back to live” to enter data.", day=fmt_date(ctx.as_of)),
            icon="🔒")
    return True


def _find_customer(ctx: Context, into) -> None:
    """The sidebar's search box, drawn in the container ``into``: the customers whose name
    contains what was typed, each a link to their journey (at the same snapshot day, in the
    same language), and past the first few a link to the whole list on the Customers page."""
    search = into.text_input(_("Find a customer"), key="find_customer", placeholder=_("Type a name…"),
                             icon=":material/search:")
    if not search:
        return
    found, total = read(ctx, crm_core.find_customers, search)
    if not total:
        into.caption(_("No customer name contains “{text}”.", text=escape_markdown(search)))
    try:
        for customer_id, name in zip(found["customer_id"].astype(int).tolist(), found["name"].tolist()):
            into.page_link(PAGES["journey"], label=escape_markdown(name), icon="🧭",
                           query_params=carried(customer=customer_id))
        if total > len(found):
            into.page_link(PAGES["customers"], label=_("All {n} customers found", n=fmt_number(total, 0)),
                           icon="🏢", query_params=carried(q=search))
    except StreamlitPageNotFoundError:
        pass   # a page file run on its own (AppTest) has no app.py to resolve the links against


def _snapshot_day() -> dt.date | None:
    """The ``?as_of=YYYY-MM-DD`` day, with a date box that writes it back.

    Kept in the URL by hand rather than with ``bind="query-params"``: a bound
    parameter cannot be passed to ``st.switch_page``, which the overview uses to
    open a journey at the same snapshot. A malformed or future day in the URL
    is dropped with a note."""
    day, wanted = params.snapshot_day(dt.date.today())
    if wanted and day is None:
        st.warning(_("The snapshot date {day} in the link is not a past date; showing today.", day=repr(wanted)))
    # Keyed by the URL's day: a new link (or a page switch) seeds a fresh box with it.
    day = st.date_input(_("Snapshot as of"), value=day, key=_snapshot_key(day), max_value=dt.date.today(),
                        format=date_input_format(),
                        help=_("Show the state at the end of this day. Empty = now. The date is kept in the link."))
    if day is None:
        st.query_params.pop("as_of", None)
    else:
        st.query_params["as_of"] = day.isoformat()
        st.caption(_("📌 Showing the state at the end of {day}.", day=fmt_date(day)))
    return day


def _snapshot_key(day: dt.date | None) -> str:
    """The key of the date box seeded with ``day`` (None: the live view's box)."""
    return f"as_of:{day}"


def carried(**params) -> dict[str, str]:
    """``params`` plus the snapshot day and language of the current URL: what a link
    to another page must carry so it shows the same moment in the same language."""
    kept = {name: st.query_params[name] for name in CARRIED if name in st.query_params}
    return {**kept, **{name: str(value) for name, value in params.items() if value is not None}}


def page_url(page: str, **params) -> str:
    """The URL path of ``page`` (a key of ``PAGES``) with ``params`` and the
    carried ones, e.g. ``/Customer_journey?customer=3&as_of=2026-06-30``."""
    name = "" if page == "overview" else PAGES[page].split("/")[-1].split("_", 1)[1][:-3]
    return f"/{name}?{urlencode(carried(**params))}"


def _navigation() -> None:
    """The sidebar's page links, in the session's language, keeping the snapshot
    day and language (the customer too, where the page shows one)."""
    labels = {"overview": ("📊", _("Overview")), "journey": ("🧭", _("Customer journey")),
              "gaps": ("🧩", _("Checklist gaps")), "trends": ("📈", _("Opinion trends")),
              "quality": ("☎️", _("Response quality")), "log": ("✍️", _("Log a response")),
              "customers": ("🏢", _("Customers")), "service": ("🛠️", _("Service and promises")),
              "outcomes": ("🏆", _("Outcomes")),
              "drivers": ("🎯", _("What moves opinion")),
              "import": ("📥", _("Import and export")), "admin": ("🔑", _("Accounts")),
              "settings": ("⚙️", _("Checklist and settings"))}
    customer, _text = params.record_id("customer")
    try:
        with st.sidebar:
            for page, file in PAGES.items():
                if (ROOT / file).exists():
                    keep = carried(customer=customer if page in ("journey", "log") else None)
                    icon, label = labels[page]
                    st.page_link(file, label=label, icon=icon, query_params=keep)
            st.divider()
    except StreamlitPageNotFoundError:
        # A page file run on its own (AppTest) has no app.py to resolve the links against.
        pass


def expander(label: str, key: str, *, open_now: bool = False, into=st, **kwargs):
    """``into.expander(label, ...)`` whose content the page builds only while it is open
    (``if box.open: with box: ...``): closed, a run reads and ships none of it, and opening
    or closing it reruns the page (from the cache). It stays as the person left it when its
    label changes (a count in it, which would make it a new expander), and opens when
    ``open_now`` (what a form inside it says must be seen)."""
    kept = f"{key}:open"
    if open_now or st.session_state.get(kept):
        st.session_state[key] = True

    def remember() -> None:
        st.session_state[kept] = st.session_state[key]
    return into.expander(label, key=key, on_change=remember, **kwargs)


def log_link(customer_id: int) -> None:
    """The link from a customer's page to the entry form for that customer. A link, not a
    button that switches page: the link holds the customer, where a click landing during
    another run (a tab change's) could rerun the page without it and lose the customer."""
    try:
        st.page_link(PAGES["log"], label=_("Log a response for this customer"), icon="✍️",
                     query_params=carried(customer=customer_id))
    except StreamlitPageNotFoundError:
        pass   # a page file run on its own (AppTest) has no app.py to resolve the link against


# --- language: chosen in the sidebar, kept in the URL as ``?lang=fr`` -------------

def _choose_language() -> str:
    """Language from the URL, else the browser's (``navigator.language``, then the
    ``Accept-Language`` header), else English; a choice made in
    the sidebar box (drawn later by ``_language_box``) wins and is written to the
    URL, so a shared link opens in the sender's language. Returns the box's key."""
    wanted = params.raw("lang")
    lang = i18n.pick_language(wanted, st.context.locale, st.context.headers.get("Accept-Language"))
    # keyed by the URL's language, so opening another link re-seeds the box
    key = f"lang:{lang}"
    chosen = st.session_state.get(key, lang)
    st.session_state["lang"] = _run.lang = chosen
    if wanted != chosen:
        st.query_params["lang"] = chosen
    return key


def _language_box(key: str) -> None:
    codes = list(i18n.LANGUAGES)
    st.sidebar.selectbox("🌐 " + _("Language"), codes, index=codes.index(lang()), key=key,
                         format_func=i18n.LANGUAGES.get)


# The language chosen by ``setup``, kept per script thread (a session's runs happen on its
# own threads): ``lang()`` is called for every message and number on a page, and asking
# ``st.session_state`` each time cost more than formatting (600 calls on a journey).
_run = threading.local()


def lang() -> str:
    """The language of this browser session (``en`` before ``setup`` ran)."""
    return getattr(_run, "lang", None) or st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)


def _(message: str, **values) -> str:
    """``message`` (English) in the session's language, placeholders filled."""
    return i18n.gettext(lang(), message, **values)


def n_(singular: str, plural: str, n: int, **values) -> str:
    """The singular or plural form for the count ``n`` (``{n}`` is filled too)."""
    return i18n.ngettext(lang(), singular, plural, n, **values)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(module: str, name: str, path: str, version: Hashable, args: tuple, kwargs: tuple, _read: Callable):
    # Keyed by the read's module and name (``_read`` itself is not hashed), so two reads never share an entry.
    with crm_core.connect(path) as db:
        return _read(db, *args, **dict(kwargs))


def read(ctx: Context, function: Callable, *args, **kwargs):
    """``function(db, *args, **kwargs)`` (a read of ``crm_core``, passed itself, e.g.
    ``read(ctx, crm_core.overview, ctx.as_of)``) on the page's database, cached until
    a write touches what ``ctx`` is keyed on (``Context.scoped``; the versions ``setup`` read
    at the start of this run)."""
    key = (function.__module__, function.__qualname__, ctx.path)
    kwargs = tuple(sorted(kwargs.items()))
    drop_superseded(_cached, key, ctx.version, args, kwargs)
    return _cached(*key, ctx.version, args, kwargs, function)


# The version each cached read or presentation (its function, database and arguments) was
# last asked at, per process, for the last MAX_ASKED of them: one per customer's journey read
# ever opened would grow without end. One forgotten here keeps its superseded copy until the
# cache's own limit crowds it out, as before.
MAX_ASKED = 4096
_asked: OrderedDict[str, Hashable] = OrderedDict()
_asked_lock = threading.Lock()


def drop_superseded(cache, key: tuple, version: Hashable, *rest) -> None:
    """Before ``cache(*key, version, *rest)`` is asked for: drop its entry at the version it was
    last asked at when that is another one. Versions only move on (a write counts them up),
    so nobody asks for the old one again but a run that started before the write; without
    this, every save left a copy of every read it made cold (the customer list alone keeps
    2.3 MB at 10,000 customers) until 512 entries crowded them out."""
    asked = repr((*key, *rest))     # the arguments may be lists or dicts (a filter)
    with _asked_lock:
        before = _asked.pop(asked, None)
        _asked[asked] = version
        if len(_asked) > MAX_ASKED:
            _asked.popitem(last=False)
    if before is not None and before != version:
        cache.clear(*key, before, *rest)


def escape_markdown(text) -> str:
    """User-typed ``text`` made safe for a Markdown element (header, caption, message):
    every Markdown, HTML and LaTeX character is escaped, so it shows as typed."""
    return _MARKUP.sub(lambda m: "\\" + m.group(0), str(text)).replace("\n", " ")


_MARKUP = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~$:=&]")


# --- formatting for people -------------------------------------------------------

def fmt_each(values: pd.Series, fmt) -> pd.Series:
    """``values`` mapped through ``fmt`` (a ``fmt_*`` helper or any function), called once
    per distinct value: a long table repeats few values, and each call formats in the
    session's language (4,000 at-risk rows took 400 ms one by one)."""
    return wording.each(values, fmt)


def fmt_opinion(value) -> str:
    """+1.5 / −1.5 / 0 / "not rated" (a real minus sign, for projectors)."""
    return wording.opinion(value, lang())


def fmt_number(value, digits: int = 1) -> str:
    return wording.number(value, lang(), digits)


def fmt_pct(value) -> str:
    return wording.percent(value, lang())


def currency() -> str:
    """The ISO 4217 code of every amount (``crm_core.outcomes.currency``, read by ``setup``)."""
    return getattr(_run, "currency", None) or crm_core.outcomes.DEFAULT_CURRENCY


def fmt_money(value, compact: bool = False) -> str:
    """An amount in the app's currency (``currency``): ``€6,391,234``, or ``€6.4M`` when
    ``compact`` (a headline figure that must fit its card); missing -> ``—``."""
    return wording.money(value, lang(), currency(), compact)


def fmt_multiple(value) -> str:
    """A ratio read as a multiple: ``2.1×``; missing -> ``—``."""
    return "—" if value is None or pd.isna(value) else _("{value}×", value=fmt_number(value, 1))


def fmt_date(value) -> str:
    """A date for people (``23 Nov 2026``, ``23 nov. 2026``); missing -> ``never``."""
    return wording.date(value, lang())


def fmt_datetime(value) -> str:
    """A moment for people (``23 Nov 2026, 15:15``) from a datetime or ISO text; missing -> ``—``."""
    if value is None or (not isinstance(value, dt.datetime) and pd.isna(value)):
        return "—"
    return i18n.format_datetime(value, lang())


def date_input_format() -> str:
    """The ``format`` of every ``st.date_input``: the session language's digits order
    (``DD/MM/YYYY``), the closest a date box comes to ``fmt_date``."""
    return i18n.date_input_format(lang())


def fmt_month(value) -> str:
    """A month for people (``Nov 2026``, ``nov. 2026``) from a date, a timestamp or
    ``YYYY-MM`` text; missing -> ``—``."""
    return wording.month(value, lang())


def fmt_days_ago(days) -> str:
    """How long ago something happened ``days`` before the page's day: ``today``, ``3 days
    ago``; on a past snapshot the day itself (``12 May 2026``), since "today" there is not today."""
    if days is None or pd.isna(days):
        return _("never")
    days = int(days)
    snapshot = getattr(_run, "as_of", None)
    if snapshot is not None:
        return fmt_date(snapshot - dt.timedelta(days=days))
    if days == 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return n_("{n} day ago", "{n} days ago", days)


def stage_label(stage: str | None) -> str:
    """A stage's name in the session's language (``—`` for none)."""
    return wording.stage_label(stage, lang())


def band_label(band: str) -> str:
    """A band of the final opinion (``crm_core.scores.opinion_band``) in the session's language."""
    return wording.band_label(band, lang())


def risk_reasons(codes) -> str:
    """The at-risk reasons ``codes`` (``crm_core.risk.REASONS``) in the session's language,
    each with its sign, joined by `` · `` (empty for none)."""
    signs = {"negative_opinion": "👎", "falling_opinion": "📉", "missing_responses": "🧩", "silent": "🔇",
             "overrated": "🪞", "service_breach": "🛠️", "broken_promise": "🤝", "overdue_follow_up": "📌"}
    return " · ".join(f"{signs[code]} {wording.reason_label(code, lang())}" for code in codes)


def mode_label(mode: str | None) -> str:
    return wording.mode_label(mode, lang())


def field_label(field: str) -> str:
    """What an input a refusal names is called on screen, in the session's language
    (``contacts[0].email`` -> ``Contact 1 · Email``; an unknown one as it is)."""
    contact = re.fullmatch(r"contacts\[(\d+)\]\.(\w+)", field)
    if contact:
        return _("Contact {n}", n=int(contact[1]) + 1) + " · " + field_label(contact[2])
    labels = crm_core.validation.FIELD_LABELS
    return _(labels[field]) if field in labels else field.replace("_", " ")


def source_label(source: str | None) -> str:
    """Where an opinion came from (meeting, survey…) in the session's language."""
    return _(crm_core.catalogue.OPINION_SOURCE_LABELS[source]) if source in crm_core.OPINION_SOURCES else source or ""


def wordings() -> dict[str, str] | None:
    """Every checklist item's wording in the session's language (``crm_core.checklist.wordings``,
    read by ``setup``; None before it ran)."""
    return getattr(_run, "wordings", None)


def item_label(key: str, label: str | None = None) -> str:
    """A checklist item's wording in the session's language (``wordings``: an admin's
    rewording, else the catalogue's translation)."""
    return wording.item_label(key, lang(), label, wordings())


# --- one colour per stage and per mode, on every chart ----------------------------

def stage_colour(title: str | None = None) -> alt.Color:
    return crm_core.charts.stage_colour(lang(), title)


def mode_colour(title: str | None = None) -> alt.Color:
    return alt.Color("mode_label:N", title=title or _("Mode"),
                     scale=alt.Scale(domain=[mode_label(m) for m in crm_core.MODES],
                                     range=[crm_core.MODE_COLOURS[m] for m in crm_core.MODES]))


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``stage_label`` / ``mode_label`` columns (translated) for charts and tables."""
    return wording.with_labels(frame, lang())


def empty_state(message: str) -> None:
    """A friendly next step instead of an empty chart."""
    st.info(message + "\n\n" + _("Start by adding a customer and logging a response, "
                                  "or run `make demo` to load the demo portfolio."))


@st.cache_resource(max_entries=4, show_spinner=False)
def _customer_labels(path: str, version: Hashable) -> dict[int, str]:
    with crm_core.connect(path) as db:
        names = crm_core.customer_names(db)
    return dict(zip(names["customer_id"].astype(int).tolist(), names["name"].tolist()))


def customer_labels(ctx: Context) -> dict[int, str]:
    """Customer id -> name of every customer, by name, until a write touches the customers:
    one dict per process that every session shares and none changes. The names a cached
    read hands out are a copy per run, and 100,000 of them copied and made a dict cost
    18 ms a run, twice on the log page; every page with customers asked for them."""
    ctx = ctx.scoped(crm_core.CUSTOMERS)
    return _customer_labels(ctx.path, ctx.version)


def customers_or_stop(ctx: Context, message: str) -> dict[int, str]:
    """The customers (``customer_labels``). With none yet, the page shows ``message`` and
    a next step (``empty_state``) and stops there."""
    labels = customer_labels(ctx)
    if not labels:
        empty_state(message)
        st.stop()
    return labels


def portfolio_or_stop(ctx: Context, message: str) -> None:
    """``customers_or_stop`` for a page that shows the portfolio, not a choice of customer:
    it asks only whether there is one (every customer's name cost 12 ms of a cold run at
    10,000 customers)."""
    if not read(ctx.scoped(crm_core.CUSTOMERS), crm_core.has_customers):
        empty_state(message)
        st.stop()


# Rows a long table shows: formatting and sending 20,000 rows took seconds per run, 200 still 0.2 s.
SHOWN = 100


def first_of(shown: int, total: int, into=st) -> None:
    """Under a table that shows only its first ``shown`` rows, say how many there are
    in all (nothing when it shows them all), so nobody takes the table for the whole."""
    if total > shown:
        into.caption(_("Showing the first {shown} of {total}.", shown=fmt_number(shown, 0),
                       total=fmt_number(total, 0)))


# What a click on a download button does on the server: nothing but make the file. A rerun
# (Streamlit's default) redrew the whole page for nothing, and when it finished before the
# browser asked for the file, it had already dropped the function that makes it ("Deferred
# file not found": the click downloaded nothing).
DOWNLOAD_ONLY = "ignore"


def download(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str) -> None:
    """A button under a table that downloads ``frame`` (the rows the page shows, so
    the same filters and snapshot day; or a function that makes them, where that is a
    pass over every customer) as ``<name>.csv``, made and written by
    ``crm_core.export_csv`` only when clicked."""
    made = frame if callable(frame) else lambda: frame
    st.download_button(_("Download as CSV"), lambda: crm_core.export_csv(made()), file_name=f"{name}.csv",
                       mime="text/csv", icon=":material/download:", key=f"download:{name}", on_click=DOWNLOAD_ONLY)
