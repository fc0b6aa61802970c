"""The snapshot day: the day a view shows, at the end of that day, or live.

Every read takes ``as_of`` as a ``SnapshotDay`` (or something ``SnapshotDay.of``
turns into one: ``None`` for live, a ``date``, or ``YYYY-MM-DD`` text). Callers at
the edge (a page's URL, the command line) make it once; inside ``crm_core`` it is
passed on as it is, never parsed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .i18n import N_
from .validation import ValidationError

# What storage is given for "live": a day after every stored date, so "up to the end of
# the snapshot day" needs no second spelling of the query.
LIVE_BOUND = "9999-12-31"


@dataclass(frozen=True)
class SnapshotDay:
    """``day`` = the end of that day; ``None`` = live (now)."""

    day: dt.date | None = None

    @classmethod
    def of(cls, value) -> SnapshotDay:
        """``value`` as a ``SnapshotDay``: itself when it is one, live for ``None``, else a
        ``date``/``datetime`` or ISO ``YYYY-MM-DD`` text. Raises ``ValidationError``
        (field ``as_of``) for anything else."""
        if isinstance(value, SnapshotDay):
            return value
        if value is None:
            return LIVE
        if isinstance(value, dt.datetime):
            return cls(value.date())
        if isinstance(value, dt.date):
            return cls(value)
        if isinstance(value, str):
            try:
                return cls(dt.date.fromisoformat(value.strip()))
            except ValueError:
                pass
        raise ValidationError("as_of", N_("{value!r} is not a valid date (use YYYY-MM-DD)"), value=value)

    @property
    def is_live(self) -> bool:
        return self.day is None

    @property
    def bound(self) -> str:
        """The value storage compares stored dates with: ``YYYY-MM-DD``, or ``LIVE_BOUND``."""
        return LIVE_BOUND if self.day is None else self.day.isoformat()

    def reference(self, today: dt.date | None = None) -> dt.date:
        """The day ages and periods are measured from: the snapshot day, or ``today``
        (default: the real date) when live."""
        return self.day if self.day is not None else (today or dt.date.today())


LIVE = SnapshotDay()
