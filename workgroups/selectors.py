"""Reads for the working-group pages: each costs a fixed number of queries, whatever the
number of units, groups or members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from committees.models import Level, Unit
from congresses.models import Congress, Light, MilestoneStatus
from congresses.hooks import light_annotations
from congresses.selectors import AT_RISK_DAYS, CurrentTerms, congress_light, deadline_for
from core.text import fold

from progress.models import OpenDueCount, UnitCount

from .models import Assignment, FollowedCount, FollowUp, GroupMember, GroupStatus, GroupUnit, WorkingGroup

# --- The unit picker: one matching function --------------------------------------------------
# Vietnamese names are searched without their accents ("buon don" finds "Buôn Đôn"), on the
# unit's folded name column (committees.names: kept by the unit services and the import).

PICKER_LIMIT = 20


def search_units(queryset: QuerySet[Unit], q: str, *, limit: int = PICKER_LIMIT) -> list[Unit]:
    """Units of `queryset` whose name contains every word of `q` (accents and case
    ignored) or whose code starts with it, by path. The one matching function of the picker."""
    needle = fold(q)
    if not needle:
        return []
    by_name = Q()
    for word in needle.split():
        by_name &= Q(name_search__contains=word)
    return list(
        queryset.filter(by_name | Q(code__istartswith=needle)).order_by("path")
        .only("pk", "code", "name", "level", "path", "parent_id")[:limit]
    )


# --- Coverage ---------------------------------------------------------------------------------


def _followed_rows(terms: CurrentTerms | None) -> QuerySet[GroupUnit]:
    rows = GroupUnit.objects.filter(ended_on__isnull=True, group__status=GroupStatus.ACTIVE)
    if terms is not None:
        rows = rows.filter(group__term__in=[t.pk for t in terms.terms])
    return rows


def _followers(terms: CurrentTerms | None) -> QuerySet[Assignment]:
    rows = Assignment.objects.active()
    if terms is not None:
        rows = rows.filter(member__group__term__in=[t.pk for t in terms.terms])
    return rows


def _annotated(units: QuerySet[Unit], terms: CurrentTerms | None) -> QuerySet[Unit]:
    """Units with `groups` (active groups following them) and `followers` (members
    assigned to them), each a correlated count."""
    groups = (_followed_rows(terms).filter(unit_id=OuterRef("pk")).order_by()
              .values("unit_id").annotate(n=Count("group_id", distinct=True)).values("n"))
    followers = (_followers(terms).filter(unit_id=OuterRef("pk")).order_by()
                 .values("unit_id").annotate(n=Count("member_id", distinct=True)).values("n"))
    return units.annotate(groups=Coalesce(Subquery(groups), 0), followers=Coalesce(Subquery(followers), 0))


def twice_q() -> Q:
    """Followed twice: by two groups, or by two members (issue 11: flagged)."""
    return Q(groups__gt=1) | Q(followers__gt=1)


@dataclass(frozen=True)
class CoverageCount:
    """"N/M followed": units of a level under a unit, how many an active working group
    follows, and how many two groups or two members follow."""

    level: str
    followed: int
    total: int
    twice: int

    @property
    def uncovered(self) -> int:
        return self.total - self.followed


def followed_annotations(terms: CurrentTerms | None) -> dict:
    """For rows of the unit-count roll-up (`progress.models.UnitCount`: a unit and a level),
    `followed` and `twice`: the followed-unit roll-up (workgroups.progress) of the same unit
    and level, summed over the current terms' groups (any term with None). Correlated
    subqueries, so a reader of the unit counts gets them in the same query: the
    dashboard's query count does not move."""
    rows = FollowedCount.objects.filter(unit_id=OuterRef("unit_id"), level=OuterRef("level"))
    if terms is not None:
        rows = rows.filter(term_id__in=[t.pk for t in terms.terms])

    def total(name: str) -> Coalesce:
        summed = rows.order_by().values("unit_id").annotate(n=Sum(name)).values("n")
        return Coalesce(Subquery(summed, output_field=IntegerField()), 0)

    return {"followed": total("followed"), "twice": total("twice")}


