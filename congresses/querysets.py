from __future__ import annotations

import datetime as dt

from django.db import models


class CongressQuerySet(models.QuerySet):
    def visible_to(self, user) -> CongressQuerySet:
        """Congresses of the units the user may read (see UnitQuerySet.visible_to)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if user.unit_id is None:
            return self.none()
        return self.filter(unit__path__startswith=user.unit.path)

    def editable_by(self, user) -> CongressQuerySet:
        """Congresses the user may change: all for an admin, their own unit's for a
        secretary, none for a viewer."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_portal_admin:
            return self.all()
        if user.is_secretary and user.unit_id is not None:
            return self.filter(unit_id=user.unit_id)
        return self.none()

    def under(self, unit) -> CongressQuerySet:
        return self.filter(unit__path__startswith=unit.path)


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user) -> MilestoneQuerySet:
        from .models import Congress

        return self.filter(congress__in=Congress.objects.visible_to(user).values("pk"))

    def editable_by(self, user) -> MilestoneQuerySet:
        from .models import Congress

        return self.filter(congress__in=Congress.objects.editable_by(user).values("pk"))

    def done(self) -> MilestoneQuerySet:
        from .models import MilestoneStatus

        return self.filter(status=MilestoneStatus.DONE)

    def open(self) -> MilestoneQuerySet:
        from .models import MilestoneStatus

        return self.exclude(status=MilestoneStatus.DONE)

    def overdue(self, today: dt.date) -> MilestoneQuerySet:
        return self.open().filter(due_date__lt=today)
