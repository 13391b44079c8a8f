"""What the domain counts, declared by the app that owns it.

A roll-up table holds, for every unit, the totals of its strict descendants' own figures
under some key (per level, per step, per due date…). Each domain app declares its tables
here, with a function that computes the units' own figures in the database; the machinery
in `progress.rollups` then keeps every table the same way (add along the ancestors,
restructure, recompute, check, rebuild) without knowing what it counts. A later app
(documents, personnel plans, petitions) adds a counter in its own `progress.py` without
editing this one or any other app:

    UNITS = registry.register(registry.Counter(
        name="units", model=UnitCount, keys=("level",), values=("units",),
        own=lambda ids: ((pk, (level,), (1,)) for pk, level in Unit.objects.filter(pk__in=ids).values_list("pk", "level")),
    ))

Apps register when they are imported (their AppConfig.ready imports their progress module).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

# (unit id, key, values): one unit's own figures under one key of a counter.
OwnRow = tuple[int, tuple, tuple]


@dataclass(frozen=True)
class Counter:
    """A roll-up table. Its rows are (unit, *keys) → values, where `unit` is an ancestor and
    the values sum the own figures of every unit strictly below it."""

    name: str
    model: type[models.Model]
    keys: tuple[str, ...]
    values: tuple[str, ...]
    # Own figures of these units (a chunk of at most a thousand ids), grouped in the database.
    own: Callable[[list[int]], Iterable[OwnRow]]

    @property
    def fields(self) -> tuple[str, ...]:
        return ("unit", *self.keys)


@dataclass(frozen=True)
class Derived:
    """A stored fact about a row that depends on its neighbours in the tree and that a
    counter counts (the congress's bottom-up flag): recomputed for the units whose children
    changed after a restructuring, from scratch by a rebuild, and compared by a check."""

    name: str
    # Ids of the rows whose stored value differs from a recomputation.
    wrong: Callable[[], set]
    # Recompute the rows of these units, carrying each change into the counters.
    refresh_units: Callable[[set[int]], object]
    # Recompute every row (before the counters are rebuilt).
    refresh_all: Callable[[], object]


_counters: dict[str, Counter] = {}
_derived: dict[str, Derived] = {}


def register(counter: Counter) -> Counter:
    """Declare a counter; registering the same name twice keeps the first (a module
    imported again), a different table under a taken name is a mistake."""
    existing = _counters.setdefault(counter.name, counter)
    if existing.model is not counter.model:
        raise ValueError(f"Counter {counter.name!r} is already registered for {existing.model.__name__}")
    return existing


def register_derived(derived: Derived) -> Derived:
    return _derived.setdefault(derived.name, derived)


def counters() -> list[Counter]:
    return list(_counters.values())


def counter(name: str) -> Counter:
    return _counters[name]


def derived() -> list[Derived]:
    return list(_derived.values())
