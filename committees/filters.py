import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Level, Unit, UnitKind
from .names import fold


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"), empty_label=_("All levels"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("kind"), empty_label=_("All kinds"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Unit
        fields = ["q", "level", "kind", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_search__contains=fold(value)) | Q(code__iexact=value) | Q(code__istartswith=value)
        )
