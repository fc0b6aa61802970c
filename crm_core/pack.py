"""The meeting pack: a PDF of a customer's journey or of the portfolio overview as of a
snapshot day, to hand out or project at a meeting.

* ``customer_pack``: the profile, the stage contributions to the final opinion (the
  journey's waterfall), the checklist of each reached stage (given and missing), the
  next best response, the latest responses and opinions, the open service cases and
  promises.
* ``portfolio_pack``: the overview's key figures, the at-risk list, the customers per
  stage and per final opinion, and the trend of the final opinion.

Both take an open database and return the PDF's bytes. The figures are those of the
reads the pages call, the charts those of ``charts`` (rendered to PNG by vl-convert, no
browser), the words those of the pack's language. The last line is the link that
reopens the same view in the app: ``CRM_APP_URL`` (e.g. ``https://crm.example.com``)
before the page's path when set, else the path alone. Like every read, a pack needs no
role: whoever may open the page (a viewer too) may print it.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
from pathlib import Path
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import vl_convert
from fpdf import FPDF, XPos, YPos
from fpdf.fonts import FontFace

from . import charts, checklist, i18n, outcomes, promises, reads, risk, service
from .analysis import next_best_responses
from .i18n import N_
from .snapshot import SnapshotDay
from .validation import ValidationError
from .wording import (date, item_label, money, mode_label, number, opinion, percent, reason_label, stage_label,
                      translator)

# Debian's fonts-dejavu-core: a Unicode font, so every language's letters and the real minus sign print.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
APP_URL_SETTING = "CRM_APP_URL"
# The app's URL path of each view a pack is made from (Streamlit names a page after its file).
PAGE_PATHS = {"overview": "/", "journey": "/Customer_journey"}
LATEST_RESPONSES = 6
LATEST_OPINIONS = 5
# The at-risk rows a portfolio pack lists: a meeting acts on the first ones, and 10,000 customers
# could put thousands on the list (the pack says how many there are in all).
AT_RISK_ROWS = 30
CHART_SCALE = 2          # PNG pixels per chart pixel: sharp on paper
HEADING_COLOUR = (52, 73, 94)
MUTED = (110, 110, 110)


def view_link(page: str, day: dt.date, lang: str, **params) -> str:
    """The link that reopens ``page`` (a key of ``PAGE_PATHS``) as the pack shows it: the
    snapshot ``day`` and ``lang`` first, as the app's links carry them, then ``params``
    (lists repeat the name; ``None`` is left out)."""
    query = {"as_of": day.isoformat(), "lang": lang, **{k: v for k, v in params.items() if v is not None}}
    base = os.environ.get(APP_URL_SETTING, "").strip().rstrip("/")
    return f"{base}{PAGE_PATHS[page]}?{urlencode(query, doseq=True)}"


def chart_png(chart: alt.TopLevelMixin, width: int, height: int | None = None) -> bytes:
    """``chart`` drawn ``width`` pixels wide (and ``height`` high, when given) as a PNG."""
    sized = chart.properties(width=width, **({"height": height} if height else {}))
    return vl_convert.vegalite_to_png(sized.to_dict(), scale=CHART_SCALE)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's header chunk."""
    return struct.unpack(">II", png[16:24])


