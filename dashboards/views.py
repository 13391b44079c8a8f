from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language

from accounts.access import scope_for
from accounts.tokens import login_or_token_required
from committees.models import Unit
from committees.querysets import mark_in_scope
from congresses.models import CongressStatus
from congresses.selectors import CurrentTerms, current_terms
from core.sql import Prepared

from . import bodies, exports
from .briefing import unit_briefing as unit_briefing_of
from .charts import dashboard_charts
from .filters import UnitListFilterSet, sort_links
from .lists import UnitList, unit_rows
from .selectors import Dashboard, unit_dashboard


def _unit_and_terms(request: HttpRequest, pk: int) -> tuple[Unit, CurrentTerms]:
    """The unit if the user may read it, and the term current for each level (with their
    deadlines: two queries); 404 otherwise."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    terms = current_terms()
    if not terms.terms:
        raise Http404
    return unit, terms


def _dashboard(request: HttpRequest, pk: int) -> Dashboard:
    unit, terms = _unit_and_terms(request, pk)
    return unit_dashboard(unit=unit, terms=terms, today=timezone.localdate())


# The unit of every dashboard request, read by a query prepared once (core.sql).
_UNIT = Prepared(lambda *, pk: Unit.objects.filter(pk=pk))


def _readable_unit(request: HttpRequest, pk: int) -> Unit:
    """The unit if the user may read it, else 404: the access module's rule
    (Scope.can_read, the test `Unit.objects.visible_to` filters by), applied to the unit
    read by its id."""
    units = _UNIT.models(Unit, "unit", pk=pk)
    if not units or not scope_for(request.user).can_read(units[0]):
        raise Http404
    return units[0]


def _lookup(request: HttpRequest, pk: int, kind: str) -> tuple[Unit, bodies.Lookup, object, str]:
    """The unit if the user may read it, and what the cache holds for its dashboard: the
    current terms kept per global version and the body, in one round trip (no query for
    the terms while they stand); 404 without a current term."""
    unit = _readable_unit(request, pk)
    today, language = timezone.localdate(), get_language()
    found = bodies.lookup(unit, today, language, kind)
    if not found.terms.terms:
        raise Http404
    return unit, found, today, language


@login_required
def unit_dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard page. Its body is the same for everyone who may open the unit: it is
    served from the cache until something it shows changes, and then put together from the
    unit's own figures and its children's rows, each cached until that child changes
    (dashboards.bodies)."""
    unit, found, today, language = _lookup(request, pk, "html")
    body, ancestors = bodies.html_body(unit, found, today, language)
    if ancestors is None:
        ancestors = list(Unit.objects.ancestors_of(unit))
    mark_in_scope(ancestors, request.user)
    return render(request, "dashboards/dashboard_page.html", {"unit": unit, "ancestors": ancestors, "body": body})


@login_required
def unit_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    """The briefing report (giao ban) of the subtree as of today, laid out for paper: a
    summary of at most two A4 pages, then the annex (dashboards.briefing)."""
    dashboard = _dashboard(request, pk)
    return render(request, "dashboards/briefing.html", {
        "d": dashboard, "charts": dashboard_charts(dashboard), "b": unit_briefing_of(dashboard),
    })


@login_or_token_required(anonymous="login")  # people open these links in a browser
def unit_briefing_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The briefing as a Word document, which officials edit before the meeting."""
    return exports.briefing_docx(unit_briefing_of(_dashboard(request, pk)))


@login_or_token_required
def unit_dashboard_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's data (docs/api.md), cached like the page (dashboards.bodies)."""
    unit, found, today, language = _lookup(request, pk, "json")
    body = bodies.json_body(unit, found, today, language)
    return HttpResponse(body, content_type="application/json")


# ---------------------------------------------------------------------------------------
# The units behind the counts (dashboards.lists), and the exports of the list and of the
# dashboard (dashboards.exports). The query string is the state: filters, `missing`,
# `ordering`, `page`.

UNIT_LIST_PAGE_SIZE = 50


def _unit_list(request: HttpRequest, pk: int) -> UnitList:
    unit, terms = _unit_and_terms(request, pk)
    today = timezone.localdate()
    filterset = UnitListFilterSet(
        request.GET, queryset=unit_rows(unit=unit, terms=terms, today=today), terms=terms, today=today,
        user=request.user,
    )
    filterset.is_valid()  # an invalid value is shown on the form and otherwise ignored
    return UnitList(unit=unit, terms=terms, today=today, filterset=filterset)


@login_required
def unit_units(request: HttpRequest, pk: int) -> HttpResponse:
    """The strict descendants of a unit with their congress and progress, filtered and
    sorted as the query string says; what every dashboard count links to."""
    listing = _unit_list(request, pk)
    paginator = Paginator(listing.rows, UNIT_LIST_PAGE_SIZE)
    paginator.count, missing_count = listing.counts()  # one query for both (a cached_property)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    statuses = dict(CongressStatus.choices)
    for row in page.object_list:
        row.status_label = statuses.get(row.congress_status, "")
    ancestors = mark_in_scope(list(Unit.objects.ancestors_of(listing.unit, include_self=True)), request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dashboards/unit_list.html", {
        "l": listing, "filter": listing.filterset, "page": page, "query": query.urlencode(),
        "ancestors": ancestors, "sort": sort_links(query, listing.filterset.sorted_by),
        "missing_count": missing_count,
    })


@login_or_token_required(anonymous="login")  # people open these links in a browser
def unit_units_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The list as CSV: every row, with the page's filters and ordering."""
    return exports.unit_list_csv(_unit_list(request, pk))


@login_or_token_required(anonymous="login")  # people open these links in a browser
def unit_units_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return exports.unit_list_xlsx(_unit_list(request, pk))


@login_or_token_required(anonymous="login")  # people open these links in a browser
def unit_dashboard_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The dashboard's table of subordinate units as CSV."""
    return exports.dashboard_csv(_dashboard(request, pk))


@login_or_token_required(anonymous="login")  # people open these links in a browser
def unit_dashboard_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard as a workbook: headline counts, completion per step, subordinate units."""
    return exports.dashboard_xlsx(_dashboard(request, pk))
