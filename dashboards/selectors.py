"""The dashboard of a unit: headline counts over its whole subtree and one row per child,
read from the maintained roll-ups. A fixed number of queries, whatever the tree's size.

Each unit counts in the term current for its level (DOMAIN.md "Term": cells may be on
2020–2022 under a bloc on 2020–2025), so every read below takes `CurrentTerms`, not one
term: the roll-up rows keyed by (term, level) through `terms.q()`, the rows keyed by term
alone through the current term ids, the steps through the current terms' plans."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from committees.models import Level, Unit
from core.sql import Prepared, as_date
from committees.names import name_order
from congresses.models import Congress, Light, Milestone, MilestoneStatus, PlanStep, Term
from congresses.hooks import light_annotations, light_rule_names
from congresses.selectors import (  # noqa: F401  (AT_RISK_DAYS, LIGHT_RANK: read from here too)
    AT_RISK_DAYS,
    LIGHT_RANK,
    CurrentTerms,
    Deadline,
    congress_light,
    deadline_for,
    subcommittees_annotation,
    with_progress,
)
from committees.progress import UNITS
from congresses.progress import CONGRESSES, OPEN_DUE, STEPS, SUBCOMMITTEES
from documents.selectors import DocumentsTile, dashboard_documents
from personnel.selectors import Counts as PlanCounts
from personnel.selectors import counts_tile as personnel_tile
from personnel.selectors import plan_counts
from petitions.selectors import Counts as PetitionCounts
from petitions.selectors import counts_for as petition_counts_for
from progress.models import CongressCount, CongressDateCount, OpenDueCount, StepCount, UnitCount
from workgroups.progress import FOLLOWED
from workgroups.selectors import followed_annotations

# The counters whose tables a rebuild of a dashboard reads again every time (the unit's and
# its changed children's totals: `_totals_for`, and their congresses). A change the domain
# says is only in these (a milestone ticked below: progress.signals) leaves the quiet
# sections (`Quiet`) as they are kept (dashboards.signals). Any other counter, one added
# later included, replaces them.
REBUILT_COUNTERS = frozenset(c.name for c in (UNITS, FOLLOWED, CONGRESSES, SUBCOMMITTEES, STEPS, OPEN_DUE))



def terms_label(terms: CurrentTerms) -> str:
    """The current terms as a page names them: "2025–2030", or with several current terms
    "2020–2025; 2020–2022 (Sub-grassroots)" — each term after the first with its levels."""
    parts = []
    for i, term in enumerate(terms.terms):
        if i == 0:
            parts.append(term.name)
        else:
            levels = ", ".join(str(Level(lv).label) for lv in terms.levels_of(term))
            parts.append(f"{term.name} ({levels})")
    return "; ".join(parts)


@dataclass
class Totals:
    """Counts over the strict descendants of a unit."""

    units: dict[str, int] = field(default_factory=dict)
    congresses: dict[str, dict[str, int]] = field(default_factory=dict)
    # Per level: units followed by an active working group, and followed twice (issue 11).
    followed: dict[str, int] = field(default_factory=dict)
    followed_twice: dict[str, int] = field(default_factory=dict)
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
        """Per level below, top down: units, and the congresses registered, held, pilots and
        pilots held (seed 001: "60/60 grassroots registered", "8/10 sub-grassroots held")."""
        return [
            {"level": level, "label": label, "units": self.units.get(level, 0),
             "registered": self.flag("registered", level), "held": self.flag("held", level),
             "pilots": self.flag("pilots", level), "pilots_held": self.flag("pilots_held", level),
             "congresses": self.flag("congresses", level), "subcommittees": self.flag("subcommittees", level),
             "followed": self.followed.get(level, 0), "followed_twice": self.followed_twice.get(level, 0)}
            for level, label in Level.choices if self.units.get(level)
        ]

    @property
    def subcommittees(self) -> int:
        """Congresses below with their subcommittees set up (issue 11: "57/60")."""
        return self.flag("subcommittees")

    @property
    def congresses_total(self) -> int:
        return self.flag("congresses")

    @property
    def followed_total(self) -> int:
        """Units below followed by an active working group of a current term ("135/135")."""
        return sum(self.followed.values())

    @property
    def followed_twice_total(self) -> int:
        return sum(self.followed_twice.values())


@dataclass
class StepRow:
    """A plan step and its milestones: below the unit (the roll-ups), or for a unit without
    subordinates its own milestone (`milestone`, total 1)."""

    step: PlanStep
    total: int
    done: int
    milestone: Milestone | None = None
    overdue: bool = False


@dataclass
class ChildRow:
    unit: Unit
    congress: Congress | None
    totals: Totals
    light: Light = Light.ON_TRACK
    reasons: list[str] = field(default_factory=list)
    deadline: Deadline | None = None
    petitions: PetitionCounts = field(default_factory=PetitionCounts)  # of its subtree, counts only

    @property
    def reason(self) -> str:
        """Every reason in one line, worst first."""
        return "; ".join(self.reasons)


class DateRow(NamedTuple):
    """Congresses below the unit on one date, of one level (CongressDateCount). A tuple:
    the root has hundreds, kept with its figures (dashboards.bodies)."""

    level: str
    date: dt.date
    congresses: int
    pilots: int


@dataclass
class Quiet:
    """The sections of a dashboard that no milestone ticked below moves: the congress
    calendar, the documents tile, the petition counts of the unit and its children, the
    personnel plans below. Read together, and kept under the unit's quiet token
    (dashboards.cache `quiet_key`) so that a rebuild after a tick does not read them again."""

    dates: list[DateRow]
    documents: DocumentsTile | None
    petitions: dict[int, PetitionCounts]
    personnel: dict[str, PlanCounts]


@dataclass
class Dashboard:
    unit: Unit
    terms: CurrentTerms
    today: dt.date
    ancestors: list[Unit]
    totals: Totals
    steps: list[StepRow]
    children: list[ChildRow]
    congress: Congress | None = None  # the unit's own, in the term current for its level
    dates: list[DateRow] = field(default_factory=list)
    # The levels whose congresses have the "set up subcommittees" step in their current plan.
    subcommittee_levels: set[str] = field(default_factory=set)
    documents: DocumentsTile | None = None  # congress documents (documents.selectors)
    # Every child unit in the tree's name order. `children` holds their rows, all of them
    # unless the caller asked for some only (`rows_for`: the others are cached, dashboards.rows).
    child_units: list[Unit] = field(default_factory=list)
    # Open, overdue and personnel petitions of the unit's subtree and each child's (counts
    # only: petitions.selectors.counts_for, one query).
    petitions: dict[int, PetitionCounts] = field(default_factory=dict)
    # The personnel plans below, per level (personnel.selectors.plan_counts); None for a leaf.
    personnel: dict[str, PlanCounts] | None = None

    @property
    def quiet(self) -> Quiet:
        return Quiet(dates=self.dates, documents=self.documents, petitions=self.petitions, personnel=self.personnel or {})

    @property
    def personnel_tile(self) -> dict:
        """The personnel plans tile: rows per level and their total (counts only)."""
        return personnel_tile(self.personnel or {})

    @property
    def own_petitions(self) -> PetitionCounts:
        return self.petitions.get(self.unit.pk) or PetitionCounts()

    @property
    def child_petitions(self) -> list[tuple[Unit, PetitionCounts]]:
        """The children with open petitions in their subtree, the most overdue first."""
        rows = [(child, self.petitions[child.pk]) for child in self.child_units if self.petitions.get(child.pk)]
        return sorted(rows, key=lambda r: (-r[1].overdue, -r[1].personnel, -r[1].open, r[0].name))

    @property
    def term(self) -> Term:
        """The term the page names (the highest level's); `terms_label` names them all."""
        return self.terms.primary

    @property
    def own_term(self) -> Term | None:
        """The term current for the unit's own level: the one its congress belongs to."""
        return self.terms.for_level(self.unit.level)

    @property
    def terms_label(self) -> str:
        return terms_label(self.terms)

    @property
    def is_leaf(self) -> bool:
        return not self.child_units

    @cached_property
    def deadlines(self) -> dict[str, dt.date]:
        """Each level's deadline in the term current for that level."""
        out = {}
        for level in Level.values:
            term = self.terms.for_level(level)
            day = term.deadline_for(level) if term is not None else None
            if day is not None:
                out[level] = day
        return out

    def deadline_of(self, level: str) -> Deadline | None:
        return deadline_for(self.terms, level, self.today)

    @property
    def deadline(self) -> Deadline | None:
        """The deadline that applies to the unit itself."""
        return self.deadline_of(self.unit.level)

    @cached_property
    def by_level(self) -> list[dict]:
        """`Totals.by_level` of the subtree, each level with its deadline."""
        return [{**row, "deadline": self.deadline_of(row["level"])} for row in self.totals.by_level()]

    @cached_property
    def subcommittees_by_level(self) -> list[dict]:
        """"Subcommittees set up: 57/60" per level below: congresses with their
        subcommittees set up, of the level's congresses in its current term; the levels
        whose plan sets subcommittees up, and any other where some were entered."""
        return [row for row in self.totals.by_level()
                if row["congresses"] and (row["level"] in self.subcommittee_levels or row["subcommittees"])]

    @cached_property
    def followed_by_level(self) -> list[dict]:
        """"Followed: 135/135" per level below, with the units followed twice."""
        return [row for row in self.totals.by_level() if row["units"]]

    @cached_property
    def levels_below(self) -> list[str]:
        return [lv for lv in Level.values if self.totals.units.get(lv)]

    @cached_property
    def child_deadlines(self) -> list[Deadline]:
        """The deadlines of the levels of the unit's children (their table's caption)."""
        levels = {u.level for u in self.child_units}
        return [d for lv in Level.values if lv in levels and (d := self.deadline_of(lv)) is not None]

    @cached_property
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


def _unit_counts(*, unit_ids, terms):
    # The followed units (workgroups) are their own roll-up, read as correlated subqueries.
    return UnitCount.objects.filter(unit_id__in=unit_ids).annotate(
        **followed_annotations(terms)).values_list("unit_id", "level", "units", "followed", "twice")


def _congress_counts(*, unit_ids, terms):
    # One current term per level: at most one row per (unit, level); the subcommittees set
    # up (congresses) are their own roll-up, read as a correlated subquery keyed like it.
    return CongressCount.objects.filter(terms.q(), unit_id__in=unit_ids).annotate(
        subcommittees=subcommittees_annotation()).values()


def _step_counts(*, unit_ids, terms):
    return StepCount.objects.filter(unit_id__in=unit_ids, step__term_id__in=[t.pk for t in terms.terms]).values_list(
        "unit_id", "step_id", "total", "done")


def _open_due_counts(*, unit_ids, today, terms):
    # Keyed by term only: a congress belongs to a term covering its level, and current
    # terms cover disjoint levels, so the current term ids select the current congresses.
    return (OpenDueCount.objects.filter(unit_id__in=unit_ids, term_id__in=[t.pk for t in terms.terms], due_date__lt=today)
            .values("unit_id").annotate(n=Sum("open")).values_list("unit_id", "n"))


def _dates(*, unit_id, terms):
    return (CongressDateCount.objects.filter(terms.q(), unit_id=unit_id, congresses__gt=0)
            .order_by("date", "level").values_list("level", "date", "congresses", "pilots"))


# Built with the ORM once per shape (core.sql): the current terms and the number of units.
_UNIT_COUNTS, _CONGRESS_COUNTS = Prepared(_unit_counts), Prepared(_congress_counts)
# The step counts are not prepared on the server: their generic plan (a nested loop over
# the plan's steps) took 9 ms for a province's 164 units against 5 ms planned each time.
_STEP_COUNTS, _OPEN_DUE_COUNTS = Prepared(_step_counts, prepare=False), Prepared(_open_due_counts)
_DATES = Prepared(_dates)


def _shape(terms: CurrentTerms, name: str) -> tuple:
    """What a prepared query's SQL depends on besides its arguments: the current terms and
    the levels each covers."""
    return (name, tuple((pk, None if levels is None else tuple(levels)) for pk, levels in terms.pairs()))


def _totals_for(unit_ids: list[int], terms: CurrentTerms, today: dt.date,
                per_step: dict | None = None) -> dict[int, Totals]:
    """The subtree totals of these units, each unit below counted in the term current for
    its level: four queries. `per_step`, when given, receives {step id: (total, done)} of
    the first unit (the dashboard's own)."""
    totals: dict[int, Totals] = defaultdict(Totals)
    shape = _shape(terms, "totals")
    fixed = {"terms": terms}
    for unit_id, level, n, followed, twice in _UNIT_COUNTS(shape, fixed, unit_ids=unit_ids):
        totals[unit_id].units[level] = n
        totals[unit_id].followed[level] = followed
        totals[unit_id].followed_twice[level] = twice
    for row in _CONGRESS_COUNTS.dicts(shape, fixed, unit_ids=unit_ids):
        totals[row["unit_id"]].congresses[row["level"]] = row
    for unit_id, step_id, total, done in _STEP_COUNTS(shape, fixed, unit_ids=unit_ids):
        t = totals[unit_id]
        t.steps_total += total
        t.steps_done += done
        if per_step is not None and unit_id == unit_ids[0]:
            per_step[step_id] = (total, done)
    for unit_id, n in _OPEN_DUE_COUNTS(shape, fixed, unit_ids=unit_ids, today=today):
        totals[unit_id].overdue = n
    return totals


def _light(congress: Congress | None, totals: Totals, deadline: dt.date | None,
           today: dt.date) -> tuple[Light, list[str]]:
    """The light of a dashboard row (congresses.selectors.congress_light)."""
    return congress_light(congress, overdue_below=totals.overdue, deadline=deadline, today=today)


def _congresses_query(*, today, soon, terms, **ids_by_term):
    not_done = ~Q(milestones__status=MilestoneStatus.DONE)
    q = Q(pk__in=[])
    for term in terms.terms:
        ids = ids_by_term.get(f"ids_{term.pk}")
        if ids:
            q |= Q(term=term, unit_id__in=ids)
    return with_progress(Congress.objects.filter(q), today).annotate(
        steps_due_soon=Count("milestones", filter=not_done & Q(milestones__due_date__gte=today, milestones__due_date__lte=soon)),
        **light_annotations(today),
    )


_CONGRESSES = Prepared(_congresses_query)


def _congresses(units: list[Unit], terms: CurrentTerms, today: dt.date) -> list[Congress]:
    """These units' congresses, each in the term current for its level, with their step
    counts and what the light rules read (congresses.hooks): built once per shape
    (core.sql), the rules registered being part of it. By ids per term, not
    `Q(unit__parent=unit) | Q(unit=unit)`: an OR across the join makes PostgreSQL scan every
    congress and unit (~30 ms on the national tree, bench_dashboard)."""
    ids_by_term = {}
    for term in terms.terms:
        levels = set(terms.levels_of(term))
        ids = [u.pk for u in units if u.level in levels]
        if ids:
            ids_by_term[f"ids_{term.pk}"] = ids
    if not ids_by_term:
        return []
    shape = ("congresses", light_rule_names(), tuple(t.pk for t in terms.terms))
    return _CONGRESSES.models(Congress, shape, {"terms": terms}, today=today,
                              soon=today + dt.timedelta(days=AT_RISK_DAYS), **ids_by_term)


def _merge_steps(steps: list[PlanStep], per_step: dict[int, tuple[int, int]]) -> list[StepRow]:
    """One row per step code: the default plan gives each current term the same steps (the
    cells' 2020–2022 plan and the bloc's 2020–2025 plan both have "plan"), and the lists
    filter steps by code, so the dashboard sums them as the list shows them."""
    rows: dict[str, StepRow] = {}
    for s in steps:
        total, done = per_step.get(s.pk, (0, 0))
        row = rows.get(s.code)
        if row is None:
            rows[s.code] = StepRow(step=s, total=total, done=done)
        else:
            row.total += total
            row.done += done
    return list(rows.values())


def _subcommittee_levels(plan: list[PlanStep], terms: CurrentTerms) -> set[str]:
    """The levels whose current plan has the "set up subcommittees" step."""
    from congresses.services import SUBCOMMITTEES_STEP

    return {lv for s in plan if s.code == SUBCOMMITTEES_STEP for lv in s.levels
            if (t := terms.for_level(lv)) is not None and t.pk == s.term_id}


def unit_family(unit: Unit) -> tuple[list[Unit], list[Unit]]:
    """The unit's ancestors (root first) and its children in the tree's name order: one query."""
    family = list(Unit.objects.filter(Q(pk__in=unit.ancestor_ids) | Q(parent=unit)).order_by("depth", name_order()))
    return [u for u in family if u.depth < unit.depth], [u for u in family if u.parent_id == unit.pk]


def unit_dashboard(*, unit: Unit, terms: CurrentTerms, today: dt.date,
                   family: tuple[list[Unit], list[Unit]] | None = None,
                   rows_for: Collection[int] | None = None, plan: list[PlanStep] | None = None,
                   quiet: Quiet | None = None) -> Dashboard:
    """A fixed number of queries whatever the size of the tree (eleven, the current terms,
    their deadlines and plan steps read before or passed in as `plan`): the ancestors and children, the congresses of the
    unit and its children, the four roll-up tables for the unit and its children, the
    current terms' plan steps, its congress calendar, the petition counts of the unit and
    every child (own cases and roll-up in one UNION: the petitions tile lists the children
    with open cases, whichever rows are rebuilt). A unit without subordinates has no
    roll-ups: its dashboard reads its own milestones and petitions instead (four).

    `family` is `unit_family(unit)` when the caller has read it already (one query fewer);
    `rows_for`, when given, names the children whose rows to build (the dashboard's cached
    page has the others, dashboards.rows): the queries then read the unit and those only;
    `plan`, the current terms' plan steps in plan order when the caller keeps them
    (dashboards.cache `Plan.steps`: one query fewer); `quiet`, the calendar, documents,
    petitions and personnel sections when the caller kept them (four queries fewer)."""
    ancestors, children = family if family is not None else unit_family(unit)
    wanted = children if rows_for is None else [c for c in children if c.pk in rows_for]
    congresses = {c.unit_id: c for c in _congresses([unit, *wanted], terms, today)}
    own = congresses.get(unit.pk)
    if not children:
        # No subordinates, so nothing below to count: the unit's own checklist instead of
        # eleven empty 0/0 bars (a cell secretary's "progress" link).
        milestones = [] if own is None else list(
            own.milestones.select_related("step").order_by("step__order", "step__code"))
        steps = [StepRow(step=m.step, total=1, done=int(m.is_done), milestone=m, overdue=m.is_overdue(today))
                 for m in milestones]
        return Dashboard(unit=unit, terms=terms, today=today, ancestors=ancestors, totals=Totals(),
                         steps=steps, children=[], congress=own,
                         documents=dashboard_documents(unit=unit, congress=own, term_ids=[], subtree=False),
                         petitions=petition_counts_for([unit.pk], today))
    per_step: dict[int, tuple[int, int]] = {}
    totals = _totals_for([unit.pk, *[c.pk for c in wanted]], terms, today, per_step)
    term_order = {t.pk: i for i, t in enumerate(terms.terms)}
    if plan is None:
        plan = sorted(PlanStep.objects.filter(term_id__in=term_order),
                      key=lambda s: (term_order[s.term_id], s.order, s.code))
    if quiet is None:
        quiet = Quiet(
            dates=[DateRow(level, as_date(day), n, pilots)
                   for level, day, n, pilots in _DATES(_shape(terms, "dates"), {"terms": terms}, unit_id=unit.pk)],
            documents=dashboard_documents(unit=unit, congress=own, term_ids=list(term_order)),
            petitions=petition_counts_for([unit.pk, *[c.pk for c in children]], today),
            personnel=plan_counts(unit, terms),
        )
    d = Dashboard(unit=unit, terms=terms, today=today, ancestors=ancestors, totals=totals.get(unit.pk, Totals()),
                  steps=_merge_steps(plan, per_step), children=[], congress=own, dates=quiet.dates,
                  subcommittee_levels=_subcommittee_levels(plan, terms), documents=quiet.documents,
                  child_units=children, petitions=quiet.petitions, personnel=quiet.personnel)
    for child in wanted:
        congress = congresses.get(child.pk)
        child_totals = totals.get(child.pk, Totals())
        deadline = d.deadline_of(child.level)
        light, reasons = _light(congress, child_totals, deadline.date if deadline else None, today)
        d.children.append(ChildRow(unit=child, congress=congress, totals=child_totals, light=light,
                                   reasons=reasons, deadline=deadline,
                                   petitions=d.petitions.get(child.pk) or PetitionCounts()))
    return d