class _Document(FPDF):
    """An A4 page with the pack's fonts, a footer with the page number, and the few
    kinds of block a pack is made of."""

    def __init__(self, lang: str, title: str, wordings: dict[str, str]):
        super().__init__(format="A4")
        self.lang, self.wordings = lang, wordings
        self._ = translator(lang)
        if not (FONT_DIR / "DejaVuSans.ttf").exists():
            raise FileNotFoundError(f"the meeting pack's font is not in {FONT_DIR}: install Debian's fonts-dejavu-core")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("customer-response")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        self.add_page()

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self._("Page {page} of {pages}", page=self.page_no(), pages="{nb}"), align="C")

    def title_block(self, title: str, *lines: str) -> None:
        self.set_font("DejaVu", "B", 16)
        self.set_text_color(*HEADING_COLOUR)
        self.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("DejaVu", "", 9)
        self.set_text_color(*MUTED)
        for line in lines:
            self.multi_cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", 11)
        self.set_text_color(*HEADING_COLOUR)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, bold: bool = False, size: float = 9, muted: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.set_text_color(*(MUTED if muted else (0, 0, 0)))
        self.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def figures(self, pairs: list[tuple[str, str]]) -> None:
        """Key figures side by side: the value large, its name under it."""
        width = self.epw / len(pairs)
        top = names_top = self.get_y()
        for column, (_name, value) in enumerate(pairs):
            self.set_xy(self.l_margin + column * width, top)
            self.set_font("DejaVu", "B", 13)
            self.multi_cell(width - 2, 6.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            names_top = max(names_top, self.get_y())
        bottom = names_top
        for column, (name, _value) in enumerate(pairs):
            self.set_xy(self.l_margin + column * width, names_top)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*MUTED)
            self.multi_cell(width - 2, 4, name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            bottom = max(bottom, self.get_y())
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, bottom + 2)

    def table(self, header: list[str], rows: list[list[str]], widths: tuple[float, ...]) -> None:
        """A table of text cells with a bold header row (repeated on each page it runs over)."""
        self.set_font("DejaVu", "", 7)
        with super().table(col_widths=widths, first_row_as_headings=True, line_height=3.4,
                           headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 241)),
                           text_align="LEFT", padding=0.8) as grid:
            for values in [header, *rows]:
                line = grid.row()
                for value in values:
                    line.cell(str(value))
        self.ln(1)

    def images(self, pngs: list[bytes], widths: list[float]) -> None:
        """PNG charts side by side (``widths`` in mm), on a new page when they do not fit."""
        heights = [width * h / w for width, (w, h) in zip(widths, map(_png_size, pngs))]
        if self.will_page_break(max(heights)):
            self.add_page()
        top, x = self.get_y(), self.l_margin
        for png, width in zip(pngs, widths):
            self.image(png, x=x, y=top, w=width)
            x += width + 4
        self.set_xy(self.l_margin, top + max(heights) + 2)

    def link_line(self, link: str) -> None:
        self.heading(self._("Reopen this view"))
        self.set_font("DejaVu", "", 8)
        self.multi_cell(0, 4.5, link, link=link if link.startswith("http") else None, new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)


def _snapshot_line(lang: str, as_of: dt.date | None, day: dt.date) -> str:
    """What moment the pack shows: a snapshot's ``day``, or the day a live view (``as_of``
    None) was printed."""
    words = N_("Snapshot: end of {day}") if as_of is not None else N_("Live, printed on {day}")
    return i18n.gettext(lang, words, day=date(day, lang))


def customer_pack(db, customer_id: int, as_of=None, lang: str = i18n.DEFAULT_LANGUAGE,
                  today: dt.date | None = None) -> bytes:
    """The PDF of the customer's journey at the end of ``as_of`` (None: now) in ``lang``.
    Raises ``ValidationError`` (field ``customer``) for an unknown customer or one that did
    not exist yet on that day, (field ``lang``) for an unknown language."""
    lang = _language(lang)
    _ = translator(lang)
    snapshot = SnapshotDay.of(as_of)
    day = snapshot.reference(today)
    journey = reads.journey(db, customer_id, snapshot.day)
    if journey is None:
        raise ValidationError("customer", N_("there is no customer {id}"), id=customer_id)
    customer = journey.customer
    if journey.current_stage is None:
        raise ValidationError("customer", N_("{name} did not exist yet on that day (created {day})."),
                              name=customer["name"], day=customer["created_on"])
    pdf = _Document(lang, f"{_('Meeting pack')} · {customer['name']}", checklist.wordings(db, lang))
    profile = [customer.get(k) for k in ("sector", "region", "account_manager") if customer.get(k)]
    profile.append(_("customer since {day}", day=date(customer["created_on"], lang)))
    if customer.get("acquisition_cost") is not None and not pd.isna(customer["acquisition_cost"]):
        profile.append(_("acquisition cost {amount}",
                         amount=money(customer["acquisition_cost"], lang, outcomes.currency(db))))
    pdf.title_block(f"{_('Meeting pack')}: {customer['name']}", " · ".join(profile),
                    _snapshot_line(lang, snapshot.day, day))

    stages = journey.stages
    now = stages[stages["stage"] == journey.current_stage].iloc[0]
    last = journey.responses["responded_on"].max() if len(journey.responses) else None
    pdf.figures([(_("Current stage"), stage_label(journey.current_stage, lang)),
                 (_("Final opinion"), opinion(journey.final_opinion, lang)),
                 (_("Checklist coverage of the current stage"), percent(now["coverage"], lang)),
                 (_("Last response"), date(last, lang))])

    reached = stages[stages["reached"]]
    pdf.heading(_("Stage contributions to the final opinion"))
    pdf.text_line(_("Final opinion {total} = {parts}", total=opinion(journey.final_opinion, lang), parts=" + ".join(
        f"{stage_label(row.stage, lang)} {opinion(row.opinion, lang)}" for row in reached.itertuples())))
    pdf.images([chart_png(charts.contributions_chart(journey, lang), 420, 200)], [95])

    _next_best(pdf, next_best_responses(db, customer_id, snapshot.day))
    _checklist(pdf, journey, reached)
    _latest(pdf, journey)
    _open_matters(pdf, db, customer_id, snapshot.day, today)
    pdf.link_line(view_link("journey", day, lang, customer=customer_id))
    return bytes(pdf.output())


