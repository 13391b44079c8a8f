"""Keeping the roll-up tables (dashboards.models) equal to the truth.

Each function below is called by the service that makes the change, inside its
transaction, with the state before and after. A change to unit U adds a delta to the
rows of U's strict ancestors: one INSERT … ON CONFLICT DO UPDATE per table, so a
milestone update costs two statements whatever the size of the tree. `rebuild()` recomputes
everything from scratch; `differences()` compares the tables with a recomputation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

from committees.models import Unit, decode_path

from . import cache as dashboard_cache
from .models import CongressCount, CongressDateCount, OpenDueCount, StepCount, UnitCount

CONGRESS_FLAGS = ("congresses", "registered", "held", "pilots", "pilots_held", "before_subordinates")


# ---------------------------------------------------------------------------------------
# Low level: add deltas to rows of many ancestors in one statement.


def _upsert_add(model, keys: tuple[str, ...], values: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """INSERT the rows, or add their values to the existing rows with the same keys."""
    rows = [r for r in rows if any(r[len(keys):])]
    if not rows:
        return
    dashboard_cache.bump({r[0] for r in rows})  # the first key is always the unit
    table = model._meta.db_table
    columns = [model._meta.get_field(k).column for k in keys] + list(values)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f'"{v}" = "{table}"."{v}" + EXCLUDED."{v}"' for v in values)
    conflict = ", ".join(f'"{c}"' for c in columns[: len(keys)])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            sql = (
                f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )
            cursor.execute(sql, [v for row in chunk for v in row])


def ancestors_of_path(path: str) -> list[int]:
    return decode_path(path)[:-1]


# ---------------------------------------------------------------------------------------
# What a congress counts as.


def congress_date_expr():
    """The date a congress is counted on: the day it was held, or else its planned date."""
    return Coalesce("held_on", "planned_date")


def _congress_aggregates() -> dict:
    return {
        "congresses": Count("pk"),
        "registered": Count("pk", filter=Q(registered_on__isnull=False)),
        "held": Count("pk", filter=Q(status="held")),
        "pilots": Count("pk", filter=Q(is_pilot=True)),
        "pilots_held": Count("pk", filter=Q(is_pilot=True, status="held")),
        "before_subordinates": Count("pk", filter=Q(before_subordinates=True)),
    }


# ---------------------------------------------------------------------------------------
# Events, called by the services.


def unit_created(unit: Unit) -> None:
    _upsert_add(UnitCount, ("unit", "level"), ("units",), [(a, unit.level, 1) for a in ancestors_of_path(unit.path)])


def unit_level_changed(unit: Unit, old_level: str) -> None:
    """A unit changed level: its own unit count and its congresses move to the new level."""
    from congresses.models import Congress

    ancestors = ancestors_of_path(unit.path)
    _upsert_add(UnitCount, ("unit", "level"), ("units",),
                [row for a in ancestors for row in ((a, old_level, -1), (a, unit.level, 1))])
    for congress in Congress.objects.filter(unit=unit):
        flags = congress_flags(congress)
        _upsert_add(CongressCount, ("unit", "term", "level"), CONGRESS_FLAGS,
                    [row for a in ancestors for row in ((a, congress.term_id, old_level, *[-f for f in flags]),
                                                        (a, congress.term_id, unit.level, *flags))])
        date, pilot = congress_dated(congress)
        if date is not None:
            _upsert_add(CongressDateCount, ("unit", "term", "level", "date"), ("congresses", "pilots"),
                        [row for a in ancestors for row in ((a, congress.term_id, old_level, date, -1, -pilot),
                                                            (a, congress.term_id, unit.level, date, 1, pilot))])


def congress_flags(congress) -> list[int]:
    held = congress.status == "held"
    return [1, int(congress.registered_on is not None), int(held), int(congress.is_pilot),
            int(congress.is_pilot and held), int(congress.before_subordinates)]


def congress_dated(congress) -> tuple[dt.date | None, int]:
    """(the date the congress counts on, 1 if a pilot): its key in CongressDateCount."""
    return congress.held_on or congress.planned_date, int(congress.is_pilot)


def congress_dates_changed(unit: Unit, term_id: int, changes: Iterable[tuple[tuple | None, tuple | None]]) -> None:
    """Congresses of units with the same ancestors (and level) moved date: (before, after)
    pairs of `congress_dated`, None for created/deleted."""
    dashboard_cache.bump([unit.pk])
    delta: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for before, after in changes:
        for state, sign in ((before, -1), (after, 1)):
            if state is None or state[0] is None:
                continue
            delta[state[0]][0] += sign
            delta[state[0]][1] += sign * state[1]
    _upsert_add(CongressDateCount, ("unit", "term", "level", "date"), ("congresses", "pilots"),
                [(a, term_id, unit.level, date, *v) for a in ancestors_of_path(unit.path) for date, v in delta.items()])


def _before_subordinates_expr():
    """True when the congress is dated before the latest congress of the unit's direct
    subordinates in the same term (DOMAIN.md: congresses go bottom-up)."""
    from congresses.models import Congress

    latest_below = (
        Congress.objects.filter(term_id=OuterRef("term_id"), unit__parent_id=OuterRef("unit_id"))
        .order_by()
        .values("term_id")
        .annotate(latest=Max(congress_date_expr()))
        .values("latest")
    )
    return Coalesce(
        LessThan(congress_date_expr(), Subquery(latest_below)), Value(False), output_field=BooleanField()
    )


def refresh_order(unit_ids: Iterable[int], term_id: int | None = None) -> int:
    """Recompute the bottom-up flag of the congresses of these units (call it for a unit
    whose congress date moved and for its parent), and carry each change into the
    ancestors' roll-ups. Returns how many flags changed."""
    from congresses.models import Congress

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


