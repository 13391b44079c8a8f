"""What the working groups count (progress.registry): the units an active working group
follows, and those followed twice, per term (the group's) and level (the unit's), below
each unit: the dashboard's "135/135 followed" without counting assignments live.

A unit's own figure, for each term in which an active group follows it (an open
GroupUnit): followed 1, and twice 1 when two groups of that term follow it or two members
are assigned to it (workgroups.selectors.twice_q says the same for the coverage matrix).
The services wrap every change of followed units, assignments and groups in
`track_followed(unit ids)`, which applies the change of those units' own figures to their
ancestors' rows in the same transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.db.models import Count

from committees.models import Unit
from progress import registry, rollups

from .models import Assignment, FollowedCount, GroupStatus, GroupUnit


def _own_followed(unit_ids: list[int]):
    groups = (
        GroupUnit.objects.filter(unit_id__in=unit_ids, ended_on__isnull=True, group__status=GroupStatus.ACTIVE)
        .values("unit_id", "group__term_id", "unit__level").annotate(n=Count("group_id", distinct=True))
    )
    followers = {
        (r["unit_id"], r["member__group__term_id"]): r["n"]
        for r in Assignment.objects.active().filter(unit_id__in=unit_ids)
        .values("unit_id", "member__group__term_id").annotate(n=Count("member_id", distinct=True))
    }
    for row in groups:
        twice = row["n"] > 1 or followers.get((row["unit_id"], row["group__term_id"]), 0) > 1
        yield row["unit_id"], (row["group__term_id"], row["unit__level"]), (1, int(twice))


FOLLOWED = registry.register(registry.Counter(
    name="followed", model=FollowedCount, keys=("term", "level"), values=("followed", "twice"), own=_own_followed,
))


_local = threading.local()


def _tracked() -> set[int]:
    """The units an enclosing `track_followed` of this thread already covers."""
    return set().union(*getattr(_local, "stack", []))


def _figures(unit_ids: set[int]) -> dict[tuple[int, tuple], tuple[int, ...]]:
    return {(unit_id, key): values for unit_id, key, values in _own_followed(sorted(unit_ids))} if unit_ids else {}


class track_followed:  # noqa: N801 — used as a context manager, reads like a statement
    """Snapshot the own figures of these units before a service changes what follows them,
    and add the difference to their ancestors' rows afterwards (two queries on each side).
    Services call each other (assignment_add adds the followed unit): an inner block leaves
    to the outer one the units it covers already, so nothing is counted twice.

        with track_followed([unit.pk]):
            ...end an assignment, dissolve a group...
    """

    def __init__(self, unit_ids: Iterable[int]):
        self.unit_ids = set(unit_ids) - _tracked()

    def __enter__(self):
        self.before = _figures(self.unit_ids)
        _local.stack = [*getattr(_local, "stack", []), self.unit_ids]
        return self

    def __exit__(self, exc_type, exc, tb):
        _local.stack = _local.stack[:-1]
        if exc_type is not None or not self.unit_ids:
            return False
        after = _figures(self.unit_ids)
        deltas: dict[int, dict[tuple, list[int]]] = {}
        for unit_id, key in set(self.before) | set(after):
            old = self.before.get((unit_id, key), (0, 0))
            new = after.get((unit_id, key), (0, 0))
            if old != new:
                deltas.setdefault(unit_id, {})[key] = [n - o for n, o in zip(new, old, strict=True)]
        if deltas:
            for unit_id, path in Unit.objects.filter(pk__in=list(deltas)).values_list("pk", "path"):
                rollups.add(FOLLOWED, path, deltas[unit_id])
            rollups.touch(deltas)  # the units' own rows show who follows them
        return False
