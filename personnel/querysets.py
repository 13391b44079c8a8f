from __future__ import annotations

from django.db import models

from accounts.access import scope_for


class PlanQuerySet(models.QuerySet):
    def readable_by(self, user) -> PlanQuerySet:
        """Plans whose nominees the user may read: their unit's (secretary), their direct
        subordinates' (the superior's approvers), all (admin). Not the subtree a viewer
        reads: accounts.access decides (`Scope.personnel_q`)."""
        return self.filter(scope_for(user).personnel_q("congress__unit"))

    def visible_to(self, user) -> PlanQuerySet:
        """Plans the user may know exist (status and counts, never nominees): those of the
        units they read."""
        return self.filter(scope_for(user).read_q("congress__unit__path"))


class NomineeQuerySet(models.QuerySet):
    def readable_by(self, user) -> NomineeQuerySet:
        return self.filter(scope_for(user).personnel_q("plan__congress__unit"))
