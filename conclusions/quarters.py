"""Quarters of the calendar year: the unit of time of a briefing (giao ban quý)."""

from __future__ import annotations

import datetime as dt


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def following(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def next_quarter_end(year: int, quarter: int) -> dt.date:
    """The last day of the quarter after (year, quarter): 30/09/2015 after quarter II/2015."""
    return quarter_end(*following(year, quarter))
