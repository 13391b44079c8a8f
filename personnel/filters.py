"""The plan list's filters (bookmarkable: the query string is the state)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committees.models import Level

from .models import PersonnelPlan, PlanStatus


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("status"), empty_label=_("All statuses"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"), field_name="congress__unit__level",
                                        empty_label=_("All levels"))
    composition_met = django_filters.BooleanFilter(label=_("composition targets met"),
                                                   widget=django_filters.widgets.BooleanWidget())
    results_entered = django_filters.BooleanFilter(label=_("results entered"),
                                                   widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = PersonnelPlan
        fields: list[str] = []  # every filter is declared above

    def filter_q(self, queryset, name, value):
        # The unit's name or code: the nominees' names are encrypted and never searched.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(congress__unit__name__icontains=value) | Q(congress__unit__code__iexact=value))
