"""Finding a customer: the customer list managers filter and sort, and the name search
behind the search box of every page."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .reads import customer_names, portfolio
from .risk import DEFAULT_PERIOD, at_risk_among
from .validation import name_key

# The orders the list can be sorted in (the first is the default). Each is a list of columns
# and directions, so a tie keeps a stable, readable order (by name).
SORTS: dict[str, tuple[list[str], list[bool]]] = {
    "name": (["name"], [True]),
    "final_opinion": (["final_opinion", "name"], [True, True]),
    "last_response": (["last_response_on", "name"], [False, True]),
    "risk": (["severity", "name"], [False, True]),
}


def matches(names: pd.Series, search: str | None) -> pd.Series:
    """Whether each of ``names`` contains ``search`` (case, accents of case and spacing aside:
    ``validation.name_key`` on both sides); all True for an empty search."""
    wanted = name_key(search or "")
    if not wanted:
        return pd.Series(True, index=names.index)
    return names.map(name_key).str.contains(wanted, regex=False)


def find_customers(db, search: str | None, limit: int = 8) -> tuple[pd.DataFrame, int]:
    """The customers whose name contains ``search`` (``matches``): ``(customer_id, name`` of
    the first ``limit`` by name, how many match in all``)``; nothing for an empty search."""
    if not name_key(search or ""):
        return pd.DataFrame(columns=["customer_id", "name"]), 0
    names = customer_names(db)
    found = names[matches(names["name"], search)]
    return found.head(limit).reset_index(drop=True), len(found)


def customer_list(db, as_of=None, filters: dict | None = None, stages: list[str] | None = None,
                  at_risk_only: bool = False, search: str | None = None, sort: str = "name",
                  today: dt.date | None = None) -> pd.DataFrame:
    """The customers at the end of ``as_of`` (None: now), one row each, as the customer list
    shows them: the ``portfolio`` columns plus ``reasons`` (the at-risk reasons of
    ``risk.at_risk``, an empty tuple when not at risk), ``at_risk`` and ``severity``
    (``risk.severity``, 0 when not at risk).

    ``filters`` restricts ``sector``, ``region`` and ``account_manager`` (as ``portfolio``),
    ``stages`` the current stage, ``at_risk_only`` keeps the customers at risk, ``search``
    the names containing it (``matches``); ``sort`` is a key of ``SORTS``."""
    found = portfolio(db, as_of, filters, today)
    risky = at_risk_among(db, found, as_of, DEFAULT_PERIOD, today)[["customer_id", "reasons", "severity"]]
    found = found.merge(risky, on="customer_id", how="left")
    found["at_risk"] = found["severity"].notna()
    found["severity"] = found["severity"].fillna(0).astype(int)
    found["reasons"] = [reasons if isinstance(reasons, tuple) else () for reasons in found["reasons"]]
    keep = matches(found["name"], search)
    if stages:
        keep &= found["stage"].isin(stages)
    if at_risk_only:
        keep &= found["at_risk"]
    return _sorted(found[keep], sort)


def _sorted(rows: pd.DataFrame, sort: str) -> pd.DataFrame:
    """``rows`` in the order ``sort`` (a key of ``SORTS``), missing values last, renumbered."""
    columns, ascending = SORTS[sort]
    return rows.sort_values(columns, ascending=ascending, na_position="last").reset_index(drop=True)


def suggested_customers(db, as_of=None, limit: int = 8, today: dt.date | None = None) -> tuple[pd.DataFrame,
                                                                                                  pd.DataFrame]:
    """What to open when no customer is chosen, from one ``customer_list``: ``(recent, risky)``,
    the ``limit`` customers most recently responded to and the ``limit`` most at risk (its
    columns, in the orders ``last_response`` and ``risk`` of ``SORTS``)."""
    found = customer_list(db, as_of, today=today)
    return _sorted(found, "last_response").head(limit), _sorted(found[found["at_risk"]], "risk").head(limit)
