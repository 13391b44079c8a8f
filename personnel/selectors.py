"""Reads for the personnel pages and the counts the dashboards show.

`plan_page` gathers what the plan's page shows (its nominees, decrypted, the checks and
the results against the plan); `plan_counts` reads the roll-up (counts only, never a
name) for a dashboard, a list or an export.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Level
from core.sql import Prepared

from . import checks
from .models import Body, Election, PersonnelPlan, PlanCount
from .progress import FLAGS


@dataclass
class BodyResult:
    body: str
    label: str
    seats: int
    nominated: int
    elected: list[Election]
    rounds: int

    @property
    def summary(self) -> str:
        """"Executive committee: elected as nominated 15/15, one round"."""
        rounds = _("one round") if self.rounds <= 1 else ngettext(
            "%(n)s round", "%(n)s rounds", self.rounds) % {"n": self.rounds}
        return _("%(body)s: elected as nominated %(n)s/%(seats)s, %(rounds)s") % {
            "body": self.label, "n": len(self.elected), "seats": self.seats, "rounds": rounds}


@dataclass
class PlanPage:
    plan: PersonnelPlan
    nominees: list
    checks: list[checks.Check]
    results: list[BodyResult] = field(default_factory=list)
    elected_composition: list[checks.Check] = field(default_factory=list)

    @property
    def failing(self) -> list[checks.Check]:
        return [c for c in self.checks if not c.ok]


def plan_page(plan: PersonnelPlan) -> PlanPage:
    nominees = list(plan.nominees.all())
    found = checks.run(plan, nominees)
    page = PlanPage(plan=plan, nominees=nominees, checks=found)
    if plan.results_entered:
        elections = list(plan.elections.select_related("nominee"))
        by_body = defaultdict(list)
        for e in elections:
            by_body[e.body].append(e)
        for body, seats in plan.seats().items():
            if not seats:
                continue
            rows = by_body.get(body, [])
            page.results.append(BodyResult(
                body=body, label=str(Body(body).label), seats=seats,
                nominated=sum(1 for n in nominees if body in n.bodies), elected=rows,
                rounds=max((e.round for e in rows), default=0)))
        executive = [e.nominee for e in by_body.get(Body.EXECUTIVE, [])]
        if executive:
            targets = checks.targets_for(plan.congress.term, plan.congress.unit.level)
            page.elected_composition = checks.composition(executive, targets, plan.congress.counts_on)
    return page


@dataclass
class Counts:
    plans: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    composition_met: int = 0
    results: int = 0


def plan_counts(unit, terms) -> dict[str, Counts]:
    """The personnel plans below `unit` per level, in the term current for each level: one
    query on the roll-up."""
    wanted = {(t.pk, level) for level, t in ((lv, terms.for_level(lv)) for lv in _levels()) if t is not None}
    out: dict[str, Counts] = {}
    term_ids = sorted({t for t, _lv in wanted})
    if not term_ids:
        return out
    for row in _PLAN_COUNTS.dicts(("plan_counts",), unit_id=unit.pk, term_ids=term_ids):
        if (row["term_id"], row["level"]) in wanted:
            out[row["level"]] = Counts(**{f: row[f] for f in FLAGS})
    return out


def _plan_counts(*, unit_id, term_ids):
    return PlanCount.objects.filter(unit_id=unit_id, term_id__in=term_ids).values("term_id", "level", *FLAGS)


# Built with the ORM once per number of current terms (core.sql): the dashboard's body
# reads it at every rebuild.
_PLAN_COUNTS = Prepared(_plan_counts)


def total(counts: dict[str, Counts]) -> Counts:
    out = Counts()
    for c in counts.values():
        for f in FLAGS:
            setattr(out, f, getattr(out, f) + getattr(c, f))
    return out


def counts_tile(by_level: dict[str, Counts]) -> dict:
    """The personnel plans below a unit (`plan_counts`), per level in the tree's order, and
    their total, as the dashboards' tile shows them
    (templates/jinja2/dashboards/_personnel_counts.html): counts only, never a name (issue 13)."""
    rows = [(level, Level(level).label, by_level[level]) for level in Level.values if level in by_level]
    return {"rows": rows, "total": total(by_level)}


def _levels() -> list[str]:
    from committees.models import Level

    return list(Level.values)
