"""The coverage page's filters (bookmarkable: the query string is the state)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from committees.models import Level, Unit

from .models import GroupMember, WorkingGroup
from .querysets import followed_by_q, in_group_q


class CoverageFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"), method="noop",
                                        empty_label=_("All levels"))
    group = django_filters.ModelChoiceFilter(queryset=WorkingGroup.objects.none(), label=_("working group"),
                                             method="filter_group", empty_label=_("All groups"))
    followed_by = django_filters.ModelChoiceFilter(queryset=GroupMember.objects.none(), label=_("followed by"),
                                                   method="filter_followed_by", empty_label=_("Anyone"))
    uncovered = django_filters.BooleanFilter(label=_("not followed only"), method="noop",
                                             widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Unit
        fields: list[str] = []  # every filter is declared above

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups
        self.filters["followed_by"].queryset = GroupMember.objects.filter(group__in=groups).active()

    def noop(self, queryset, name, value):
        # Level and "not followed only" shape the matrix itself (workgroups.selectors).
        return queryset

    def filter_group(self, queryset, name, value):
        return queryset.filter(in_group_q(value)) if value else queryset

    def filter_followed_by(self, queryset, name, value):
        return queryset.filter(followed_by_q(value)) if value else queryset
