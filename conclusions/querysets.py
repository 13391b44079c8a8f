"""Querysets of the conclusions app: what a user may read is asked of accounts.access."""

from __future__ import annotations

import datetime as dt

from django.db import models

from accounts.access import scope_for


class BodyQuerySet(models.QuerySet):
    def visible_to(self, user) -> BodyQuerySet:
        """Bodies of the units the user reads, and the user's own bodies."""
        scope = scope_for(user)
        q = scope.read_q("unit__path")
        if scope.body_ids:
            q |= models.Q(pk__in=scope.body_ids)
        return self.filter(q)

    def kept_by(self, user) -> BodyQuerySet:
        """Bodies whose name and members the user may change: of the units whose conclusions
        they keep (secretaries), or all for an administrator."""
        scope = scope_for(user)
        return self if scope.is_admin else self.filter(unit_id__in=scope.conclusion_unit_ids)


class ConclusionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ConclusionQuerySet:
        return self.filter(scope_for(user).read_q("unit__path"))


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskQuerySet:
        return self.filter(scope_for(user).task_q())

    def answerable_by(self, user) -> TaskQuerySet:
        return self.filter(scope_for(user).answers_task_q())

    def open(self) -> TaskQuerySet:
        return self.filter(status="open")

    def overdue(self, today: dt.date) -> TaskQuerySet:
        return self.open().filter(due_date__lt=today)
