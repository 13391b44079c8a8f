"""What personnel plans count (progress.registry): per term and level of the unit holding
the congress, over each unit's strict descendants — plans, awaiting approval, returned,
approved, composition targets met, results entered. Counts only: the table names nobody.

The services call `plan_changed` with the plan's flags before and after their change, in
their transaction; rebuild, check, restructuring and the property test go through `_own`.
"""

from __future__ import annotations

from django.db.models import Count, Q

from progress import registry, rollups

from .models import PersonnelPlan, PlanCount, PlanStatus

FLAGS = ("plans", "submitted", "returned", "approved", "composition_met", "results")


def _own(unit_ids: list[int]):
    rows = (
        PersonnelPlan.objects.filter(congress__unit_id__in=unit_ids)
        .values("congress__unit_id", "congress__term_id", "congress__unit__level")
        .annotate(
            plans=Count("pk"),
            submitted=Count("pk", filter=Q(status=PlanStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=PlanStatus.RETURNED)),
            approved=Count("pk", filter=Q(status=PlanStatus.APPROVED)),
            composition_met=Count("pk", filter=Q(composition_met=True)),
            results=Count("pk", filter=Q(results_entered=True)),
        )
    )
    for row in rows:
        yield (row["congress__unit_id"], (row["congress__term_id"], row["congress__unit__level"]),
               tuple(row[f] for f in FLAGS))


PLANS = registry.register(registry.Counter(
    name="personnel_plans", model=PlanCount, keys=("term", "level"), values=FLAGS, own=_own,
))


def flags(plan: PersonnelPlan | None) -> list[int]:
    if plan is None:
        return [0] * len(FLAGS)
    return [1, int(plan.status == PlanStatus.SUBMITTED), int(plan.status == PlanStatus.RETURNED),
            int(plan.status == PlanStatus.APPROVED), int(plan.composition_met), int(plan.results_entered)]


def plan_changed(plan: PersonnelPlan, before: list[int]) -> None:
    """Add the plan's change since `before` (its flags then) to the congress unit's
    ancestors."""
    after = flags(plan)
    if after == before:
        return
    unit = plan.congress.unit
    rollups.touch([unit.pk])
    rollups.add(PLANS, unit.path, {(plan.congress.term_id, unit.level): [a - b for a, b in zip(after, before, strict=True)]})
