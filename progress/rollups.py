"""Keeping the roll-up tables equal to the truth, whatever they count.

A change to unit U adds a delta to the rows of U's strict ancestors: one
INSERT … ON CONFLICT DO UPDATE per table, so a milestone update costs two statements
whatever the size of the tree. The domain services call `add` (or a helper of their own
app built on it) inside their transaction, with the difference they made; `Recount` wraps
a change of the tree's shape (moves, re-levels, imports, deletes); `rebuild()` recomputes
every table from scratch and `differences()` compares the tables with a recomputation.

What each table counts is declared by its app in `progress.registry`; nothing here names
a table. When the transaction commits, `progress.signals.units_changed` tells the
presentation layer which units' figures changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import partial

from django.db import connection, transaction
from django.db.models import Q

from committees.models import Unit, decode_path

from . import registry
from .registry import Counter
from .signals import units_changed

_BATCH = 500
_CHUNK = 1000  # units whose own figures are grouped in one query per counter


def ancestors_of_path(path: str) -> list[int]:
    """The strict ancestors of the unit at `path`, root first: the rows a change to it adds to."""
    return decode_path(path)[:-1]


# ---------------------------------------------------------------------------------------
# After the commit: tell the pages.


def _send(unit_ids: frozenset[int] | None, counters: frozenset[str] | None = None) -> None:
    units_changed.send(sender=Unit, unit_ids=unit_ids, counters=counters)


def touch(unit_ids: Iterable[int], counters: Iterable[str] | None = None) -> None:
    """What the pages of these units show has changed: say so once the transaction commits.
    `counters`: the names of the counters whose figures of these units are all that
    changed (their own, or their subtree's); None (the default) when it may be anything."""
    ids = frozenset(unit_ids)
    if ids:
        transaction.on_commit(partial(_send, ids, None if counters is None else frozenset(counters)))


def touch_all() -> None:
    transaction.on_commit(partial(_send, None))


# ---------------------------------------------------------------------------------------
# Writing deltas.


def upsert(counter: Counter, rows: Iterable[tuple]) -> None:
    """INSERT rows (unit, *keys, *values), or add their values to the rows with the same
    unit and keys. Rows that add nothing are dropped; the units written are touched."""
    width = len(counter.fields)
    rows = [r for r in rows if any(r[width:])]
    if not rows:
        return
    touch((r[0] for r in rows), counters=[counter.name])
    model = counter.model
    table = model._meta.db_table
    quote = connection.ops.quote_name
    key_columns = [model._meta.get_field(f).column for f in counter.fields]
    columns = [quote(c) for c in key_columns + list(counter.values)]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{quote(v)} = {quote(table)}.{quote(v)} + EXCLUDED.{quote(v)}" for v in counter.values)
    conflict = ", ".join(quote(c) for c in key_columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            chunk = rows[start : start + _BATCH]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                [v for row in chunk for v in row],
            )


def add(counter: Counter, path: str, deltas: Mapping[tuple, Iterable[int]]) -> None:
    """Add `deltas` ({key: values}) of the unit at `path` to every strict ancestor's row."""
    ancestors = ancestors_of_path(path)
    upsert(counter, [(a, *key, *values) for key, values in deltas.items() for a in ancestors])


# ---------------------------------------------------------------------------------------
# Changes of the tree's shape: moves, re-levels, imports, deletes.


class Recount:
    """The net change to every roll-up of a change to the tree's shape, in two passes
    around it:

        r = Recount(unit_ids)       # before: take the units' own figures out
        ...move, re-level, import or delete them...
        r.finish(created_ids)       # after: put back what is still there, add the new ones

    With `subtrees=True` (moves, imports) the whole subtree of each unit is taken out: the
    chains of ancestors of every unit below a moved one change. A re-level or a delete
    changes only the units themselves. Each unit contributes its own figures (every
    registered counter's) to every strict ancestor; the first pass subtracts them along
    the old chains, the second adds what is left along the new ones, and only the net
    difference is written: a few upserts, however many units change, instead of a rebuild.
    Then the derived facts (the bottom-up flag) of the parents concerned are recomputed.
    """

    def __init__(self, unit_ids: Iterable[int], *, subtrees: bool = True):
        unit_ids = list(unit_ids)
        if subtrees:
            paths = sorted(Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
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
            tops = [decode_path(p)[-1] for p in roots]
        else:
            self.ids = sorted(set(unit_ids))
            tops = self.ids
        self.parents = set(Unit.objects.filter(pk__in=tops).values_list("parent_id", flat=True))
        self.delta = _new_delta()
        spread(self.delta, self.ids, -1)

    def finish(self, created_ids: Iterable[int] = ()) -> None:
        created = list(created_ids)
        spread(self.delta, self.ids + created, 1)
        moved_roots = Unit.objects.filter(pk__in=self.ids).exclude(parent_id__in=self.ids)
        parents = self.parents | set(moved_roots.values_list("parent_id", flat=True))
        parents |= set(Unit.objects.filter(pk__in=created).values_list("parent_id", flat=True))
        for counter in registry.counters():
            width = len(counter.values)
            upsert(counter, [(*k, *v[:width]) for k, v in self.delta[counter.name].items()])
        parents.discard(None)
        for derived in registry.derived():
            derived.refresh_units(parents)


def spread(delta: dict, ids: list[int], sign: int) -> None:
    """Add `sign` × the own figures of each unit to the rows of every strict ancestor in
    `delta` ({counter name: {(ancestor, *key): values}}): one grouped query per counter
    and thousand units."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        up = {pk: ancestors_of_path(path) for pk, path in Unit.objects.filter(pk__in=chunk).values_list("pk", "path")}
        for counter in registry.counters():
            table = delta[counter.name]
            for unit_id, key, values in counter.own(chunk):
                for a in up.get(unit_id, ()):
                    acc = table[(a, *key)]
                    for i, v in enumerate(values):
                        acc[i] += sign * v


def _new_delta() -> dict[str, dict[tuple, list[int]]]:
    width = max((len(c.values) for c in registry.counters()), default=1)
    return defaultdict(lambda: defaultdict(lambda: [0] * width))


# ---------------------------------------------------------------------------------------
# From scratch.


def compute() -> dict[str, dict[tuple, tuple]]:
    """Every registered roll-up, recomputed from the domain's rows: each unit's own
    figures are grouped in the database, then added to its ancestors (`spread`)."""
    delta = _new_delta()
    spread(delta, list(Unit.objects.order_by("pk").values_list("pk", flat=True)), 1)
    out = {}
    for counter in registry.counters():
        width = len(counter.values)
        out[counter.name] = {k: tuple(v[:width]) for k, v in delta[counter.name].items() if any(v[:width])}
    return out


def stored() -> dict[str, dict[tuple, tuple]]:
    out = {}
    for counter in registry.counters():
        model = counter.model
        names = [model._meta.get_field(f).attname for f in counter.fields]
        width = len(names)
        out[counter.name] = {
            tuple(r[:width]): tuple(r[width:])
            for r in model.objects.values_list(*names, *counter.values)
            if any(r[width:])
        }
    return out


def differences(limit: int = 20) -> list[str]:
    """Where the stored roll-ups differ from a recomputation; empty when they agree."""
    out = []
    for derived in registry.derived():
        for pk in sorted(derived.wrong()):
            out.append(f"{derived.name} {pk}: the stored value is wrong")
            if len(out) >= limit:
                return out
    truth, kept = compute(), stored()
    for name in truth:
        for key in sorted(set(truth[name]) | set(kept[name]), key=str):
            if truth[name].get(key) != kept[name].get(key):
                out.append(f"{name}{key}: stored {kept[name].get(key)} != computed {truth[name].get(key)}")
                if len(out) >= limit:
                    return out
    return out


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Replace every roll-up row with a recomputation: the derived facts first (the
    counters count them), then each table. Returns the rows written per counter."""
    touch_all()
    for derived in registry.derived():
        derived.refresh_all()
    truth = compute()
    for counter in registry.counters():
        model = counter.model
        model.objects.all().delete()
        names = [model._meta.get_field(f).attname for f in counter.fields]
        model.objects.bulk_create(
            [model(**dict(zip(names, key, strict=True)), **dict(zip(counter.values, values, strict=True)))
             for key, values in truth[counter.name].items()],
            batch_size=5000,
        )
    return {name: len(rows) for name, rows in truth.items()}
