"""What congresses and milestones count (progress.registry), and how each service's change
reaches the roll-ups.

Four tables, each the totals over a unit's strict descendants:

- congresses per term and level: opened, registered, held, pilots, pilots held, dated
  before their subordinates (the bottom-up flag, a derived fact kept on each congress);
- milestones per plan step: total and done;
- unfinished milestones per term and due date ("overdue below X as of today" is the sum
  over the dates before today: a few hundred rows, not a million);
- congresses per term, level and the date they count on (the dashboard's calendar).

The single services wrap their change in `track_congress`; the bulk services hand their
before/after states to `apply_changes`. Both end in `congress_changed`,
`congress_dates_changed` and `milestones_changed` below.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

from committees.models import PATH_SEGMENT_WIDTH, Unit
from core.sql import Prepared, as_date
from progress import registry, rollups

from progress.models import CongressCount, CongressDateCount, OpenDueCount, StepCount

from .models import Congress, CongressStatus, Milestone, MilestoneStatus, Subcommittee, SubcommitteeCount

CONGRESS_FLAGS = ("congresses", "registered", "held", "pilots", "pilots_held", "before_subordinates")
_HELD = Q(status=CongressStatus.HELD)
_DONE = Q(status=MilestoneStatus.DONE)


# ---------------------------------------------------------------------------------------
# Each unit's own figures, grouped in the database (recomputation, restructuring).


def _own_congresses(unit_ids: list[int]):
    rows = (
        Congress.objects.filter(unit_id__in=unit_ids).values("unit_id", "term_id", "unit__level")
        .annotate(
            congresses=Count("pk"),
            registered=Count("pk", filter=Q(registered_on__isnull=False)),
            held=Count("pk", filter=_HELD),
            pilots=Count("pk", filter=Q(is_pilot=True)),
            pilots_held=Count("pk", filter=Q(is_pilot=True) & _HELD),
            before_subordinates=Count("pk", filter=Q(before_subordinates=True)),
        )
    )
    for row in rows:
        yield row["unit_id"], (row["term_id"], row["unit__level"]), tuple(row[f] for f in CONGRESS_FLAGS)


def _own_steps(unit_ids: list[int]):
    rows = (
        Milestone.objects.filter(congress__unit_id__in=unit_ids).values("congress__unit_id", "step_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=_DONE))
    )
    for row in rows:
        yield row["congress__unit_id"], (row["step_id"],), (row["total"], row["done"])


def _own_open_due(unit_ids: list[int]):
    rows = (
        Milestone.objects.filter(congress__unit_id__in=unit_ids, due_date__isnull=False).exclude(_DONE)
        .values("congress__unit_id", "congress__term_id", "due_date").annotate(n=Count("pk"))
    )
    for row in rows:
        yield row["congress__unit_id"], (row["congress__term_id"], row["due_date"]), (row["n"],)


def _own_dates(unit_ids: list[int]):
    rows = (
        Congress.objects.filter(unit_id__in=unit_ids).annotate(date=Congress.counts_on_expr())
        .filter(date__isnull=False).values("unit_id", "term_id", "unit__level", "date")
        .annotate(n=Count("pk"), pilots=Count("pk", filter=Q(is_pilot=True)))
    )
    for row in rows:
        yield row["unit_id"], (row["term_id"], row["unit__level"], row["date"]), (row["n"], row["pilots"])


def _own_subcommittees(unit_ids: list[int]):
    """Congresses with at least one subcommittee entered: their subcommittees are set up."""
    rows = (
        Congress.objects.filter(unit_id__in=unit_ids)
        .filter(pk__in=Subcommittee.objects.values("congress_id"))
        .values("unit_id", "term_id", "unit__level").annotate(n=Count("pk"))
    )
    for row in rows:
        yield row["unit_id"], (row["term_id"], row["unit__level"]), (row["n"],)


CONGRESSES = registry.register(registry.Counter(
    name="congresses", model=CongressCount, keys=("term", "level"), values=CONGRESS_FLAGS, own=_own_congresses,
))
STEPS = registry.register(registry.Counter(
    name="steps", model=StepCount, keys=("step",), values=("total", "done"), own=_own_steps,
))
OPEN_DUE = registry.register(registry.Counter(
    name="open_due", model=OpenDueCount, keys=("term", "due_date"), values=("open",), own=_own_open_due,
))
DATES = registry.register(registry.Counter(
    name="dates", model=CongressDateCount, keys=("term", "level", "date"), values=("congresses", "pilots"),
    own=_own_dates,
))
SUBCOMMITTEES = registry.register(registry.Counter(
    name="subcommittees", model=SubcommitteeCount, keys=("term", "level"), values=("set_up",),
    own=_own_subcommittees,
))


# ---------------------------------------------------------------------------------------
# What one congress or milestone counts as.


def congress_flags(congress: Congress) -> list[int]:
    """The congress's contribution to CONGRESS_FLAGS."""
    held = congress.is_held
    return [1, int(congress.registered_on is not None), int(held), int(congress.is_pilot),
            int(congress.is_pilot and held), int(congress.before_subordinates)]


