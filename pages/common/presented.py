"""Page-side work cached like ``read``: the formatting and charts a page derives from
its reads cost more than the cached reads themselves (an Altair chart is built and its
data turned into Arrow on every run: 5–25 ms a chart). They depend only on the reads (the
context's versions), the page's choices and the language, so they are kept until a write
touches what the context is keyed on (``presented``, ``draw``), or, for a small part of a
read that most saves leave the same, until that part changes (``presented_of``).
"""

from __future__ import annotations

from typing import Callable, Hashable

import altair as alt
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from . import Context, currency, drop_superseded, lang, wordings


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """``chart`` as the Vega-Lite spec ``st.altair_chart`` would draw (its data moved into
    named datasets), not checked against the Vega-Lite schema: that check, which Altair's
    ``to_dict`` makes on every call, cost a third of building a cold journey's charts, and
    the tests make it instead for every chart every page draws (test_chart_conventions).
    The one use of a private Streamlit function: Altair's public ``to_dict`` ships the data
    inline. tests/test_third_party.py fails loudly if an upgrade changes it."""
    return _convert_altair_to_vega_lite_spec(_Unchecked(chart))


class _Unchecked:
    """``chart`` whose ``to_dict``, the one method Streamlit's converter calls, skips the
    schema check."""

    def __init__(self, chart: alt.TopLevelMixin):
        self._chart = chart

    def to_dict(self) -> dict:
        return self._chart.to_dict(validate=False)


@st.cache_data(max_entries=256, show_spinner=False)
def _presented(module: str, name: str, path: str, version: Hashable, as_of, language: str, args: tuple,
               kwargs: tuple, _function: Callable | None = None, _versions: dict | None = None):
    result = _function(Context(path, as_of, version, _versions or {}), *args, **dict(kwargs))
    return vega_lite_spec(result) if isinstance(result, alt.TopLevelMixin) else result


def presented(ctx: Context, function: Callable, *args, **kwargs):
    """``function(ctx, *args, **kwargs)`` (formatting or a chart over ``read``s of ``ctx``),
    cached like those reads and per language; an Altair chart comes back as its
    Vega-Lite spec (see ``draw``). ``args``/``kwargs`` are the page's choices
    (hashable, stable across runs), never frames."""
    key = (function.__module__, function.__qualname__, ctx.path)
    rest = (ctx.as_of, lang(), args, tuple(sorted(kwargs.items())))
    drop_superseded(_presented, key, ctx.version, *rest)
    return _presented(*key, ctx.version, *rest, _function=function, _versions=ctx.versions)


@st.cache_data(max_entries=128, show_spinner=False)
def _of_data(module: str, name: str, language: str, words: tuple, data, _function: Callable | None = None):
    result = _function(data)
    return vega_lite_spec(result) if isinstance(result, alt.TopLevelMixin) else result


def presented_of(function: Callable, data):
    """``function(data)`` (formatting or a chart of ``data``: a small frame or dict the page
    read, such as the rows a table shows), cached on ``data``'s content and the language
    instead of the reads' versions: after a colleague's save that left it the same (the
    counts per stage after a response, the most severe at-risk rows after most saves) it is
    not made again. Call it inside a function given to ``presented`` or ``draw``, so a warm
    run does not hash the data. An Altair chart comes back as its Vega-Lite spec. Keyed on the
    team's words too (the currency and the checklist's wordings an admin chose), which the
    function may write without their being in ``data``."""
    words = (currency(), tuple(sorted((wordings() or {}).items())))
    return _of_data(function.__module__, function.__qualname__, lang(), words, data, _function=function)


def draw(ctx: Context, chart: Callable, *args, into=st, width: str = "stretch", **kwargs) -> None:
    """Draw the Altair chart ``chart(ctx, *args, **kwargs)`` returns, from the cache, as wide
    as ``into`` (a column or the page; ``width="content"``: as wide as the chart says)."""
    into.vega_lite_chart(spec=presented(ctx, chart, *args, **kwargs), width=width)
