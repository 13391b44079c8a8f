"""The dashboard of a unit: headline counts over its whole subtree and one row per child,
read from the maintained roll-ups. A fixed number of queries, whatever the tree's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Level, Unit
from committees.names import name_order
from congresses.models import Congress, Light, MilestoneStatus, PlanStep, Term
from progress.models import CongressCount, CongressDateCount, OpenDueCount, StepCount, UnitCount

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

    @property
    def before_subordinates(self) -> int:
        return self.flag("before_subordinates")

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
    light: Light = Light.ON_TRACK
    reason: str = ""


@dataclass
class DateRow:
    """Congresses below the unit on one date, of one level (CongressDateCount)."""

    level: str
    date: dt.date
    congresses: int
    pilots: int


@dataclass
class Dashboard:
    unit: Unit
    term: Term
    today: dt.date
    ancestors: list[Unit]
    totals: Totals
    steps: list[StepRow]
    children: list[ChildRow]
    congress: Congress | None = None  # the unit's own
    dates: list[DateRow] = field(default_factory=list)

    @property
    def deadlines(self) -> dict[str, dt.date]:
        return {d.level: d.deadline for d in self.term.level_deadlines.all()}

    @property
    def after_deadline(self) -> int:
        """Congresses below dated after their level's deadline (DOMAIN.md "Term")."""
        deadlines = self.deadlines
        return sum(r.congresses for r in self.dates if r.level in deadlines and r.date > deadlines[r.level])

    @property
    def own_issues(self) -> list[str]:
        """What the checks find about the unit's own congress."""
        issues = []
        c = self.congress
        if c is None:
            return issues
        if c.before_subordinates:
            issues.append(_("This unit's congress is dated before one of its subordinate units' congresses."))
        deadline = self.deadlines.get(self.unit.level)
        if deadline and c.counts_on and c.counts_on > deadline:
            issues.append(_("This unit's congress is dated after its level's deadline (%(date)s).") % {
                "date": date_format(deadline, "SHORT_DATE_FORMAT")})
        return issues

    @property
    def checks(self) -> int:
        """Everything the checks flag: units below, and the unit's own congress."""
        return self.after_deadline + self.totals.before_subordinates + len(self.own_issues)


def _totals_for(unit_ids: list[int], term: Term, today: dt.date, per_step: dict | None = None) -> dict[int, Totals]:
    """The subtree totals of these units: four queries. `per_step`, when given, receives
    {step id: StepCount} of the first unit (the dashboard's own)."""
    totals: dict[int, Totals] = defaultdict(Totals)
    for unit_id, level, n in UnitCount.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "level", "units"):
        totals[unit_id].units[level] = n
    for row in CongressCount.objects.filter(unit_id__in=unit_ids, term=term).values():
        totals[row["unit_id"]].congresses[row["level"]] = row
    for unit_id, step_id, total, done in StepCount.objects.filter(unit_id__in=unit_ids, step__term=term).values_list(
        "unit_id", "step_id", "total", "done"
    ):
        t = totals[unit_id]
        t.steps_total += total
        t.steps_done += done
        if per_step is not None and unit_id == unit_ids[0]:
            per_step[step_id] = (total, done)
    for row in (
        OpenDueCount.objects.filter(unit_id__in=unit_ids, term=term, due_date__lt=today)
        .values("unit_id").annotate(n=Sum("open"))
    ):
        totals[row["unit_id"]].overdue = row["n"]
    return totals


def _light(congress: Congress | None, totals: Totals, deadline: dt.date | None, today: dt.date) -> tuple[Light, str]:
    """On track / at risk / late, with the reason a briefing would give."""
    if congress is None:
        return Light.LATE if deadline and deadline < today else Light.AT_RISK, _("no congress opened")
    if congress.is_held:
        return Light.ON_TRACK, _("congress held")
    own_overdue = getattr(congress, "steps_overdue", 0)
    if own_overdue:
        return Light.LATE, ngettext("%(n)d overdue step", "%(n)d overdue steps", own_overdue) % {"n": own_overdue}
    date = congress.planned_date
    if deadline and date and date > deadline:
        return Light.LATE, _("dated after the level deadline")
    if totals.overdue:
        return Light.AT_RISK, ngettext(
            "%(n)d overdue step below", "%(n)d overdue steps below", totals.overdue
        ) % {"n": totals.overdue}
    if getattr(congress, "steps_due_soon", 0):
        return Light.AT_RISK, ngettext(
            "%(n)d step due within %(days)d days", "%(n)d steps due within %(days)d days", congress.steps_due_soon
        ) % {"n": congress.steps_due_soon, "days": AT_RISK_DAYS}
    if date is None:
        return Light.AT_RISK, _("no congress date")
    if getattr(congress, "before_subordinates", False):
        return Light.AT_RISK, _("dated before a subordinate unit's congress")
    return Light.ON_TRACK, _("on schedule")


def unit_dashboard(*, unit: Unit, term: Term, today: dt.date) -> Dashboard:
    """A fixed number of queries whatever the size of the tree (ten): the term's level
    deadlines and plan steps, the ancestors and children, the congresses of the unit and
    its children, the four roll-up tables for the unit and its children, its congress
    calendar."""
    prefetch_related_objects([term], "level_deadlines")
    family = list(Unit.objects.filter(Q(pk__in=unit.ancestor_ids) | Q(parent=unit)).order_by("depth", name_order()))
    ancestors = [u for u in family if u.depth < unit.depth]
    children = [u for u in family if u.parent_id == unit.pk]
    soon = today + dt.timedelta(days=AT_RISK_DAYS)
    not_done = ~Q(milestones__status=MilestoneStatus.DONE)
    congresses = {
        c.unit_id: c
        # By ids, not `Q(unit__parent=unit) | Q(unit=unit)`: an OR across the join makes
        # PostgreSQL scan every congress and unit (~30 ms on the national tree, bench_dashboard).
        for c in Congress.objects.filter(unit_id__in=[unit.pk, *[c.pk for c in children]], term=term).annotate(
            steps_total=Count("milestones"),
            steps_done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE)),
            steps_overdue=Count("milestones", filter=not_done & Q(milestones__due_date__lt=today)),
            steps_due_soon=Count("milestones", filter=not_done & Q(milestones__due_date__gte=today, milestones__due_date__lte=soon)),
        )
    }
    per_step: dict[int, tuple[int, int]] = {}
    totals = _totals_for([unit.pk, *[c.pk for c in children]], term, today, per_step)
    steps = [StepRow(step=s, total=per_step.get(s.pk, (0, 0))[0], done=per_step.get(s.pk, (0, 0))[1]) for s in term.steps.all()]
    dates = [
        DateRow(*row) for row in CongressDateCount.objects.filter(unit=unit, term=term, congresses__gt=0)
        .order_by("date", "level").values_list("level", "date", "congresses", "pilots")
    ]
    rows = []
    for child in children:
        congress = congresses.get(child.pk)
        child_totals = totals.get(child.pk, Totals())
        light, reason = _light(congress, child_totals, term.deadline_for(child.level), today)
        rows.append(ChildRow(unit=child, congress=congress, totals=child_totals, light=light, reason=reason))
    return Dashboard(unit=unit, term=term, today=today, ancestors=ancestors, totals=totals.get(unit.pk, Totals()),
                     steps=steps, children=rows, congress=congresses.get(unit.pk), dates=dates)
