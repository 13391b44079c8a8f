"""Reads for pages: each selector costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committees.models import Level, Unit

from . import hooks
from .models import (
    Congress,
    Light,
    Milestone,
    MilestoneStatus,
    Subcommittee,
    SubcommitteeCount,
    SubcommitteeMember,
    Term,
)

WARNING_NAMES_SHOWN = 5
# A step due within this many days makes a unit's light "at risk" (congress_light).
AT_RISK_DAYS = 7
LIGHT_RANK = {Light.LATE: 0, Light.AT_RISK: 1, Light.ON_TRACK: 2}  # worst first


@dataclass(frozen=True)
class CurrentTerms:
    """The term current for each level. Several terms may be current at once, each for its
    levels (a province on 2020–2025, its cells on 2020–2022); every count, list and
    reminder takes each unit in the term current for its level."""

    by_level: dict[str, Term]

    def for_level(self, level: str) -> Term | None:
        return self.by_level.get(level)

    @property
    def terms(self) -> list[Term]:
        """Each current term once, the one of the highest level first."""
        seen: dict[int, Term] = {}
        for level in Level.values:
            term = self.by_level.get(level)
            if term is not None:
                seen.setdefault(term.pk, term)
        return list(seen.values())

    @property
    def primary(self) -> Term | None:
        """The term of the highest level: the one the pages name."""
        terms = self.terms
        return terms[0] if terms else None

    def levels_of(self, term: Term) -> list[str]:
        """The levels `term` is current for."""
        return [lv for lv in Level.values if (t := self.by_level.get(lv)) is not None and t.pk == term.pk]

    def pairs(self) -> list[tuple[int, list[str] | None]]:
        """(term id, its levels, or None when it is current for every level), for SQL."""
        out = []
        for t in self.terms:
            levels = self.levels_of(t)
            out.append((t.pk, None if len(levels) == len(Level.values) else levels))
        return out

    def q(self, term: str = "term", level: str = "level") -> Q:
        """Rows whose (term, level) pair is current, e.g. `CongressCount.objects.filter(terms.q())`
        or `Congress.objects.filter(terms.q("term", "unit__level"))`. Matches nothing when
        no term exists."""
        q = Q(pk__in=[])
        for t in self.terms:
            q |= Q(**{term: t, f"{level}__in": self.levels_of(t)})
        return q


def current_terms() -> CurrentTerms:
    """The current term of each level: the current term covering it. When no term is
    marked current at all, the latest term covering each level. Two queries."""
    terms = list(Term.objects.order_by("-is_current", "-start_year", "-pk").prefetch_related("level_deadlines"))
    if any(t.is_current for t in terms):
        terms = [t for t in terms if t.is_current]
    by_level: dict[str, Term] = {}
    for level in Level.values:
        for term in terms:
            if term.covers(level):
                by_level[level] = term
                break
    return CurrentTerms(by_level)


def current_term(level: str | None = None) -> Term | None:
    """The current term of `level`, or (no level) the one the pages name."""
    terms = current_terms()
    return terms.for_level(level) if level else terms.primary


@dataclass(frozen=True)
class Deadline:
    """The date by which units of a level must hold their congress, in the term current
    for that level, and how far away it is (DOMAIN.md "Term": seed 001, the bloc's congress
    before 15/8/2020)."""

    level: str
    date: dt.date
    today: dt.date

    @property
    def days_left(self) -> int:
        """Days from today to the deadline; negative once it has passed."""
        return (self.date - self.today).days

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def days_label(self) -> str:
        n = self.days_left
        if n > 0:
            return ngettext("%(n)d day left", "%(n)d days left", n) % {"n": n}
        if n == 0:
            return _("today")
        return ngettext("%(n)d day ago", "%(n)d days ago", -n) % {"n": -n}

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    def __str__(self) -> str:
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} ({self.days_label})"


def deadline_for(terms: CurrentTerms, level: str, today: dt.date) -> Deadline | None:
    """The deadline of `level` in the term current for it, or None."""
    term = terms.for_level(level)
    day = term.deadline_for(level) if term is not None else None
    return Deadline(level, day, today) if day else None


def congress_warnings(congress: Congress) -> list[str]:
    """Warnings about a congress's date that inform but never block (DOMAIN.md "Congress":
    congresses go bottom-up, each level before its deadline)."""
    warnings: list[str] = []
    date = congress.counts_on
    if date is None:
        return warnings
    deadline = congress.term.deadline_for(congress.unit.level)
    if deadline and date > deadline:
        warnings.append(
            _("The congress date %(date)s is after the deadline for this level, %(deadline)s.")
            % {"date": date_format(date, "SHORT_DATE_FORMAT"), "deadline": date_format(deadline, "SHORT_DATE_FORMAT")}
        )
    later = list(
        Congress.objects.filter(term=congress.term, unit__parent=congress.unit)
        .alias(counts_on=Congress.counts_on_expr()).filter(counts_on__gt=date)
        .select_related("unit")
        .order_by("unit__name")
    )
    if later:
        names = ", ".join(c.unit.name for c in later[:WARNING_NAMES_SHOWN])
        if len(later) > WARNING_NAMES_SHOWN:
            names += " " + _("and %(n)d more") % {"n": len(later) - WARNING_NAMES_SHOWN}
        warnings.append(
            ngettext(
                "The congress is dated before that of %(count)d subordinate unit (%(names)s); congresses go bottom-up.",
                "The congress is dated before those of %(count)d subordinate units (%(names)s); congresses go bottom-up.",
                len(later),
            )
            % {"count": len(later), "names": names}
        )
    return warnings


@dataclass
class ChildRow:
    unit: Unit
    congress: Congress | None
    steps_done: int = 0
    steps_total: int = 0
    overdue: int = 0

    @property
    def percent_done(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


@dataclass
class UnitOverview:
    unit: Unit
    term: Term | None  # the term current for the unit's level
    ancestors: list[Unit]
    congress: Congress | None
    milestones: list[Milestone]
    children: list[ChildRow]
    warnings: list[str] = field(default_factory=list)
    deadline: Deadline | None = None  # the unit's own, in that term


def with_progress(qs, today: dt.date):
    """Congresses with their steps total, done and overdue as of `today` (the unit page's
    and the dashboard's rows)."""
    return qs.annotate(
        steps_total=Count("milestones"),
        steps_done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE)),
        steps_overdue=Count(
            "milestones",
            filter=~Q(milestones__status=MilestoneStatus.DONE) & Q(milestones__due_date__lt=today),
        ),
    )


