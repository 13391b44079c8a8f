"""Quarters of the year, as the quarterly briefing (giao ban, DOMAIN.md "Briefing") counts
them: Q1 is January to March. A report's due date is a number of days before the quarter's
last day (settings.BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END; negative: after it), so units file
before the superior compiles its briefing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

_PARSE = re.compile(r"^(?P<year>\d{4})-?Q(?P<quarter>[1-4])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {self.quarter}")

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """"2026-Q3" (the query string's spelling) or None."""
        match = _PARSE.match((text or "").strip())
        return cls(int(match["year"]), int(match["quarter"])) if match else None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day."""
        return self.next.start - dt.timedelta(days=1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def due_date(self) -> dt.date:
        """When the units' reports for this quarter are due."""
        return self.end - dt.timedelta(days=settings.BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return _("Q%(quarter)d/%(year)d") % {"quarter": self.quarter, "year": self.year}

    def __str__(self) -> str:
        return self.label


def quarters_due_on(dates: list[dt.date]) -> list[Quarter]:
    """The quarters whose report due date is one of `dates` (the reminder scan's days)."""
    found = set()
    for day in dates:
        # The due date lies within a few weeks of its quarter's end: look at the quarters
        # around the day.
        here = Quarter.of(day)
        for q in (here.previous, here, here.next):
            if q.due_date == day:
                found.add(q)
    return sorted(found)