def congress_dated(congress: Congress) -> tuple[dt.date | None, int]:
    """(the date the congress counts on, 1 if a pilot): its key in the calendar table."""
    return congress.counts_on, int(congress.is_pilot)


@dataclass(frozen=True)
class MilestoneState:
    step_id: int
    done: bool
    due_date: dt.date | None

    @classmethod
    def of(cls, milestone: Milestone) -> MilestoneState:
        return cls(milestone.step_id, milestone.is_done, milestone.due_date)


# ---------------------------------------------------------------------------------------
# Deltas, along the unit's ancestors.


def congress_changed(unit: Unit, term_id: int, old_flags: list[int] | None, new_flags: list[int] | None) -> None:
    """A congress was created (old None), changed, or deleted (new None)."""
    rollups.touch([unit.pk])  # its own page shows its congress
    old = old_flags or [0] * len(CONGRESS_FLAGS)
    new = new_flags or [0] * len(CONGRESS_FLAGS)
    rollups.add(CONGRESSES, unit.path, {(term_id, unit.level): [n - o for n, o in zip(new, old, strict=True)]})


def congress_dates_changed(unit: Unit, term_id: int, changes: Iterable[tuple[tuple | None, tuple | None]]) -> None:
    """Congresses of units with the same ancestors (and level) moved date: (before, after)
    pairs of `congress_dated`, None for created/deleted."""
    rollups.touch([unit.pk])
    delta: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is None or state[0] is None:
                continue
            delta[state[0]][0] += sign
            delta[state[0]][1] += sign * state[1]
    rollups.add(DATES, unit.path, {(term_id, unit.level, date): v for date, v in delta.items()})


def subcommittees_changed(unit: Unit, term_id: int, was_set_up: bool, is_set_up: bool) -> None:
    """A congress's subcommittees were entered (its first one) or all removed
    (congresses.services.subcommittee_*, congress_delete)."""
    rollups.touch([unit.pk])  # its own page and row show them
    if was_set_up != is_set_up:
        rollups.add(SUBCOMMITTEES, unit.path, {(term_id, unit.level): (int(is_set_up) - int(was_set_up),)})


def milestones_changed(unit: Unit, term_id: int, changes: Iterable[tuple[MilestoneState | None, MilestoneState | None]]) -> None:
    """Milestones of one unit's congress changed: (before, after) pairs; None for created/deleted."""
    rollups.touch([unit.pk], counters=[STEPS.name, OPEN_DUE.name])  # its congress's step counts
    steps: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    open_due: dict[dt.date, int] = defaultdict(int)
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is None:
                continue
            steps[state.step_id][0] += sign
            steps[state.step_id][1] += sign * int(state.done)
            if not state.done and state.due_date is not None:
                open_due[state.due_date] += sign
    rollups.add(STEPS, unit.path, {(step_id,): v for step_id, v in steps.items()})
    rollups.add(OPEN_DUE, unit.path, {(term_id, date): (n,) for date, n in open_due.items()})


# ---------------------------------------------------------------------------------------
# The bottom-up flag (DOMAIN.md: a unit holds its congress after its subordinates).