def _next_best(pdf: _Document, ranked: pd.DataFrame) -> None:
    """"Give next" as the journey page says it, with the other missing items in their order."""
    _, lang = pdf._, pdf.lang
    pdf.heading(_("Next best response"))
    if ranked.empty:
        pdf.text_line(_("Every expected response of the current stage was given."))
        return
    names = [item_label(key, lang, label, pdf.wordings) for key, label in zip(ranked["item_key"], ranked["label"])]
    best = ranked.iloc[0]
    if best["too_few"]:
        pdf.text_line(_("Give next: {item} (too few customers with an opinion to say how much it moves it).",
                        item=names[0]), bold=True)
    else:
        pdf.text_line(_("Give next: {item} ({difference} opinion where given).", item=names[0],
                        difference=opinion(best["difference"], lang)), bold=True)
    if len(names) > 1:
        pdf.text_line(_("Then: {items}. Ranked by how the latest opinion of this stage differs where each was given.",
                        items=", ".join(names[1:])), muted=True)


def _checklist(pdf: _Document, journey: reads.Journey, reached: pd.DataFrame) -> None:
    """Each reached stage's active checklist items, given (how often, last when) or missing."""
    _, lang = pdf._, pdf.lang
    pdf.heading(_("Checklist"))
    for row in reached.itertuples():
        pdf.text_line(stage_label(row.stage, lang), bold=True)
        pdf.text_line(_("{covered} given · opinion {opinion} · our score {score}", covered=percent(row.coverage, lang),
                        opinion=opinion(row.opinion, lang), score=opinion(row.response_score, lang)), muted=True)
        items = journey.checklist[journey.checklist["stage"] == row.stage]
        pdf.table([_("Status"), _("Item"), _("Times"), _("Last addressed")],
                  [[_("Given") if done else _("Missing"), item_label(key, lang, label, pdf.wordings), str(times),
                    date(last, lang) if isinstance(last, str) else "—"]
                   for done, key, label, times, last in zip(items["done"], items["item_key"], items["label"],
                                                            items["times"], items["last_on"])],
                  (18, 112, 15, 35))


def _latest(pdf: _Document, journey: reads.Journey) -> None:
    """The newest responses and opinions, newest first."""
    _, lang = pdf._, pdf.lang
    labels = dict(zip(journey.checklist["item_key"], journey.checklist["label"]))
    responses = journey.responses.iloc[::-1].head(LATEST_RESPONSES)
    pdf.heading(_("Latest responses"))
    if responses.empty:
        pdf.text_line(_("No response recorded yet."), muted=True)
    else:
        pdf.table([_("Date"), _("Stage"), _("Mode"), _("Summary"), _("Checklist items"), _("Quality"),
                   _("Completeness")],
                  [[date(r.responded_on, lang), stage_label(r.stage, lang), mode_label(r.mode, lang), r.summary or "",
                    ", ".join(item_label(k, lang, labels.get(k), pdf.wordings) for k in r.items), str(r.quality),
                    str(r.completeness)] for r in responses.itertuples()],
                  (18, 24, 18, 46, 46, 12, 16))
    opinions = journey.opinions.iloc[::-1].head(LATEST_OPINIONS)
    pdf.heading(_("Latest opinions"))
    if opinions.empty:
        pdf.text_line(_("No opinion recorded yet."), muted=True)
    else:
        pdf.table([_("Date"), _("Stage"), _("Opinion"), _("Note")],
                  [[date(o.opinion_on, lang), stage_label(o.stage, lang), opinion(o.score, lang), o.note or ""]
                   for o in opinions.itertuples()], (22, 28, 18, 112))


