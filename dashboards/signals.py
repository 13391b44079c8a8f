"""Invalidate cached dashboards (dashboards.cache) on changes that do not go through the
roll-ups: a unit renamed (its page and its parent's show the name), a term, its plan steps
or its level deadlines edited (in the admin or by a service)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from committees.models import Unit
from congresses.models import LevelDeadline, PlanStep, Term

from . import cache as dashboard_cache


@receiver([post_save, post_delete], sender=Unit, dispatch_uid="dashboards_unit_changed")
def unit_changed(sender, instance: Unit, **kwargs) -> None:
    dashboard_cache.bump([pk for pk in (instance.pk, instance.parent_id) if pk])


@receiver([post_save, post_delete], sender=Term, dispatch_uid="dashboards_term_changed")
@receiver([post_save, post_delete], sender=PlanStep, dispatch_uid="dashboards_step_changed")
@receiver([post_save, post_delete], sender=LevelDeadline, dispatch_uid="dashboards_deadline_changed")
def plan_changed(sender, **kwargs) -> None:
    dashboard_cache.bump_all()