def _before_subordinates_expr():
    """True when the congress counts on a date before the latest congress of the unit's
    direct subordinates in the same term."""
    latest_below = (
        Congress.objects.filter(term_id=OuterRef("term_id"), unit__parent_id=OuterRef("unit_id"))
        .order_by()
        .values("term_id")
        .annotate(latest=Max(Congress.counts_on_expr()))
        .values("latest")
    )
    return Coalesce(
        LessThan(Congress.counts_on_expr(), Subquery(latest_below)), Value(False), output_field=BooleanField()
    )


def refresh_order(unit_ids: Iterable[int], term_id: int | None = None) -> int:
    """Recompute the bottom-up flag of the congresses of these units (call it for a unit
    whose congress date moved and for its parent), and carry each change into the
    ancestors' roll-ups. Returns how many flags changed."""
    unit_ids = sorted(set(unit_ids))
    changed = 0
    for start in range(0, len(unit_ids), 500):
        qs = Congress.objects.filter(unit_id__in=unit_ids[start : start + 500])
        if term_id is not None:
            qs = qs.filter(term_id=term_id)
        stale = (
            qs.annotate(should=_before_subordinates_expr())
            .exclude(should=F("before_subordinates"))
            .select_related("unit")
            .only("unit__path", "unit__level", "term_id", "registered_on", "status", "is_pilot", "before_subordinates")
        )
        for congress in stale:
            old = congress_flags(congress)
            congress.before_subordinates = congress.should
            Congress.objects.filter(pk=congress.pk).update(before_subordinates=congress.should)
            congress_changed(congress.unit, congress.term_id, old, congress_flags(congress))
            changed += 1
    return changed


def _wrong_order() -> set[int]:
    return set(
        Congress.objects.annotate(should=_before_subordinates_expr())
        .exclude(should=F("before_subordinates")).values_list("pk", flat=True)
    )


registry.register_derived(registry.Derived(
    name="bottom-up flag of congress",
    wrong=_wrong_order,
    refresh_units=refresh_order,
    refresh_all=lambda: Congress.objects.update(before_subordinates=_before_subordinates_expr()),
))


# ---------------------------------------------------------------------------------------
# The single services: snapshot around the change.


class track_congress:  # noqa: N801 — used as a context manager, reads like a statement
    """Snapshot a congress and its milestones before a service changes them, and apply the
    difference to the ancestors' roll-ups afterwards. Whatever the service changes inside
    (dates, statuses, the register/hold links, a delete), the roll-ups follow. Two queries
    on each side, two to four upserts.

        with track_congress(congress_id):
            ...change (or delete) the congress and its milestones...
    """

    def __init__(self, congress_id: int | None):
        self.congress_id = congress_id

    def __enter__(self):
        self.before = _snapshot(self.congress_id) if self.congress_id else None
        return self

    def track(self, congress_id: int) -> None:
        """For a congress created inside the block."""
        self.congress_id = congress_id

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None or self.congress_id is None:
            return False
        after = _snapshot(self.congress_id)
        before = self.before
        state = after or before
        if state is None:
            return False
        unit, term_id = state["unit"], state["term_id"]
        old_flags = before["flags"] if before else None
        new_flags = after["flags"] if after else None
        if old_flags != new_flags:
            congress_changed(unit, term_id, old_flags, new_flags)
        old_dated = before["dated"] if before else None
        new_dated = after["dated"] if after else None
        if old_dated != new_dated:
            congress_dates_changed(unit, term_id, [(old_dated, new_dated)])
            if old_dated is None or new_dated is None or old_dated[0] != new_dated[0]:
                refresh_order([pk for pk in (unit.pk, unit.parent_id) if pk is not None], term_id)
        old_ms = before["milestones"] if before else {}
        new_ms = after["milestones"] if after else {}
        pairs = [(old_ms.get(pk), s) for pk, s in new_ms.items() if old_ms.get(pk) != s]
        pairs += [(s, None) for pk, s in old_ms.items() if pk not in new_ms]
        if pairs:
            milestones_changed(unit, term_id, pairs)
        return False