def refresh_order_all() -> int:
    """Set every congress's bottom-up flag from scratch (rebuild): one UPDATE."""
    from congresses.models import Congress

    return Congress.objects.update(before_subordinates=_before_subordinates_expr())


def congress_changed(unit: Unit, term_id: int, old_flags: list[int] | None, new_flags: list[int] | None) -> None:
    """A congress was created (old None), changed, or deleted (new None)."""
    dashboard_cache.bump([unit.pk])  # its own page shows its congress
    old = old_flags or [0] * len(CONGRESS_FLAGS)
    new = new_flags or [0] * len(CONGRESS_FLAGS)
    delta = [n - o for n, o in zip(new, old, strict=True)]
    _upsert_add(CongressCount, ("unit", "term", "level"), CONGRESS_FLAGS,
                [(a, term_id, unit.level, *delta) for a in ancestors_of_path(unit.path)])


@dataclass(frozen=True)
class MilestoneState:
    step_id: int
    done: bool
    due_date: dt.date | None

    @classmethod
    def of(cls, milestone) -> MilestoneState:
        return cls(milestone.step_id, milestone.status == "done", milestone.due_date)


def milestones_changed(unit: Unit, term_id: int, changes: Iterable[tuple[MilestoneState | None, MilestoneState | None]]) -> None:
    """Milestones of one congress changed: (before, after) pairs; None for created/deleted."""
    dashboard_cache.bump([unit.pk])
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
    ancestors = ancestors_of_path(unit.path)
    _upsert_add(StepCount, ("unit", "step"), ("total", "done"), [(a, s, *v) for a in ancestors for s, v in steps.items()])
    _upsert_add(OpenDueCount, ("unit", "term", "due_date"), ("open",),
                [(a, term_id, d, n) for a in ancestors for d, n in open_due.items()])


# ---------------------------------------------------------------------------------------
# Units moved or re-levelled: one subtree (unit_move) or many at once (the import).


class Restructuring:
    """The net change to the roll-ups of a bulk restructuring, in two passes around it:

        r = Restructuring(moved_or_relevelled_ids)   # before: take the affected units out
        ...write the new parents, paths and levels...
        r.finish(created_ids)                        # after: put them back, add the new ones

    The affected units are the whole subtrees of the units that move or change level: their
    chains of ancestors (or their level) change. Each contributes its own unit, congresses
    and milestones to every strict ancestor; the first pass subtracts that along the old
    chains, the second adds it along the new ones, and only the net difference is written —
    a few upserts, however many units the file touches, instead of a rebuild.
    """

    def __init__(self, unit_ids: Iterable[int]):
        paths = sorted(Unit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True))
        roots: list[str] = []
        for path in paths:  # sorted, so an ancestor comes before its subtree
            if not roots or not path.startswith(roots[-1]):
                roots.append(path)
        self.ids: list[int] = []
        for start in range(0, len(roots), 200):
            q = Q()
            for path in roots[start : start + 200]:
                q |= Q(path__startswith=path)
            self.ids.extend(Unit.objects.filter(q).values_list("pk", flat=True))
        self.parents = set(Unit.objects.filter(pk__in=[decode_path(p)[-1] for p in roots]).values_list("parent_id", flat=True))
        self.delta = _new_delta()
        _spread(self.delta, self.ids, -1)

    def finish(self, created_ids: Iterable[int] = ()) -> None:
        created = list(created_ids)
        _spread(self.delta, self.ids + created, 1)
        moved_roots = Unit.objects.filter(pk__in=self.ids).exclude(parent_id__in=self.ids)
        parents = self.parents | set(moved_roots.values_list("parent_id", flat=True))
        parents |= set(Unit.objects.filter(pk__in=created).values_list("parent_id", flat=True))
        tables = {
            "units": (UnitCount, ("unit", "level"), ("units",)),
            "congresses": (CongressCount, ("unit", "term", "level"), CONGRESS_FLAGS),
            "steps": (StepCount, ("unit", "step"), ("total", "done")),
            "open_due": (OpenDueCount, ("unit", "term", "due_date"), ("open",)),
            "dates": (CongressDateCount, ("unit", "term", "level", "date"), ("congresses", "pilots")),
        }
        for name, (model, keys, values) in tables.items():
            _upsert_add(model, keys, values, [(*k, *v[: len(values)]) for k, v in self.delta[name].items()])
        refresh_order(pk for pk in parents if pk is not None)