def coverage_counts(unit: Unit, terms: CurrentTerms | None, *, level: str | None = None) -> dict[str, CoverageCount]:
    """For each level under `unit` (or only `level`), the coverage of its units by the
    active working groups of the current terms, read from the roll-ups: one query, whatever
    the size of the subtree. The units of a level are the dashboard's (UnitCount: every
    unit of the tree below); a unit is followed by an active group of a current term, and
    followed twice by two such groups or two of their members (`twice_q`)."""
    rows = UnitCount.objects.filter(unit=unit, units__gt=0)
    if level:
        rows = rows.filter(level=level)
    counts = {
        lv: CoverageCount(lv, followed, total, twice)
        for lv, total, followed, twice in rows.annotate(**followed_annotations(terms))
        .values_list("level", "units", "followed", "twice")
    }
    return {lv: counts[lv] for lv in Level.values if lv in counts}


def default_level(unit: Unit) -> str | None:
    """The level of the units a superior's groups usually follow: the next one down."""
    levels = Level.values
    i = levels.index(unit.level) if unit.level in levels else -1
    return levels[i + 1] if 0 <= i < len(levels) - 1 else None


@dataclass
class CoverageRow:
    unit: Unit
    cells: dict[int, list[str]]  # group id -> names of the members following the unit there
    groups: int
    followers: int

    @property
    def twice(self) -> bool:
        return self.groups > 1 or self.followers > 1


@dataclass
class Coverage:
    unit: Unit
    level: str | None
    count: CoverageCount
    groups: list[WorkingGroup]
    rows: list[CoverageRow] = field(default_factory=list)


def coverage_units(*, unit: Unit, level: str | None, terms: CurrentTerms | None, group: WorkingGroup | None = None,
                   member: GroupMember | None = None, uncovered: bool = False) -> QuerySet[Unit]:
    """The units of the coverage matrix, uncovered first, then by path."""
    from .querysets import followed_by_q, in_group_q

    units = Unit.objects.under(unit, include_self=False).filter(is_active=True)
    if level:
        units = units.filter(level=level)
    if group is not None:
        units = units.filter(in_group_q(group))
    if member is not None:
        units = units.filter(followed_by_q(member))
    units = _annotated(units, terms)
    if uncovered:
        units = units.filter(groups=0)
    uncovered_first = Case(When(groups=0, then=Value(0)), default=Value(1), output_field=IntegerField())
    return units.order_by(uncovered_first, "path")


def coverage(*, unit: Unit, level: str | None, terms: CurrentTerms | None, units: list[Unit]) -> Coverage:
    """The matrix for the units of a page: their groups and the members following them
    (two queries, plus the count)."""
    ids = [u.pk for u in units]
    followed = list(_followed_rows(terms).filter(unit_id__in=ids).select_related("group"))
    groups = sorted({r.group_id: r.group for r in followed}.values(), key=lambda g: (g.unit_id, g.number, g.pk))
    cells: dict[tuple[int, int], list[str]] = {}
    for r in followed:
        cells.setdefault((r.unit_id, r.group_id), [])
    for a in _followers(terms).filter(unit_id__in=ids).select_related("member").order_by("member__full_name"):
        cells.setdefault((a.unit_id, a.member.group_id), []).append(a.member.full_name)
    rows = [
        CoverageRow(unit=u, cells={g.pk: cells[(u.pk, g.pk)] for g in groups if (u.pk, g.pk) in cells},
                    groups=u.groups, followers=u.followers)
        for u in units
    ]
    counts = coverage_counts(unit, terms, level=level).values()
    count = CoverageCount(level or "", sum(c.followed for c in counts), sum(c.total for c in counts),
                          sum(c.twice for c in counts))
    return Coverage(unit=unit, level=level, count=count, groups=groups, rows=rows)


# --- "My units": the member's landing page -------------------------------------------------


@dataclass
class MyUnitRow:
    unit: Unit
    groups: list[str]
    congress: Congress | None
    overdue_steps: int
    latest: FollowUp | None
    # The light and its reasons, as the unit's row on its superior's dashboard gives them.
    light: Light = Light.ON_TRACK
    reasons: list[str] = field(default_factory=list)
    # The user is in charge of the unit as a standing committee member (accounts.access
    # "in_charge"), besides or instead of following it for a working group.
    in_charge: bool = False


