"""The handlers' queue filters (bookmarkable: the query string is the state)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Petition, PetitionKind, PetitionStatus


class PetitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(choices=PetitionStatus.choices, label=_("Status"), empty_label=_("All"))
    kind = django_filters.ChoiceFilter(choices=PetitionKind.choices, label=_("Kind"), empty_label=_("All"))
    mine = django_filters.BooleanFilter(label=_("Assigned to me"), method="filter_mine", widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=forms.CheckboxInput)
    personnel = django_filters.BooleanFilter(label=_("About personnel"), method="filter_personnel",
                                             widget=forms.CheckboxInput)

    class Meta:
        model = Petition
        fields: list[str] = []  # every filter is declared above

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.today = user, today

    def filter_q(self, queryset, name, value):
        # The case's number ("12" or "#12"), its unit's name or code: never a sender, who
        # is encrypted and never searched.
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        q = Q(unit__name__icontains=value) | Q(unit__code__iexact=value)
        if value.isdecimal():
            q |= Q(pk=int(value))
        return queryset.filter(q)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(handler=self.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.today) if value else queryset

    def filter_personnel(self, queryset, name, value):
        return queryset.personnel() if value else queryset