def unit_overview(*, unit: Unit, terms: CurrentTerms, today: dt.date) -> UnitOverview:
    """A unit's page: breadcrumbs, its own congress and milestones in the term current for
    its level, its level's deadline, and one row per child unit with its congress (in the
    term current for the child's level: cells may be on a shorter term) and milestone
    completion. Seven queries, whatever the number of children (`terms` comes with its
    deadlines)."""
    ancestors = list(Unit.objects.ancestors_of(unit))
    children = list(Unit.objects.filter(parent=unit).order_by("name"))
    term = terms.for_level(unit.level)
    congress, milestones, warnings = None, [], []
    if term is not None:
        congress = (
            with_progress(Congress.objects.filter(unit=unit, term=term), today)
            .select_related("unit", "term", "updated_by")
            .first()
        )
        if congress is not None:
            congress.term = term  # reuse the prefetched deadlines
            milestones = list(congress.milestones.select_related("step", "updated_by").order_by("step__order"))
            warnings = congress_warnings(congress)
    by_unit = {
        c.unit_id: c
        for c in with_progress(Congress.objects.filter(terms.q("term", "unit__level"), unit__parent=unit), today)
    } if children and terms.terms else {}
    rows = [
        ChildRow(
            unit=child, congress=by_unit.get(child.pk),
            steps_done=getattr(by_unit.get(child.pk), "steps_done", 0),
            steps_total=getattr(by_unit.get(child.pk), "steps_total", 0),
            overdue=getattr(by_unit.get(child.pk), "steps_overdue", 0),
        )
        for child in children
    ]
    return UnitOverview(
        unit=unit, term=term, ancestors=ancestors, congress=congress, milestones=milestones,
        children=rows, warnings=warnings, deadline=deadline_for(terms, unit.level, today),
    )


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: object
    subject: str
    action: str
    changes: list[HistoryChange]


def _display(model, field_name: str, value) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


_AUDITED_SKIP = {"id", "updated_by", "congress", "step", "unit", "term"}


def congress_history(congress: Congress) -> list[HistoryEntry]:
    """Every change to a congress and its milestones, newest first: who, when, and each
    field before → after. Three queries."""
    steps = {s.pk: s.title for s in congress.term.steps.all()}
    entries: list[HistoryEntry] = []
    sources = [
        (Congress, congress.history.select_related("history_user"), lambda r: _("Congress")),
        (
            Milestone,
            Milestone.history.filter(congress_id=congress.pk).select_related("history_user"),
            lambda r: steps.get(r.step_id, "?"),
        ),
        (
            Subcommittee,
            Subcommittee.history.filter(congress_id=congress.pk).select_related("history_user"),
            lambda r: _("Subcommittee: %(name)s") % {"name": r.instance.title},
        ),
    ]
    for model, records, subject in sources:
        previous: dict[int, object] = {}
        for record in records.order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changes = []
            if before is not None:
                delta = record.diff_against(before)
                for change in delta.changes:
                    if change.field in _AUDITED_SKIP:
                        continue
                    changes.append(
                        HistoryChange(
                            field=str(model._meta.get_field(change.field).verbose_name),
                            old=_display(model, change.field, change.old),
                            new=_display(model, change.field, change.new),
                        )
                    )
                if not changes and record.history_type == "~":
                    previous[record.id] = record
                    continue
            action = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[record.history_type]
            entries.append(
                HistoryEntry(
                    when=record.history_date, who=record.history_user, subject=subject(record),
                    action=action, changes=changes,
                )
            )
            previous[record.id] = record
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


