"""What every page starts with: ``ctx = setup("Title")``.

``setup`` sets the page config, opens (and on first run creates) the
database, draws the shared sidebar (snapshot date, links) and returns the
page's context. Every entry path — the main script, a sidebar click, a cold
deep link to a page file — runs it, because each page calls it first.
Reads go through ``read``: cached per database and invalidated by any write
(the database's change counter is part of the cache key).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

import crm_core
from crm_core import demo

APP_TITLE = "Customer response"
PAGES = {
    "overview": "app.py",
    "journey": "pages/1_Customer_journey.py",
    "gaps": "pages/2_Checklist_gaps.py",
    "trends": "pages/3_Opinion_trends.py",
    "quality": "pages/4_Response_quality.py",
}


@dataclass(frozen=True)
class Context:
    """What a page needs: the database file and the snapshot day (None = now)."""

    path: str
    as_of: dt.date | None

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()


@st.cache_resource(show_spinner="Creating the demo database…")
def _prepare_database(path: str) -> str:
    """Create the schema (and the demo data for the default file) once per process."""
    if path == str(crm_core.storage.DEFAULT_PATH):
        demo.ensure_demo(path)
    else:
        with crm_core.connect(path):
            pass
    return path


def setup(title: str, icon: str = "📊") -> Context:
    """Page config, database, sidebar. Returns the page's ``Context``."""
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon=icon, layout="wide")
    path = str(crm_core.database_path())
    try:
        _prepare_database(path)
    except crm_core.StorageError as error:
        st.error(f"The database cannot be opened: {error}")
        st.stop()
    with st.sidebar:
        as_of = st.date_input(
            "Snapshot as of", value=None, key="as_of", bind="query-params",
            max_value=dt.date.today(), format="YYYY-MM-DD",
            help="Show the state at the end of this day. Empty = now. The date is kept in the link.",
        )
        if as_of is not None:
            st.caption(f"📌 Showing the state at the end of {as_of:%d %b %Y}.")
    st.title(f"{icon} {title}")
    return Context(path=path, as_of=as_of)


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, path: str, version: int, args: tuple, kwargs: tuple):
    with crm_core.connect(path) as db:
        return getattr(crm_core, name)(db, *args, **dict(kwargs))


def read(ctx: Context, name: str, *args, **kwargs):
    """Call ``crm_core.<name>(db, *args, **kwargs)``, cached until the next write."""
    version = crm_core.change_count(ctx.path)
    return _cached(name, ctx.path, version, args, tuple(sorted(kwargs.items())))


# --- formatting for people -------------------------------------------------------

def fmt_opinion(value) -> str:
    """+1.5 / −1.5 / 0 / "not rated" (a real minus sign, for projectors)."""
    if value is None or pd.isna(value):
        return "not rated"
    if float(value) == 0:
        return "0"
    text = f"{int(value):+d}" if float(value) == int(value) else f"{float(value):+.1f}"
    return text.replace("-", "−")


def fmt_pct(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}".replace("%", " %")


def fmt_days_ago(days) -> str:
    if days is None or pd.isna(days):
        return "never"
    days = int(days)
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


# --- one colour per stage and per mode, on every chart ----------------------------

def stage_colour(title: str = "Stage") -> alt.Color:
    return alt.Color("stage_label:N", title=title,
                     scale=alt.Scale(domain=[crm_core.STAGE_LABELS[s] for s in crm_core.STAGES],
                                     range=[crm_core.STAGE_COLOURS[s] for s in crm_core.STAGES]))


def mode_colour(title: str = "Mode") -> alt.Color:
    return alt.Color("mode_label:N", title=title,
                     scale=alt.Scale(domain=[crm_core.MODE_LABELS[m] for m in crm_core.MODES],
                                     range=[crm_core.MODE_COLOURS[m] for m in crm_core.MODES]))


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``stage_label`` / ``mode_label`` columns for charts and tables."""
    frame = frame.copy()
    if "stage" in frame:
        frame["stage_label"] = frame["stage"].map(crm_core.STAGE_LABELS)
    if "mode" in frame:
        frame["mode_label"] = frame["mode"].map(crm_core.MODE_LABELS)
    return frame


def empty_state(message: str) -> None:
    """A friendly next step instead of an empty chart."""
    st.info(f"{message}\n\nStart by adding a customer and logging a response, "
            "or run `make demo` to load the demo portfolio.")
