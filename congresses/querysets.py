from __future__ import annotations

import datetime as dt

from django.db import models

from accounts.access import scope_for


class CongressQuerySet(models.QuerySet):
    def visible_to(self, user) -> CongressQuerySet:
        """Congresses of the units the user may read (accounts.access decides)."""
        return self.filter(scope_for(user).read_q("unit__path"))

    def editable_by(self, user) -> CongressQuerySet:
        """Congresses the user may change: their units' (secretary grants), all for an
        admin, none for a viewer (accounts.access decides)."""
        return self.filter(scope_for(user).edit_q("unit_id"))

    def under(self, unit) -> CongressQuerySet:
        return self.filter(unit__path__startswith=unit.path)


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user) -> MilestoneQuerySet:
        return self.filter(scope_for(user).read_q("congress__unit__path"))

    def editable_by(self, user) -> MilestoneQuerySet:
        return self.filter(scope_for(user).edit_q("congress__unit_id"))

    def done(self) -> MilestoneQuerySet:
        from .models import MilestoneStatus

        return self.filter(status=MilestoneStatus.DONE)

    def open(self) -> MilestoneQuerySet:
        from .models import MilestoneStatus

        return self.exclude(status=MilestoneStatus.DONE)

    def overdue(self, today: dt.date) -> MilestoneQuerySet:
        return self.open().filter(due_date__lt=today)


class SubcommitteeQuerySet(models.QuerySet):
    def visible_to(self, user) -> SubcommitteeQuerySet:
        return self.filter(scope_for(user).read_q("congress__unit__path"))

    def editable_by(self, user) -> SubcommitteeQuerySet:
        """Subcommittees of the congresses the user may change (their units' secretaries)."""
        return self.filter(scope_for(user).edit_q("congress__unit_id"))
