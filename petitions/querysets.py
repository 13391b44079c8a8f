from __future__ import annotations

import datetime as dt

from django.db import models

from accounts.access import scope_for


class PetitionQuerySet(models.QuerySet):
    def handled_by(self, user) -> PetitionQuerySet:
        """The cases the user may open: about a unit under one of their handler grants, or
        every case for an administrator (accounts.access decides, `Scope.petitions_q`).
        Reading the subtree, or being the unit's secretary, gives none."""
        return self.filter(scope_for(user).petitions_q("unit__path"))

    def open(self) -> PetitionQuerySet:
        from .models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> PetitionQuerySet:
        return self.open().filter(due_on__lt=today)

    def personnel(self) -> PetitionQuerySet:
        return self.filter(about_personnel=True)