def _open_matters(pdf: _Document, db, customer_id: int, as_of, today: dt.date | None) -> None:
    """The service cases and promises still open on the day."""
    _, lang = pdf._, pdf.lang
    cases = service.open_cases(db, as_of, customer_id=customer_id)
    pdf.heading(_("Open service cases"))
    if cases.empty:
        pdf.text_line(_("No open service case."), muted=True)
    else:
        pdf.table([_("Reported"), _("Priority"), _("Description"), _("Time left")],
                  [[date(c.reported_at, lang), i18n.gettext(lang, service.PRIORITY_LABELS.get(c.priority, c.priority)),
                    c.description or "",
                    _("past its target") if c.breached else _("{hours} h", hours=number(c.hours_left, lang, 0))]
                   for c in cases.itertuples()], (22, 20, 108, 30))
    found = promises.promise_list(db, as_of, customer_id=customer_id, today=today, only="open")
    pdf.heading(_("Open promises"))
    if found.empty:
        pdf.text_line(_("No open promise."), muted=True)
    else:
        pdf.table([_("Promise"), _("Made on"), _("Due"), _("Overdue")],
                  [[p.what, date(p.made_on, lang), date(p.due_on, lang) if p.due_on else "—",
                    _("{days} days", days=int(p.days_overdue)) if p.overdue else "—"]
                   for p in found.itertuples()], (100, 25, 25, 30))


def portfolio_pack(db, as_of=None, lang: str = i18n.DEFAULT_LANGUAGE, period_days: int = risk.DEFAULT_PERIOD,
                   filters: dict | None = None, today: dt.date | None = None) -> bytes:
    """The PDF of the portfolio overview at the end of ``as_of`` (None: now) in ``lang``, over
    the period of ``period_days`` days and the ``filters`` (``sector``, ``region``,
    ``account_manager``: lists of values) the overview page was showing."""
    lang = _language(lang)
    _ = translator(lang)
    snapshot = SnapshotDay.of(as_of)
    day = snapshot.reference(today)
    figures, risky = risk.overview(db, snapshot.day, period_days, filters=filters or None, today=today)
    scope = [_("{days} days", days=period_days)] + [", ".join(values) for values in (filters or {}).values() if values]
    pdf = _Document(lang, f"{_('Meeting pack')} · {_('Portfolio overview')}", checklist.wordings(db, lang))
    pdf.title_block(f"{_('Meeting pack')}: {_('Portfolio overview')}", _snapshot_line(lang, snapshot.day, day),
                    " · ".join(scope))
    change = figures.opinion_change
    pdf.figures([
        (_("Customers"), number(figures.customers, lang, 0)),
        (_("Average final opinion") + ("" if change is None else " · " + _(
            "{change} in {days} days", change=opinion(change, lang), days=period_days)),
         opinion(figures.mean_final_opinion, lang)),
        (_("Coverage of current stages"), percent(figures.mean_coverage, lang)),
        (_("Act now") + " · " + i18n.ngettext(lang, "{n} more to watch", "{n} more to watch", figures.to_watch),
         number(figures.at_risk, lang, 0))])
    pdf.text_line(" · ".join(f"{stage_label(stage, lang)} {count}" for stage, count in figures.per_stage.items())
                  + " · " + i18n.ngettext(lang, "{n} customer rated", "{n} customers rated", figures.rated),
                  muted=True)

    pdf.images([chart_png(charts.stages_chart(figures.per_stage, lang), 280, 200),
                chart_png(charts.opinions_chart(figures.opinion_counts, lang), 280, 200)], [86, 90])
    trend = reads.opinion_trend(db, snapshot.day, filters=filters or None)
    if not trend.empty:
        pdf.images([chart_png(charts.opinion_trend_chart(trend, "all", _("Portfolio"), lang), 560, 220)], [180])

    acting = risky[risky["act_now"]]
    pdf.heading(_("Act now"))
    if acting.empty:
        pdf.text_line(_("Nobody needs action now."), muted=True)
    else:
        shown = acting.head(AT_RISK_ROWS)
        pdf.table([_("Customer"), _("Severity"), _("Why"), _("Stage"), _("Final opinion"), _("Account manager")],
                  [[r.name, str(int(r.severity)), " · ".join(reason_label(code, lang) for code in r.reasons),
                    stage_label(r.stage, lang), opinion(r.final_opinion, lang), r.account_manager or ""]
                   for r in shown.itertuples()], (36, 18, 60, 20, 16, 30))
        if len(acting) > len(shown):
            pdf.text_line(_("Showing the first {shown} of {total}.", shown=number(len(shown), lang, 0),
                            total=number(len(acting), lang, 0)), muted=True)
    pdf.link_line(view_link("overview", day, lang, period=None if period_days == risk.DEFAULT_PERIOD else period_days,
                            **(filters or {})))
    return bytes(pdf.output())


def _language(lang: str) -> str:
    """``lang`` when the app speaks it, else ``ValidationError`` (field ``lang``)."""
    if lang not in i18n.LANGUAGES:
        raise ValidationError("lang", N_("{lang} is not one of the languages {languages}"), lang=lang,
                              languages=", ".join(i18n.LANGUAGES))
    return lang