def _spread(delta: dict, ids: list[int], sign: int) -> None:
    """Add `sign` × the own figures of each unit (its unit, congresses and milestones) to the
    rows of every strict ancestor in `delta`: {table: {key: values}}. Five grouped queries
    per thousand units."""
    from congresses.models import Congress, Milestone

    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        unit_rows = Unit.objects.filter(pk__in=chunk).values_list("pk", "path", "level")
        up = {pk: (ancestors_of_path(path), level) for pk, path, level in unit_rows}

        def add(table: str, unit_id: int, key: tuple, values) -> None:
            ancestors, _level = up[unit_id]
            for a in ancestors:
                acc = delta[table][(a, *key)]
                for i, v in enumerate(values):
                    acc[i] += sign * v

        for pk, (_ancestors, level) in up.items():
            add("units", pk, (level,), (1,))
        for row in Congress.objects.filter(unit_id__in=chunk).values("unit_id", "term_id").annotate(**_congress_aggregates()):
            add("congresses", row["unit_id"], (row["term_id"], up[row["unit_id"]][1]), [row[f] for f in CONGRESS_FLAGS])
        for row in (
            Congress.objects.filter(unit_id__in=chunk).annotate(date=congress_date_expr()).filter(date__isnull=False)
            .values("unit_id", "term_id", "date").annotate(n=Count("pk"), pilots=Count("pk", filter=Q(is_pilot=True)))
        ):
            add("dates", row["unit_id"], (row["term_id"], up[row["unit_id"]][1], row["date"]), (row["n"], row["pilots"]))
        milestones = Milestone.objects.filter(congress__unit_id__in=chunk)
        for row in milestones.values("congress__unit_id", "step_id").annotate(
            total=Count("pk"), done=Count("pk", filter=Q(status="done"))
        ):
            add("steps", row["congress__unit_id"], (row["step_id"],), (row["total"], row["done"]))
        for row in (
            milestones.filter(due_date__isnull=False).exclude(status="done")
            .values("congress__unit_id", "congress__term_id", "due_date").annotate(n=Count("pk"))
        ):
            add("open_due", row["congress__unit_id"], (row["congress__term_id"], row["due_date"]), (row["n"],))


def _new_delta() -> dict[str, dict[tuple, list[int]]]:
    return defaultdict(lambda: defaultdict(lambda: [0] * len(CONGRESS_FLAGS)))


# ---------------------------------------------------------------------------------------
# From scratch.


def compute() -> dict[str, dict]:
    """Every roll-up, recomputed from the units, congresses and milestones: each unit's
    own figures are grouped in the database, then added to its ancestors (`_spread`)."""
    from congresses.models import Congress

    delta = _new_delta()
    _spread(delta, list(Unit.objects.order_by("pk").values_list("pk", flat=True)), 1)
    widths = {"units": 1, "congresses": len(CONGRESS_FLAGS), "steps": 2, "open_due": 1, "dates": 2}
    out: dict = {}
    for table, width in widths.items():
        rows = {k: v[:width] for k, v in delta[table].items() if any(v[:width])}
        out[table] = {k: v[0] for k, v in rows.items()} if width == 1 else {k: tuple(v) for k, v in rows.items()}
    out["order"] = set(
        Congress.objects.annotate(should=_before_subordinates_expr()).filter(should=True).values_list("pk", flat=True)
    )
    return out


def stored() -> dict[str, dict]:
    from congresses.models import Congress

    return {
        "units": {(r[0], r[1]): r[2] for r in UnitCount.objects.values_list("unit_id", "level", "units") if r[2]},
        "congresses": {
            (r[0], r[1], r[2]): tuple(r[3:])
            for r in CongressCount.objects.values_list("unit_id", "term_id", "level", *CONGRESS_FLAGS)
            if any(r[3:])
        },
        "steps": {(r[0], r[1]): (r[2], r[3]) for r in StepCount.objects.values_list("unit_id", "step_id", "total", "done") if any(r[2:])},
        "open_due": {(r[0], r[1], r[2]): r[3] for r in OpenDueCount.objects.values_list("unit_id", "term_id", "due_date", "open") if r[3]},
        "dates": {
            (r[0], r[1], r[2], r[3]): (r[4], r[5])
            for r in CongressDateCount.objects.values_list("unit_id", "term_id", "level", "date", "congresses", "pilots")
            if any(r[4:])
        },
        "order": set(Congress.objects.filter(before_subordinates=True).values_list("pk", flat=True)),
    }


