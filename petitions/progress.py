"""What petitions count (progress.registry): open petitions about the units below each
unit, by due date, and how many of them are about personnel. Overdue depends on the day,
so it is not stored: it is the open petitions due before today, read from the same rows
(`due_on < today`, one indexed range per unit). Counts only: the table names no case.

The services call `petition_changed` with the case's row before and after their change,
in their transaction; rebuild, check, restructuring and the property test go through
`_own`.
"""

from __future__ import annotations

from django.db.models import Count, Q

from progress import registry, rollups

from .models import OPEN_STATUSES, Petition, PetitionCount

VALUES = ("open", "personnel")


def _own(unit_ids: list[int]):
    rows = (
        Petition.objects.filter(unit_id__in=unit_ids, status__in=OPEN_STATUSES)
        .values("unit_id", "due_on")
        .annotate(open=Count("pk"), personnel=Count("pk", filter=Q(about_personnel=True)))
        .order_by()
    )
    for row in rows:
        yield row["unit_id"], (row["due_on"],), (row["open"], row["personnel"])


PETITIONS = registry.register(registry.Counter(
    name="petitions", model=PetitionCount, keys=("due_on",), values=VALUES, own=_own,
))


def snapshot(petition: Petition | None) -> dict[tuple, list[int]]:
    """The case's contribution: {(due date,): [open, personnel]}, empty when closed."""
    if petition is None or not petition.is_open or petition.due_on is None:
        return {}
    return {(petition.due_on,): [1, int(petition.about_personnel)]}


def petition_changed(petition: Petition, before: dict[tuple, list[int]]) -> None:
    """Add the case's change since `before` (its snapshot then) to the unit's ancestors,
    and tell the pages of the unit (its own light and counts) after the commit."""
    after = snapshot(petition)
    if after == before:
        return
    deltas: dict[tuple, list[int]] = {}
    for key in set(before) | set(after):
        b, a = before.get(key, [0, 0]), after.get(key, [0, 0])
        deltas[key] = [x - y for x, y in zip(a, b, strict=True)]
    unit = petition.unit
    rollups.touch([unit.pk])
    rollups.add(PETITIONS, unit.path, deltas)
