"""Invalidate cached dashboards (dashboards.cache): when the domain says, after a commit,
that units' figures changed (`progress.signals.units_changed`), and on changes that no
roll-up counts: a unit renamed (its page and its parent's show the name), a term, its plan
steps or its level deadlines edited (in the admin or by a service)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from committees.models import Unit
from congresses.models import LevelDeadline, PlanStep, Term
from progress.signals import units_changed

from . import cache as dashboard_cache
from .selectors import REBUILT_COUNTERS


@receiver(units_changed, dispatch_uid="dashboards_units_changed")
def figures_changed(sender, unit_ids, counters=None, **kwargs) -> None:
    # Sent after the commit: replace them now. A change the domain says is only in
    # counters every rebuild reads again (a milestone ticked) leaves the quiet sections.
    dashboard_cache.replace_tokens(unit_ids, with_quiet=counters is None or not counters <= REBUILT_COUNTERS)


@receiver([post_save, post_delete], sender=Unit, dispatch_uid="dashboards_unit_changed")
def unit_changed(sender, instance: Unit, **kwargs) -> None:
    dashboard_cache.bump([pk for pk in (instance.pk, instance.parent_id) if pk])
    dashboard_cache.bump_tree()  # its parent's list of children (dashboards.bodies)


@receiver([post_save, post_delete], sender=Term, dispatch_uid="dashboards_term_changed")
@receiver([post_save, post_delete], sender=PlanStep, dispatch_uid="dashboards_step_changed")
@receiver([post_save, post_delete], sender=LevelDeadline, dispatch_uid="dashboards_deadline_changed")
def plan_changed(sender, **kwargs) -> None:
    dashboard_cache.bump(None)