def differences(limit: int = 20) -> list[str]:
    """Where the stored roll-ups differ from a recomputation; empty when they agree."""
    truth, kept = compute(), stored()
    out = []
    for pk in sorted(truth.pop("order") ^ kept.pop("order")):
        out.append(f"congress {pk}: stored bottom-up flag is wrong")
        if len(out) >= limit:
            return out
    for table in truth:
        for key in sorted(set(truth[table]) | set(kept[table]), key=str):
            if truth[table].get(key) != kept[table].get(key):
                out.append(f"{table}{key}: stored {kept[table].get(key)} != computed {truth[table].get(key)}")
                if len(out) >= limit:
                    return out
    return out


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Replace every roll-up row with a recomputation. Locks the tables meanwhile."""
    dashboard_cache.bump_all()
    refresh_order_all()
    truth = compute()
    truth.pop("order")
    for model in (UnitCount, CongressCount, StepCount, OpenDueCount, CongressDateCount):
        model.objects.all().delete()
    UnitCount.objects.bulk_create(
        [UnitCount(unit_id=u, level=level, units=n) for (u, level), n in truth["units"].items()], batch_size=5000
    )
    CongressCount.objects.bulk_create(
        [CongressCount(unit_id=u, term_id=t, level=level, **dict(zip(CONGRESS_FLAGS, v, strict=True)))
         for (u, t, level), v in truth["congresses"].items()],
        batch_size=5000,
    )
    StepCount.objects.bulk_create(
        [StepCount(unit_id=u, step_id=s, total=v[0], done=v[1]) for (u, s), v in truth["steps"].items()], batch_size=5000
    )
    OpenDueCount.objects.bulk_create(
        [OpenDueCount(unit_id=u, term_id=t, due_date=d, open=n) for (u, t, d), n in truth["open_due"].items()],
        batch_size=5000,
    )
    CongressDateCount.objects.bulk_create(
        [CongressDateCount(unit_id=u, term_id=t, level=level, date=d, congresses=v[0], pilots=v[1])
         for (u, t, level, d), v in truth["dates"].items()],
        batch_size=5000,
    )
    return {k: len(v) for k, v in truth.items()}


# ---------------------------------------------------------------------------------------
# Tracking a congress through a service call.


class track_congress:  # noqa: N801 — used as a context manager, reads like a statement
    """Snapshot a congress and its milestones before a service changes them, and apply the
    difference to the ancestors' roll-ups afterwards. Whatever the service changes inside
    (dates, statuses, the register/hold links), the roll-ups follow. Two queries on each
    side, two to four upserts.

        with rollups.track_congress(congress_id):
            ...change the congress and its milestones...
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
        unit = after["unit"]
        old_flags = before["flags"] if before else None
        if old_flags != after["flags"]:
            congress_changed(unit, after["term_id"], old_flags, after["flags"])
        old_dated = before["dated"] if before else None
        if old_dated != after["dated"]:
            congress_dates_changed(unit, after["term_id"], [(old_dated, after["dated"])])
            if old_dated is None or old_dated[0] != after["dated"][0]:
                refresh_order([pk for pk in (unit.pk, unit.parent_id) if pk is not None], after["term_id"])
        old_ms = before["milestones"] if before else {}
        pairs = [
            (old_ms.get(pk), state)
            for pk, state in after["milestones"].items()
            if old_ms.get(pk) != state
        ] + [(state, None) for pk, state in old_ms.items() if pk not in after["milestones"]]
        if pairs:
            milestones_changed(unit, after["term_id"], pairs)
        return False


def _snapshot(congress_id: int) -> dict:
    from congresses.models import Congress, Milestone

    congress = Congress.objects.select_related("unit").only(
        "unit__path", "unit__level", "unit__parent_id", "term_id", "registered_on", "held_on", "planned_date",
        "status", "is_pilot", "before_subordinates",
    ).get(pk=congress_id)
    milestones = {
        pk: MilestoneState(step_id, status == "done", due)
        for pk, step_id, status, due in Milestone.objects.filter(congress_id=congress_id).values_list(
            "pk", "step_id", "status", "due_date"
        )
    }
    return {"unit": congress.unit, "term_id": congress.term_id, "flags": congress_flags(congress),
            "dated": congress_dated(congress), "milestones": milestones}