def my_units(*, user, terms: CurrentTerms, today: dt.date, in_charge_ids: tuple[int, ...] = ()) -> list[MyUnitRow]:
    """The units the user follows now for a working group, and those they are in charge of
    as a standing committee member (`in_charge_ids`: their scope's in_charge_unit_ids, which
    the view has at hand), each with its
    congress of the term current for its level, its overdue steps, its light and reasons
    (congresses.selectors.congress_light, as on the dashboard) and the latest follow-up
    entry: four queries (three with no unit), five with units in charge."""
    assignments = list(
        Assignment.objects.active().filter(member__user=user)
        .select_related("unit", "member__group").order_by("unit__path", "member__group__number")
    )
    units: dict[int, Unit] = {}
    groups: dict[int, list[str]] = {}
    for a in assignments:
        units.setdefault(a.unit_id, a.unit)
        groups.setdefault(a.unit_id, [])
        if a.member.group.name not in groups[a.unit_id]:
            groups[a.unit_id].append(a.member.group.name)
    in_charge = set(in_charge_ids)
    missing = in_charge - set(units)
    if missing:
        for unit in Unit.objects.filter(pk__in=missing):
            units[unit.pk] = unit
            groups[unit.pk] = []
        units = dict(sorted(units.items(), key=lambda item: item[1].path))
    not_done = ~Q(milestones__status=MilestoneStatus.DONE)
    soon = today + dt.timedelta(days=AT_RISK_DAYS)
    congresses = {
        c.unit_id: c for c in Congress.objects.filter(unit_id__in=list(units))
        .filter(terms.q("term", "unit__level"))
        .annotate(overdue=Count("milestones", filter=Q(milestones__due_date__lt=today) & not_done),
                  steps_due_soon=Count("milestones", filter=not_done & Q(
                      milestones__due_date__gte=today, milestones__due_date__lte=soon)),
                  **light_annotations(today))
    }
    latest_ids = (FollowUp.objects.filter(unit_id=OuterRef("pk")).order_by("-happened_on", "-pk").values("pk")[:1])
    # The overdue steps below each unit (the roll-up), in the same query as the latest entry.
    below = (OpenDueCount.objects.filter(unit_id=OuterRef("pk"), term_id__in=[t.pk for t in terms.terms],
                                         due_date__lt=today)
             .order_by().values("unit_id").annotate(n=Sum("open")).values("n"))
    overdue_below: dict[int, int] = {}
    latest_by_unit: dict[int, int | None] = {}
    for pk, latest, n in (Unit.objects.filter(pk__in=list(units))
                          .annotate(latest=Subquery(latest_ids), below=Coalesce(Subquery(below), 0))
                          .values_list("pk", "latest", "below")):
        latest_by_unit[pk], overdue_below[pk] = latest, n
    entries = FollowUp.objects.select_related("member").in_bulk([i for i in latest_by_unit.values() if i])
    rows = []
    for unit_id, unit in units.items():
        congress = congresses.get(unit_id)
        latest = entries.get(latest_by_unit.get(unit_id))
        if congress is not None:
            congress.steps_overdue = congress.overdue
        deadline = deadline_for(terms, unit.level, today)
        light, reasons = congress_light(congress, overdue_below=overdue_below.get(unit_id, 0),
                                        deadline=deadline.date if deadline else None, today=today)
        rows.append(MyUnitRow(unit=unit, groups=groups[unit_id], congress=congress,
                              overdue_steps=congress.overdue if congress else 0, latest=latest,
                              light=light, reasons=reasons, in_charge=unit_id in in_charge))
    return rows


# --- A group's page -------------------------------------------------------------------------


def group_page(group: WorkingGroup) -> WorkingGroup:
    """The group with its members, their active assignments, its sub-teams and its units."""
    return (
        WorkingGroup.objects.select_related("unit", "term")
        .prefetch_related(
            Prefetch("members", queryset=GroupMember.objects.select_related("user", "sub_team").order_by(
                "left_on", "role", "full_name")),
            Prefetch("members__assignments", queryset=Assignment.objects.filter(ended_on__isnull=True)
                     .select_related("unit").order_by("unit__path"), to_attr="open_assignments"),
            "sub_teams",
            Prefetch("group_units", queryset=GroupUnit.objects.filter(ended_on__isnull=True)
                     .select_related("unit").order_by("unit__path"), to_attr="open_units"),
        )
        .get(pk=group.pk)
    )


def follow_ups(unit: Unit) -> QuerySet[FollowUp]:
    return (FollowUp.objects.filter(unit=unit).select_related("member", "member__group", "created_by")
            .prefetch_related("attachments").order_by("-happened_on", "-pk"))

