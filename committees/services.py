"""Writes to the unit tree. Every change of a unit's place in the tree goes through here,
so paths and depths stay consistent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from dashboards import rollups

from .models import PATH_MAX_LENGTH, PATH_SEGMENT_WIDTH, Unit, encode_segment


@transaction.atomic
def unit_create(
    *, code: str, name: str, level: str, kind: str = "", parent: Unit | None = None,
    is_active: bool = True,
) -> Unit:
    """Create a unit under `parent` (a root when None).

    Steps: validate; insert with a placeholder path (the path contains the unit's own
    primary key, unknown before the insert); then write the real path.
    """
    unit = Unit(code=code, name=name, level=level, kind=kind, parent=parent, is_active=is_active)
    unit.path = f"~{code}"[:PATH_MAX_LENGTH]
    unit.depth = parent.depth + 1 if parent else 0
    unit.full_clean(exclude=["path"])
    if parent is not None and len(parent.path) + PATH_SEGMENT_WIDTH > PATH_MAX_LENGTH:
        raise ValidationError({"parent": _("The tree is too deep under this unit.")})
    unit.save()
    unit.path = (parent.path if parent else "") + encode_segment(unit.pk)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    rollups.unit_created(unit)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name: str, level: str, kind: str, is_active: bool) -> Unit:
    old_level = Unit.objects.filter(pk=unit.pk).values_list("level", flat=True).get()
    unit.name, unit.level, unit.kind, unit.is_active = name, level, kind, is_active
    unit.full_clean()
    unit.save(update_fields=["name", "level", "kind", "is_active", "updated_at"])
    if old_level != level:
        rollups.unit_level_changed(unit, old_level)
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None) -> Unit:
    """Move a unit, with its whole subtree, under `new_parent` (a root when None).

    One UPDATE rewrites the path prefix and depth of every unit of the subtree. No
    transient unique-path collision is possible: a path ends with its unit's own segment.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None:
        new_parent = Unit.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or its own subordinate.")})
    if (new_parent.pk if new_parent else None) == unit.parent_id:
        return unit
    old_prefix = unit.path
    new_prefix = (new_parent.path if new_parent else "") + encode_segment(unit.pk)
    depth_delta = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    subtree = Unit.objects.filter(path__startswith=old_prefix)
    deepest = max(len(p) for p in subtree.values_list("path", flat=True))
    if deepest - len(old_prefix) + len(new_prefix) > PATH_MAX_LENGTH:
        raise ValidationError({"parent": _("The tree is too deep under this unit.")})
    contribution = rollups.subtree_moving(unit)
    subtree.update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    rollups.subtree_moved(unit, contribution)
    return unit