@dataclass
class SubcommitteeRow:
    """A subcommittee with its head and members, in order."""

    subcommittee: Subcommittee
    head: SubcommitteeMember | None = None
    members: list[SubcommitteeMember] = field(default_factory=list)


def subcommittees_of(congress: Congress) -> list[SubcommitteeRow]:
    """The congress's subcommittees with their people: one query, through the people
    (the services give every subcommittee its head, so each one comes along)."""
    from .models import SubcommitteeRole

    rows: dict[int, SubcommitteeRow] = {}
    people = (SubcommitteeMember.objects.filter(subcommittee__congress_id=congress.pk)
              .select_related("subcommittee").order_by("subcommittee__kind", "subcommittee__name",
                                                       "subcommittee_id", "order", "pk"))
    for person in people:
        row = rows.setdefault(person.subcommittee_id, SubcommitteeRow(person.subcommittee))
        if person.role == SubcommitteeRole.HEAD and row.head is None:
            row.head = person
        else:
            row.members.append(person)
    return list(rows.values())


def subcommittees_annotation() -> Coalesce:
    """For rows of the congress roll-up (`progress.models.CongressCount`: unit, term,
    level), the congresses of the same key whose subcommittees are set up
    (`SubcommitteeCount`): a correlated subquery, read in the congress counts' own query."""
    rows = SubcommitteeCount.objects.filter(
        unit_id=OuterRef("unit_id"), term_id=OuterRef("term_id"), level=OuterRef("level")
    ).values("set_up")[:1]
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def congress_light(congress: Congress | None, *, overdue_below: int, deadline: dt.date | None,
                   today: dt.date) -> tuple[Light, list[str]]:
    """The worst light of a unit's row and every reason for it, worst first: what a
    briefing would say about the unit (DOMAIN.md "Congress": each level before its
    deadline, bottom-up; "Plan and milestones"). `congress` carries the annotations
    `steps_overdue` and `steps_due_soon` (within AT_RISK_DAYS); `overdue_below` counts the
    overdue steps of the units below (the roll-ups). The dashboard's rows and a
    working-group member's "my units" both give this light."""
    problems: list[tuple[Light, str]] = []
    deadline_passed = deadline is not None and deadline < today
    if congress is None:
        problems.append((Light.LATE if deadline_passed else Light.AT_RISK, _("no congress opened")))
    else:
        date = congress.counts_on
        own_overdue = getattr(congress, "steps_overdue", 0)
        if own_overdue:
            problems.append((Light.LATE, ngettext(
                "%(n)d overdue step", "%(n)d overdue steps", own_overdue) % {"n": own_overdue}))
        if deadline and date and date > deadline:
            problems.append((Light.LATE, _("dated after the level deadline (%(date)s)") % {
                "date": date_format(deadline, "SHORT_DATE_FORMAT")}))
        if date is None:
            problems.append((Light.LATE if deadline_passed else Light.AT_RISK, _("no congress date")))
        if congress.before_subordinates:
            problems.append((Light.AT_RISK, _("dated before a subordinate unit's congress")))
        due_soon = getattr(congress, "steps_due_soon", 0)
        if due_soon and not congress.is_held:
            problems.append((Light.AT_RISK, ngettext(
                "%(n)d step due within %(days)d days", "%(n)d steps due within %(days)d days", due_soon
            ) % {"n": due_soon, "days": AT_RISK_DAYS}))
        # Rules of later apps (open personnel petitions), read from the annotations the
        # callers added with congresses.hooks.light_annotations.
        problems.extend(hooks.light_problems(congress, today))
    if overdue_below:
        problems.append((Light.AT_RISK, ngettext(
            "%(n)d overdue step below", "%(n)d overdue steps below", overdue_below) % {"n": overdue_below}))
    if not problems:
        return Light.ON_TRACK, [_("congress held") if congress.is_held else _("on schedule")]
    problems.sort(key=lambda p: LIGHT_RANK[p[0]])  # stable: within a light, the order above
    return problems[0][0], [reason for _worst, reason in problems]
