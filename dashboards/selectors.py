"""The dashboard of a unit: headline counts over its whole subtree and one row per child,
read from the maintained roll-ups. A fixed number of queries, whatever the tree's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Level, Unit
from congresses.models import Congress, MilestoneStatus, PlanStep, Term

from .models import CongressCount, OpenDueCount, StepCount, UnitCount

AT_RISK_DAYS = 7


@dataclass
class Totals:
    """Counts over the strict descendants of a unit."""

    units: dict[str, int] = field(default_factory=dict)
    congresses: dict[str, dict[str, int]] = field(default_factory=dict)
    steps_total: int = 0
    steps_done: int = 0
    overdue: int = 0

    @property
    def units_total(self) -> int:
        return sum(self.units.values())

    def flag(self, name: str, level: str | None = None) -> int:
        if level is not None:
            return self.congresses.get(level, {}).get(name, 0)
        return sum(v.get(name, 0) for v in self.congresses.values())

    @property
    def registered(self) -> int:
        return self.flag("registered")

    @property
    def held(self) -> int:
        return self.flag("held")

    @property
    def pilots(self) -> int:
        return self.flag("pilots")

    @property
    def pilots_held(self) -> int:
        return self.flag("pilots_held")

    def by_level(self) -> list[dict]:
        return [
            {"level": level, "label": label, "units": self.units.get(level, 0),
             "held": self.flag("held", level), "registered": self.flag("registered", level)}
            for level, label in Level.choices if self.units.get(level)
        ]


@dataclass
class StepRow:
    step: PlanStep
    total: int
    done: int


@dataclass
class ChildRow:
    unit: Unit
    congress: Congress | None
    totals: Totals
    light: str = "on_track"
    reason: str = ""


@dataclass
class Dashboard:
    unit: Unit
    term: Term
    today: dt.date
    ancestors: list[Unit]
    totals: Totals
    steps: list[StepRow]
    children: list[ChildRow]


def _totals_for(unit_ids: list[int], term: Term, today: dt.date) -> dict[int, Totals]:
    totals: dict[int, Totals] = defaultdict(Totals)
    for unit_id, level, n in UnitCount.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "level", "units"):
        totals[unit_id].units[level] = n
    for row in CongressCount.objects.filter(unit_id__in=unit_ids, term=term).values():
        totals[row["unit_id"]].congresses[row["level"]] = row
    for row in (
        StepCount.objects.filter(unit_id__in=unit_ids, step__term=term)
        .values("unit_id").annotate(total=Sum("total"), done=Sum("done"))
    ):
        totals[row["unit_id"]].steps_total, totals[row["unit_id"]].steps_done = row["total"], row["done"]
    for row in (
        OpenDueCount.objects.filter(unit_id__in=unit_ids, term=term, due_date__lt=today)
        .values("unit_id").annotate(n=Sum("open"))
    ):
        totals[row["unit_id"]].overdue = row["n"]
    return totals


def _light(congress: Congress | None, totals: Totals, deadline: dt.date | None, today: dt.date) -> tuple[str, str]:
    """On track / at risk / late, with the reason a briefing would give."""
    if congress is None:
        return "late" if deadline and deadline < today else "at_risk", _("no congress opened")
    if congress.status == "held":
        return "on_track", _("congress held")
    own_overdue = getattr(congress, "steps_overdue", 0)
    if own_overdue:
        return "late", ngettext("%(n)d overdue step", "%(n)d overdue steps", own_overdue) % {"n": own_overdue}
    date = congress.planned_date
    if deadline and date and date > deadline:
        return "late", _("dated after the level deadline")
    if totals.overdue:
        return "at_risk", ngettext(
            "%(n)d overdue step below", "%(n)d overdue steps below", totals.overdue
        ) % {"n": totals.overdue}
    if getattr(congress, "steps_due_soon", 0):
        return "at_risk", ngettext(
            "%(n)d step due within %(days)d days", "%(n)d steps due within %(days)d days", congress.steps_due_soon
        ) % {"n": congress.steps_due_soon, "days": AT_RISK_DAYS}
    if date is None:
        return "at_risk", _("no congress date")
    return "on_track", _("on schedule")


def unit_dashboard(*, unit: Unit, term: Term, today: dt.date) -> Dashboard:
    """Ten queries: breadcrumbs, term deadlines, children, the children's congresses,
    four roll-up tables for the unit and its children, the steps of the plan."""
    term = Term.objects.prefetch_related("level_deadlines").get(pk=term.pk)
    ancestors = list(Unit.objects.ancestors_of(unit))
    children = list(Unit.objects.filter(parent=unit).order_by("name"))
    soon = today + dt.timedelta(days=AT_RISK_DAYS)
    not_done = ~Q(milestones__status=MilestoneStatus.DONE)
    congresses = {
        c.unit_id: c
        for c in Congress.objects.filter(term=term, unit__parent=unit).annotate(
            steps_total=Count("milestones"),
            steps_done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE)),
            steps_overdue=Count("milestones", filter=not_done & Q(milestones__due_date__lt=today)),
            steps_due_soon=Count("milestones", filter=not_done & Q(milestones__due_date__gte=today, milestones__due_date__lte=soon)),
        )
    }
    totals = _totals_for([unit.pk, *[c.pk for c in children]], term, today)
    per_step = {
        row.step_id: row for row in StepCount.objects.filter(unit=unit, step__term=term)
    }
    steps = [
        StepRow(step=s, total=getattr(per_step.get(s.pk), "total", 0), done=getattr(per_step.get(s.pk), "done", 0))
        for s in term.steps.all()
    ]
    rows = []
    for child in children:
        congress = congresses.get(child.pk)
        child_totals = totals.get(child.pk, Totals())
        light, reason = _light(congress, child_totals, term.deadline_for(child.level), today)
        rows.append(ChildRow(unit=child, congress=congress, totals=child_totals, light=light, reason=reason))
    return Dashboard(unit=unit, term=term, today=today, ancestors=ancestors, totals=totals.get(unit.pk, Totals()),
                     steps=steps, children=rows)
