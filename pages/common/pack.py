"""The "Meeting pack" button of the customer journey and the overview: the PDF
(``crm_core.pack``) of the view as the page shows it — the snapshot day, the language and,
on the overview, the period and filters."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import crm_core
from crm_core import pack

from . import DOWNLOAD_ONLY, Context, _, lang


def pack_file(path: str, as_of: dt.date | None, language: str, customer_id: int | None = None,
              period: int | None = None, filters: dict | None = None) -> bytes:
    """The PDF of the customer's journey (``customer_id``) or of the portfolio (over ``period``
    days and ``filters``) on the database ``path`` at the end of ``as_of`` in ``language``."""
    with crm_core.connect(path) as db:
        if customer_id is None:
            return pack.portfolio_pack(db, as_of, language, period or crm_core.risk.DEFAULT_PERIOD, filters)
        return pack.customer_pack(db, customer_id, as_of, language)


def pack_button(ctx: Context, customer_id: int | None = None, period: int | None = None,
                filters: dict | None = None) -> None:
    """The download button of the meeting pack (``pack_file``) of this view. The PDF is made
    only when the button is clicked: a page run should not pay for rendering its charts."""
    language = lang()
    what = "portfolio" if customer_id is None else f"customer-{customer_id}"
    st.download_button(_("Meeting pack"), lambda: pack_file(ctx.path, ctx.as_of, language, customer_id, period,
                                                            filters),
                       file_name=f"meeting-pack-{what}-{ctx.today.isoformat()}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", key="meeting_pack", on_click=DOWNLOAD_ONLY,
                       help=_("A PDF of this view on this snapshot day, to hand out or project at a meeting."))
