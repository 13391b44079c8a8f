"""The filters of the list of units below a unit (dashboards.lists.unit_rows).

Every value lives in the query string, so a list is a bookmark and each dashboard count is
a link. Two parameters order rather than filter:

- `missing` puts the units that lack something first ("the missing ones first": the 3
  unregistered of "registered 57/60" above the 57 others), before the user's ordering;
- `ordering` (the sortable columns), then the tree order, so pages are stable.

Working groups (tổ công tác, DOMAIN.md; issue 11): "working group" keeps the units a
group follows, "followed by" those a member follows (both among the active groups of the
current terms the user may see, read in one query only when the form is drawn or a value
is given), "followed" the units some group follows, none does, or two do; "subcommittees
set up" keeps the congresses whose subcommittees are, or are not yet, set up. The form
(under "More filters"), the heading, the exports' title row and the bookmarks pick them
up by themselves.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from committees.models import Level, UnitKind
from committees.names import fold, name_order
from congresses.forms import DateInput
from congresses.models import CongressStatus, PlanStep, Subcommittee
from congresses.selectors import CurrentTerms
from workgroups.models import WorkingGroup
from workgroups.querysets import filter_choices, followed_by_q, followed_q, followed_twice_q, in_group_q
from documents.models import DocumentKind
from documents.querysets import documents_of_units

from .lists import NO_CONGRESS, deadline_of_level, has_overdue, has_step

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

STATUS_CHOICES = [*CongressStatus.choices, (NO_CONGRESS, _("No congress"))]

FOLLOWED_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("twice", _("Twice"))]

CHECK_CHOICES = [
    ("before_subordinates", _("Dated before a subordinate unit's congress")),
    ("after_deadline", _("Dated after the level's deadline")),
]

# What `missing` puts first, in the words of the page heading ("… first").
MISSING_CHOICES = [
    ("registered", _("Congress date not registered")),
    ("held", _("Congress not held")),
    ("date", _("No congress date")),
    ("congress", _("No congress opened")),
    ("step", _("The chosen step not done")),
    ("steps", _("Fewest steps done")),
]

# Column parameter -> annotation of unit_rows (the ranks sort levels top down and the
# status "no congress" first, rather than alphabetically).
ORDERING_FIELDS = {
    "name": "name_key",
    "code": "code",
    "level": "level_rank",
    "date": "congress_date",
    "status": "status_rank",
    "steps": "steps_done",
    "overdue": "steps_overdue",
}
ORDERING_LABELS = {
    "name_key": _("Unit"), "code": _("Code"), "level_rank": _("Level"), "congress_date": _("Congress date"),
    "status_rank": _("Status"), "steps_done": _("Steps done"), "steps_overdue": _("Overdue steps"),
}
NULLABLE = {"congress_date"}  # sorted with the units without a date last, either way
DESCENDING_FIRST = {"overdue"}  # a first click on the column shows the most overdue first


def _having_last(condition) -> Case:
    """1 for the rows that have the thing (meet `condition`), 0 for the others: ascending,
    the missing ones come first. A CASE, not the bare condition, so that NULL (a unit
    without a congress) counts as missing."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


class UnitListFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or code")}),
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), empty_label=_("All levels"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"), empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("Status"), empty_label=_("Any status")
    )
    pilot = django_filters.ChoiceFilter(choices=YES_NO, method="filter_pilot", label=_("Pilot congress"), empty_label=_("Any"))
    registered = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_registered", label=_("Date registered"), empty_label=_("Any")
    )
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="filter_overdue", label=_("Overdue steps"), empty_label=_("Any"))
    step = django_filters.ChoiceFilter(method="filter_step", label=_("Step"), empty_label=_("Any step"))
    step_done = django_filters.ChoiceFilter(choices=YES_NO, method="filter_step", label=_("Step done"), empty_label=_("Any"))
    # Congress documents (documents app): units whose document of this kind has done at
    # least `document_steps` drafting steps ("political report: 3/6 at 57 of 60 units").
    document = django_filters.ChoiceFilter(choices=DocumentKind.choices, method="filter_document",
                                           label=_("Congress document"), empty_label=_("Any document"))
    document_steps = django_filters.NumberFilter(method="filter_document", label=_("Drafting steps done, at least"),
                                                 min_value=0)
    date_from = django_filters.DateFilter(
        field_name="congress_date", lookup_expr="gte", label=_("Congress from"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="congress_date", lookup_expr="lte", label=_("Congress until"), widget=DateInput()
    )
    check = django_filters.ChoiceFilter(choices=CHECK_CHOICES, method="filter_check", label=_("Check"), empty_label=_("Any"))
    subcommittees = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_subcommittees", label=_("Subcommittees set up"), empty_label=_("Any")
    )
    followed = django_filters.ChoiceFilter(
        choices=FOLLOWED_CHOICES, method="filter_followed", label=_("Followed by a working group"),
        empty_label=_("Any"),
    )
    working_group = django_filters.ChoiceFilter(
        method="filter_working_group", label=_("Working group"), empty_label=_("Any group")
    )
    followed_by = django_filters.ChoiceFilter(
        method="filter_followed_by", label=_("Followed by"), empty_label=_("Anyone")
    )
    missing = django_filters.ChoiceFilter(
        choices=MISSING_CHOICES, method="keep", label=_("Show first"), empty_label="—"
    )
    ordering = django_filters.OrderingFilter(
        fields=[(field, param) for param, field in ORDERING_FIELDS.items()],
        field_labels=ORDERING_LABELS, label=_("Sort by"), widget=forms.HiddenInput,
    )

    # The fields always in view; the others fold under "More filters" (phones).
    primary = ("q", "level", "status", "missing")

    def __init__(self, data=None, *args, terms: CurrentTerms, today: dt.date, user=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.terms = terms
        self.today = today
        self.user = user
        self._group_choices = None
        self.filters["working_group"].extra["choices"] = lambda: self.group_choices[0]
        self.filters["followed_by"].extra["choices"] = lambda: self.group_choices[1]
        # The current terms' steps, read once: the choices, and the steps a code names
        # (with several current terms, each plan may have a step of that code: "plan").
        order = {t.pk: i for i, t in enumerate(terms.terms)}
        self.steps: dict[str, list[PlanStep]] = {}
        for s in sorted(PlanStep.objects.filter(term_id__in=order), key=lambda s: (order[s.term_id], s.order, s.code)):
            self.steps.setdefault(s.code, []).append(s)
        self.filters["step"].extra["choices"] = [(code, steps[0].title) for code, steps in self.steps.items()]

    # --- Filters --------------------------------------------------------------------------

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset  # applied by filter_queryset, as ordering

    def filter_document(self, queryset: QuerySet, name: str, value) -> QuerySet:
        kind = self.form.cleaned_data.get("document")
        if not kind or name != "document":  # both values are read once, under "document"
            return queryset
        steps = self.form.cleaned_data.get("document_steps")
        return queryset.filter(Exists(documents_of_units(self.terms, kind, None if steps is None else int(steps))))

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name_search__contains=fold(value)) | Q(code__istartswith=value))

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NO_CONGRESS:
            return queryset.filter(congress_pk__isnull=True)
        return queryset.filter(congress_status=value)

    def filter_pilot(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A unit without a congress is not a pilot (is_pilot is coalesced to false).
        return queryset.filter(is_pilot=(value == "yes"))

    def filter_registered(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(registered_on__isnull=(value != "yes"))

    def filter_overdue(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = has_overdue(self.today)
        return queryset.filter(condition if value == "yes" else ~condition)

    def filter_step(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # `step` keeps the units whose congress has that step (what "plan issued 57/60"
        # counts: 60 milestones); `step_done` then keeps the done or the unfinished ones.
        # Both are read here, once, from the step's filter.
        if name != "step":
            return queryset
        step = self.steps.get(value)
        if step is None:
            return queryset
        done = {"yes": True, "no": False}.get(self.form.cleaned_data.get("step_done"))
        return queryset.filter(has_step(step, done=done))

    def filter_check(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The dashboard's checks (DOMAIN.md "Congress": bottom-up, each level before its
        # deadline), counted by the roll-ups on the same date: held, or else planned.
        if value == "before_subordinates":
            return queryset.filter(before_subordinates=True)
        return queryset.annotate(level_deadline=deadline_of_level(self.terms)).filter(
            congress_date__gt=F("level_deadline")
        )

    @property
    def group_choices(self) -> tuple[list, list]:
        """The working groups and members the user may choose: the active groups of the
        current terms that the user sees (accounts.access, as on the groups' pages). One
        query, the first time the form is drawn or a value checked."""
        if self._group_choices is None:
            groups = WorkingGroup.objects.none()
            if self.user is not None:
                groups = WorkingGroup.objects.visible_to(self.user).active().filter(
                    term__in=[t.pk for t in self.terms.terms])
            self._group_choices = filter_choices(groups)
        return self._group_choices

    def filter_subcommittees(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Of the units with a congress, as "subcommittees set up: 57/60" counts them.
        set_up = Exists(Subcommittee.objects.filter(congress_id=OuterRef("congress_pk")))
        return queryset.filter(Q(congress_pk__isnull=False) & (set_up if value == "yes" else ~set_up))

    def filter_followed(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "twice":
            return queryset.filter(followed_twice_q(self.terms))
        followed = followed_q(self.terms)
        return queryset.filter(followed if value == "yes" else ~followed)

    def filter_working_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(in_group_q(int(value)))

    def filter_followed_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(followed_by_q(int(value)))

    # --- Ordering -------------------------------------------------------------------------

    def missing_having(self):
        """The condition a unit meets when it has what `missing` asks for (a Q or an
        Exists), or None when `missing` is unset or only orders ("steps")."""
        missing = self.form.cleaned_data.get("missing")
        if missing == "registered":
            return Q(registered_on__isnull=False)
        if missing == "held":
            return Q(congress_status=CongressStatus.HELD)
        if missing == "date":
            return Q(congress_date__isnull=False)
        if missing == "congress":
            return Q(congress_pk__isnull=False)
        if missing == "step":
            step = self.chosen_step
            return None if step is None else has_step(step, done=True)
        return None

    def missing_keys(self) -> list:
        """The ordering expressions that put the units lacking `missing` first, or []."""
        if self.form.cleaned_data.get("missing") == "steps":
            # Fewest done first; at none done, a unit without a congress before one with.
            return [F("steps_done").asc(), _having_last(Q(congress_pk__isnull=False))]
        having = self.missing_having()
        return [] if having is None else [_having_last(having)]

    @property
    def chosen_step(self) -> list[PlanStep] | None:
        """The steps of the chosen code, or None."""
        return self.steps.get(self.form.cleaned_data.get("step") or "")

    def order_by(self) -> list:
        keys = self.missing_keys()
        for param in self.form.cleaned_data.get("ordering") or []:
            descending = param.startswith("-")
            field = ORDERING_FIELDS.get(param.lstrip("-"))
            if field is None:
                continue
            # Names in Vietnamese order (Đ after D, not after Z) on every database.
            expression = name_order() if field == "name_key" else F(field)
            if field in NULLABLE:
                keys.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
            else:
                keys.append(expression.desc() if descending else expression.asc())
        keys.append("path")  # the tree order: the default, and a stable tie-break for pages
        return keys

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if name == "ordering":
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by(*self.order_by())

    @property
    def sorted_by(self) -> list[str]:
        """The column parameters the list is sorted by, e.g. ["-overdue"]."""
        return [p for p in (self.form.cleaned_data.get("ordering") or []) if p.lstrip("-") in ORDERING_FIELDS]

    # --- Words ----------------------------------------------------------------------------

    def describe(self) -> list[tuple[str, str]]:
        """The filters in force as (label, value) pairs, for the page heading and the
        exports' title row."""
        data = getattr(self.form, "cleaned_data", {})
        described = []
        for name, flt in self.filters.items():
            value = data.get(name)
            if name in ("ordering", "missing") or value in (None, "", []):
                continue
            if name == "step_done" and self.chosen_step is None:
                continue
            if name == "step":
                shown = self.steps[value][0].title if value in self.steps else value
            elif isinstance(value, dt.date):
                shown = value.strftime("%d/%m/%Y")
            elif "choices" in flt.extra:
                choices = flt.extra["choices"]
                shown = str(dict(choices() if callable(choices) else choices).get(value, value))
            else:
                shown = f"“{value}”"
            described.append((str(flt.label), shown))
        return described

    @property
    def secondary_active(self) -> bool:
        """A filter under "More filters" is set (or wrong): show them unfolded."""
        data = getattr(self.form, "cleaned_data", {})
        return any(
            name not in self.primary and name != "ordering" and (data.get(name) not in (None, "", []) or name in self.form.errors)
            for name in self.filters
        )

    @property
    def missing_label(self) -> str:
        """What `missing` puts first, or ""."""
        missing = getattr(self.form, "cleaned_data", {}).get("missing")
        if not missing or not self.missing_keys():
            return ""
        if missing == "step":
            return _("Step “%(step)s” not done") % {"step": self.chosen_step[0].title}
        return str(dict(MISSING_CHOICES)[missing])


def sort_links(query: QueryDict, sorted_by: list[str]) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (or reverses it when the list is
    already sorted by it), keeping every other parameter but the page, and the column's
    state ("asc", "desc" or "") for the header's arrow and aria-sort."""
    current = sorted_by[0] if sorted_by else ""
    links = {}
    for param in ORDERING_FIELDS:
        if current == param:
            state, target = "asc", f"-{param}"
        elif current == f"-{param}":
            state, target = "desc", param
        else:
            state, target = "", f"-{param}" if param in DESCENDING_FIRST else param
        q = query.copy()
        q.pop("page", None)
        q["ordering"] = target
        links[param] = {"url": "?" + q.urlencode(), "state": state}
    return links
