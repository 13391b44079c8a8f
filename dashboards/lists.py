"""The units behind a dashboard's counts: the strict descendants of a unit, one row each
with its congress of the term and its milestone counts (dashboards.views.unit_units and the
exports). The dashboard counts what this list lists: every count links here.

One query for a page of rows, whatever the size of the tree:

- the subtree is `path LIKE 'X%'`, a range scan on the path index (committees.models);
- the unit's congress is a LEFT JOIN (a FilteredRelation on the unique (unit, term)
  pair, the term being the one current for the unit's level: `CurrentTerms.q`), so a
  unit without a congress stays in the list;
- milestone counts are correlated subqueries keyed by the congress, each answered by the
  (congress, step) unique index; PostgreSQL evaluates them only for the rows it returns
  unless a filter or the ordering needs them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from committees.models import Level, Unit
from congresses.models import Congress, CongressStatus, Milestone, MilestoneStatus, PlanStep
from congresses.selectors import CurrentTerms

if TYPE_CHECKING:
    from .filters import UnitListFilterSet

# The congress status, "no congress" first: the order of the status column, and the value
# of the status filter for units without a congress of the term.
NO_CONGRESS = "none"
STATUS_RANK = {NO_CONGRESS: 0, CongressStatus.PREPARING: 1, CongressStatus.POSTPONED: 2, CongressStatus.HELD: 3}


def _count(milestones: QuerySet) -> Coalesce:
    """COUNT(*) of these milestones of the row's congress, 0 without a congress."""
    return Coalesce(
        Subquery(
            milestones.filter(congress_id=OuterRef("congress_pk")).order_by()
            .values("congress_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def open_milestones(today: dt.date | None = None) -> QuerySet:
    qs = Milestone.objects.exclude(status=MilestoneStatus.DONE)
    return qs if today is None else qs.filter(due_date__lt=today)


def milestones_of_row() -> QuerySet:
    return Milestone.objects.filter(congress_id=OuterRef("congress_pk"))


def unit_rows(*, unit: Unit, terms: CurrentTerms, today: dt.date) -> QuerySet[Unit]:
    """The strict descendants of `unit` (what the dashboard counts), annotated with their
    congress in the term current for their level and its milestone counts as of `today`.

    Annotations: `parent_name`, `congress_pk` (None without a congress), `congress_date`
    (the day held, or else planned: the calendar's date), `planned_date`,
    `registered_on`, `held_on`, `congress_status` (None without a congress),
    `is_pilot`, `before_subordinates`, `steps_total`, `steps_done`, `steps_overdue`,
    `next_step` (the title of the first unfinished step by due date), `level_rank`,
    `status_rank`.
    """
    return (
        Unit.objects.under(unit, include_self=False)
        # The condition's `level` is the unit's own column, in the join's ON clause.
        .annotate(c=FilteredRelation("congresses", condition=terms.q("congresses__term", "level")))
        .annotate(
            parent_name=F("parent__name"),
            congress_pk=F("c__id"),
            planned_date=F("c__planned_date"),
            registered_on=F("c__registered_on"),
            held_on=F("c__held_on"),
            congress_date=Congress.counts_on_expr("c__"),
            congress_status=F("c__status"),
            is_pilot=Coalesce("c__is_pilot", False),
            before_subordinates=Coalesce("c__before_subordinates", False),
            level_rank=Case(*[When(level=level, then=Value(i)) for i, level in enumerate(Level.values)],
                            default=Value(len(Level.values)), output_field=IntegerField()),
            status_rank=Case(*[When(c__status=s, then=Value(r)) for s, r in STATUS_RANK.items() if s != NO_CONGRESS],
                             default=Value(STATUS_RANK[NO_CONGRESS]), output_field=IntegerField()),
        )
        .annotate(
            steps_total=_count(Milestone.objects.all()),
            steps_done=_count(Milestone.objects.filter(status=MilestoneStatus.DONE)),
            steps_overdue=_count(open_milestones(today)),
            next_step=Subquery(
                open_milestones().filter(congress_id=OuterRef("congress_pk"))
                .order_by(F("due_date").asc(nulls_last=True), "step__order").values("step__title")[:1],
                output_field=CharField(),
            ),
        )
        .select_related(None)
        .defer("created_at", "updated_at")
    )


def has_overdue(today: dt.date) -> Exists:
    return Exists(open_milestones(today).filter(congress_id=OuterRef("congress_pk")))


def has_step(steps: list[PlanStep], *, done: bool | None = None) -> Exists:
    """The row's congress has a milestone for one of `steps` (the steps of one code in the
    current terms; done or not, when asked)."""
    qs = milestones_of_row().filter(step__in=steps)
    if done is True:
        qs = qs.filter(status=MilestoneStatus.DONE)
    elif done is False:
        qs = qs.exclude(status=MilestoneStatus.DONE)
    return Exists(qs)


def deadline_of_level(terms: CurrentTerms) -> Case:
    """The deadline of the row's level in the term current for it: a CASE built from the
    deadlines `current_terms()` has already read (no query of its own)."""
    whens = []
    for level in Level.values:
        term = terms.for_level(level)
        day = term.deadline_for(level) if term is not None else None
        if day is not None:
            whens.append(When(level=level, then=Value(day)))
    return Case(*whens, default=Value(None), output_field=DateField())


@dataclass
class UnitList:
    """The list of the units below `unit` as one request asks for it."""

    unit: Unit
    terms: CurrentTerms
    today: dt.date
    filterset: UnitListFilterSet

    @property
    def terms_label(self) -> str:
        from .selectors import terms_label

        return terms_label(self.terms)

    @property
    def rows(self) -> QuerySet[Unit]:
        """Every row, filtered and in order (the page paginates it, the exports read it all)."""
        return self.filterset.qs

    @property
    def filters(self) -> list[tuple[str, str]]:
        return self.filterset.describe()

    @property
    def missing_label(self) -> str:
        return self.filterset.missing_label

    def counts(self) -> tuple[int, int | None]:
        """The rows, and of them those lacking what `missing` asks for (None without it),
        in one query: the page's heading names the gap ("55 of 1008 units: congress date
        not registered") and the paginator takes the first number instead of counting."""
        having = self.filterset.missing_having()
        rows = self.rows.order_by()
        if having is None:
            return rows.count(), None
        # A 0/1 column summed over the rows: the aggregate then reads the annotation from the
        # rows' subquery (a filtered Count would name `congress_pk` outside it on PostgreSQL).
        has_it = Case(When(having, then=Value(1)), default=Value(0), output_field=IntegerField())
        counts = rows.annotate(has_it=has_it).aggregate(total=Count("pk"), having_it=Sum("has_it"))
        return counts["total"], counts["total"] - (counts["having_it"] or 0)


def check_urls(unit: Unit) -> dict[str, str]:
    """The lists behind the dashboard's checks (templates/dashboards/includes/checks.html)."""
    from django.urls import reverse

    base = reverse("dashboards:unit_units", args=[unit.pk])
    return {name: f"{base}?check={name}" for name in ("before_subordinates", "after_deadline")}
