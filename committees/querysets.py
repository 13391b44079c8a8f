from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from accounts.access import scope_for

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
        """Units whose data the user may read (accounts.access decides)."""
        return self.filter(scope_for(user).read_q("path"))


def mark_in_scope(units: list[Unit], user) -> list[Unit]:
    """Mark each unit `in_scope` for the user, so breadcrumbs link only to the units the
    user may open (accounts.access.Scope.mark)."""
    return scope_for(user).mark(units)
