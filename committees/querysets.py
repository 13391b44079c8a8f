from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from .models import Unit


class UnitQuerySet(models.QuerySet):
    def under(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """The unit's whole subtree: one range scan on the path index."""
        qs = self.filter(path__startswith=unit.path)
        if not include_self:
            qs = qs.exclude(pk=unit.pk)
        return qs

    def ancestors_of(self, unit: Unit, *, include_self: bool = False) -> UnitQuerySet:
        ids = unit.ancestor_ids + ([unit.pk] if include_self else [])
        return self.filter(pk__in=ids).order_by("depth")

    def visible_to(self, user) -> UnitQuerySet:
        """Units whose data the user may read: the whole tree for an admin, the subtree of
        their own unit for everyone else, nothing for a user without a unit."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if user.unit_id is None:
            return self.none()
        return self.filter(path__startswith=user.unit.path)


def mark_in_scope(units: list[Unit], user) -> list[Unit]:
    """Mark each unit `in_scope` for the user, so breadcrumbs link only to the units the
    user may open (the ancestors above a secretary's own unit are out of scope)."""
    scope = None if user.is_portal_admin else (user.unit.path if user.unit_id else None)
    for unit in units:
        unit.in_scope = user.is_portal_admin or (scope is not None and unit.path.startswith(scope))
    return units
