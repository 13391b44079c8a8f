from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from congresses.selectors import current_term, unit_overview

from .filters import UnitFilterSet
from .models import Unit

PAGE_SIZE = 50


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """Units in the user's scope, searchable and filterable; the query string is the state."""
    base = Unit.objects.visible_to(request.user).select_related("parent")
    filterset = UnitFilterSet(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base.filter(depth__lte=_top_depth(request))
    page = Paginator(qs.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "committees/unit_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


def _top_depth(request: HttpRequest) -> int:
    # Unfiltered, show the top two levels of the user's scope, not the whole tree.
    unit = request.user.unit
    return (unit.depth if unit else 0) + 1


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    overview = unit_overview(unit=unit, term=current_term(), today=timezone.localdate())
    user = request.user
    can_start = overview.term is not None and overview.congress is None and (
        user.is_portal_admin or (user.is_secretary and user.unit_id == unit.pk)
    )
    return render(
        request, "committees/unit_detail.html", {"o": overview, "unit": unit, "can_start_congress": can_start}
    )