def _milestone_states(*, congress_id):
    return Milestone.objects.filter(congress_id=congress_id).values_list("pk", "step_id", "status", "due_date")


# Built once (core.sql): every milestone ticked reads it twice, before and after.
_MILESTONE_STATES = Prepared(_milestone_states)


def _snapshot(congress_id: int) -> dict | None:
    congress = Congress.objects.select_related("unit").only(
        "unit__path", "unit__level", "unit__parent_id", "term_id", "registered_on", "held_on", "planned_date",
        "status", "is_pilot", "before_subordinates",
    ).filter(pk=congress_id).first()
    if congress is None:  # deleted inside the block
        return None
    milestones = {
        pk: MilestoneState(step_id, status == MilestoneStatus.DONE, as_date(due))
        for pk, step_id, status, due in _MILESTONE_STATES(("milestone_states",), congress_id=congress_id)
    }
    return {"unit": congress.unit, "term_id": congress.term_id, "flags": congress_flags(congress),
            "dated": congress_dated(congress), "milestones": milestones}


# ---------------------------------------------------------------------------------------
# The bulk services: many congresses' before/after states at once.


@dataclass
class CongressDelta:
    """One congress's change as the bulk services record it."""

    unit: Unit
    term_id: int
    flags_before: list[int] | None
    flags_after: list[int]
    milestones: list[tuple[MilestoneState | None, MilestoneState | None]]
    dated_before: tuple | None
    dated_after: tuple


def apply_changes(changes: Iterable[CongressDelta]) -> None:
    """Apply many congresses' changes to the roll-ups. Units with the same parent have the
    same ancestors, so their changes are summed and applied together: a few statements per
    parent instead of a few per congress. Then the bottom-up flags of the units whose
    congress date moved, and of their parents."""
    congress_delta: dict[tuple, list] = {}  # (parent path, term, level) -> [unit, summed delta]
    milestone_pairs: dict[tuple, list] = {}  # (parent path, term) -> [unit, pairs]
    dated_pairs: dict[tuple, list] = {}  # (parent path, term, level) -> [unit, pairs]
    reorder: dict[int, set[int]] = {}  # term -> units whose bottom-up flag may change
    touched: set[int] = set()  # units whose own page shows a changed congress
    for ch in changes:
        unit, term_id = ch.unit, ch.term_id
        if ch.flags_before != ch.flags_after or ch.dated_before != ch.dated_after or ch.milestones:
            touched.add(unit.pk)
        parent_path = unit.path[:-PATH_SEGMENT_WIDTH]
        if ch.dated_before != ch.dated_after:
            dated_pairs.setdefault((parent_path, term_id, unit.level), [unit, []])[1].append((ch.dated_before, ch.dated_after))
            if ch.dated_before is None or ch.dated_before[0] != ch.dated_after[0]:
                reorder.setdefault(term_id, set()).update(pk for pk in (unit.pk, unit.parent_id) if pk)
        if ch.flags_before != ch.flags_after:
            old = ch.flags_before or [0] * len(ch.flags_after)
            entry = congress_delta.setdefault((parent_path, term_id, unit.level), [unit, [0] * len(ch.flags_after)])
            entry[1] = [acc + n - o for acc, n, o in zip(entry[1], ch.flags_after, old, strict=True)]
        if ch.milestones:
            milestone_pairs.setdefault((parent_path, term_id), [unit, []])[1].extend(ch.milestones)
    for (_path, term_id, _level), (unit, delta) in congress_delta.items():
        if any(delta):
            # congress_changed adds new − old to the ancestors: a summed delta is a valid "new".
            congress_changed(unit, term_id, None, delta)
    for (_path, term_id), (unit, pairs) in milestone_pairs.items():
        milestones_changed(unit, term_id, pairs)
    for (_path, term_id, _level), (unit, pairs) in dated_pairs.items():
        congress_dates_changed(unit, term_id, pairs)
    for term_id, unit_ids in reorder.items():
        refresh_order(unit_ids, term_id)
    rollups.touch(touched)
