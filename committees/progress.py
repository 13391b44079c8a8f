"""What the unit tree counts (progress.registry): units per level below each unit."""

from __future__ import annotations

from progress import registry, rollups
from progress.models import UnitCount

from .models import Unit


def _own_units(unit_ids: list[int]):
    for pk, level in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "level"):
        yield pk, (level,), (1,)


UNITS = registry.register(registry.Counter(
    name="units", model=UnitCount, keys=("level",), values=("units",), own=_own_units,
))


def unit_created(unit: Unit) -> None:
    """A new unit (without congresses yet) counts once at its level in every ancestor."""
    rollups.add(UNITS, unit.path, {(unit.level,): (1,)})
