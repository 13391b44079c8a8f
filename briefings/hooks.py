"""Sections that other apps add to the briefing pack, registered by the apps that know.

The pack (briefings.pack) shows the quarter's numbers, what changed, the late units, and
the difficulties and proposals; the petitions app adds its counts (open, overdue, about
personnel) and the conclusions of issue 16 open the pack with the last briefing's tasks.
Neither is imported here: each registers a function in its AppConfig.ready:

    from briefings import hooks

    def petition_counts(ctx: hooks.PackContext) -> hooks.PackSection | None:
        counts = ...  # counts only, under ctx.unit, as of ctx.as_of
        return hooks.PackSection(title=_("Petitions"), rows=[(_("Open"), counts.open), ...])

    hooks.register_pack_section(petition_counts)               # after the built-in sections
    hooks.register_pack_section(last_conclusion, first=True)    # before the quarter's numbers

The function gets a `PackContext` (the unit, the quarter, the day the numbers are as of,
whether they are live) and returns a `PackSection` (a title, rows of (label, value), an
optional note) or None to add nothing. The print page and the .docx render every section
the same way, as a two-column table. A section must say nothing a reader of the unit's
dashboard may not read (no petitioner, no nominee): the pack goes to whoever reads the unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .quarters import Quarter


@dataclass(frozen=True)
class PackContext:
    unit: object  # committees.models.Unit
    quarter: Quarter
    as_of: dt.date  # the day the pack's numbers describe
    today: dt.date
    live: bool  # numbers read now (the current quarter, or a past one without a snapshot)


@dataclass
class PackSection:
    title: str
    rows: list[tuple[str, object]] = field(default_factory=list)
    note: str = ""


PackSectionFn = Callable[[PackContext], "PackSection | None"]

_first: list[PackSectionFn] = []
_last: list[PackSectionFn] = []


def register_pack_section(fn: PackSectionFn, *, first: bool = False) -> PackSectionFn:
    """Add a section to every pack: before the quarter's numbers when `first`, after the
    proposals otherwise. Registering the same function twice keeps one."""
    target = _first if first else _last
    if fn not in _first and fn not in _last:
        target.append(fn)
    return fn


def unregister_pack_section(fn: PackSectionFn) -> None:
    for target in (_first, _last):
        if fn in target:
            target.remove(fn)


def sections(ctx: PackContext, *, first: bool) -> list[PackSection]:
    return [s for fn in (_first if first else _last) if (s := fn(ctx)) is not None]
