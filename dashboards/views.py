from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from accounts.tokens import login_or_token_required
from committees.models import Unit
from committees.querysets import mark_in_scope
from congresses.models import CongressStatus
from congresses.selectors import CurrentTerms, current_terms

from . import cache as dashboard_cache
from . import exports
from .briefing import unit_briefing as unit_briefing_of
from .charts import dashboard_charts
from .filters import UnitListFilterSet, sort_links
from .lists import UnitList, check_urls, unit_rows
from .selectors import Dashboard, PetitionCounts, unit_dashboard


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


@login_required
def unit_dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard page. Its body is the same for everyone who may open the unit: it is
    rendered from the roll-ups on the first request and then served from the cache until
    something it shows changes (dashboards.cache)."""
    unit, terms = _unit_and_terms(request, pk)
    today = timezone.localdate()
    key = dashboard_cache.body_key(unit.pk, [t.pk for t in terms.terms], today, get_language())
    body = cache.get(key)
    if body is None:
        d = unit_dashboard(unit=unit, terms=terms, today=today)
        _link_children(d)
        body = render_to_string("dashboards/unit_dashboard.html", {
            "d": d, "charts": dashboard_charts(d), "check_urls": check_urls(d.unit),
        })
        cache.set(key, body, timeout=dashboard_cache.BODY_TIMEOUT)
        ancestors = d.ancestors
    else:
        ancestors = list(Unit.objects.ancestors_of(unit))
    mark_in_scope(ancestors, request.user)
    return render(request, "dashboards/dashboard_page.html", {"unit": unit, "ancestors": ancestors, "body": body})


def _link_children(d: Dashboard) -> None:
    """Each child row's links, from one reverse() per URL name rather than three a row
    (a province has a few hundred rows)."""
    patterns = {name: reverse(f"dashboards:{name}", args=[0]) for name in ("unit_dashboard", "unit_units")}
    marker = "/0/"
    for row in d.children:
        segment = f"/{row.unit.pk}/"
        row.dashboard_url = patterns["unit_dashboard"].replace(marker, segment, 1)
        row.units_url = patterns["unit_units"].replace(marker, segment, 1)


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


def _date(day) -> str | None:
    return day.isoformat() if day else None


def _deadline_json(deadline) -> dict | None:
    return None if deadline is None else {
        "level": deadline.level, "date": deadline.date.isoformat(), "days_left": deadline.days_left,
    }


def _congress_json(c) -> dict | None:
    """A congress on the date it counts on (held, or else planned: `Congress.counts_on`)."""
    return None if c is None else {
        "date": _date(c.counts_on), "planned_date": _date(c.planned_date), "held_on": _date(c.held_on),
        "registered_on": _date(c.registered_on), "status": c.status, "pilot": c.is_pilot,
        "steps_done": c.steps_done, "steps_total": c.steps_total, "overdue_steps": c.steps_overdue,
    }


def _totals_json(t) -> dict:
    by_level = t.by_level()
    return {
        "units": t.units_total, "units_by_level": t.units, "registered": t.registered,
        "held": t.held, "pilots": t.pilots, "pilots_held": t.pilots_held,
        "by_level": {
            row["level"]: {k: row[k] for k in ("units", "registered", "held", "pilots", "pilots_held")}
            for row in by_level
        },
        # Issue 11: congresses with their subcommittees set up, of congresses; units followed
        # by an active working group of a current term (and twice), of units.
        "congresses": t.congresses_total, "subcommittees": t.subcommittees,
        "followed": t.followed_total, "followed_twice": t.followed_twice_total,
        "teams_by_level": {
            row["level"]: {k: row[k] for k in ("congresses", "subcommittees", "units", "followed", "followed_twice")}
            for row in by_level
        },
        "held_by_level": {row["level"]: row["held"] for row in by_level},  # kept for existing clients
        "steps_done": t.steps_done, "steps_total": t.steps_total, "overdue_steps": t.overdue,
        "before_subordinates": t.before_subordinates,
    }


def _documents_json(tile) -> dict | None:
    """Congress documents: the unit's own (steps done of total, open comment rounds
    answered) and, below it, documents per kind by steps done, comment requests answered."""
    if tile is None:
        return None
    return {
        "own": [{"kind": o.kind, "title": o.title, "steps_done": o.done, "steps_total": o.total,
                 "comments_requested": o.requests, "comments_answered": o.answered} for o in tile.own],
        "below": {k.kind: {"steps_total": k.total, "documents": k.documents,
                           "by_steps_done": {str(done): n for done, n in k.rows}} for k in tile.below},
        "comment_requests": {"requests": tile.requests, "answered": tile.answered},
    }


@login_or_token_required
def unit_dashboard_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The dashboard's data (docs/api.md)."""
    d = _dashboard(request, pk)
    return JsonResponse({
        "unit": {"id": d.unit.pk, "code": d.unit.code, "name": d.unit.name, "level": d.unit.level},
        "term": d.term.name,
        "terms": [{"name": t.name, "levels": d.terms.levels_of(t)} for t in d.terms.terms],
        "as_of": d.today.isoformat(),
        "congress": _congress_json(d.congress),
        "deadline": _deadline_json(d.deadline),
        "subtree": _totals_json(d.totals),
        "steps": [{"code": s.step.code, "title": s.step.title, "done": s.done, "total": s.total} for s in d.steps],
        "checklist": [
            {"code": s.step.code, "title": s.step.title, "status": s.milestone.status,
             "due_date": _date(s.milestone.due_date), "done_on": _date(s.milestone.done_on),
             "overdue": s.milestone.is_overdue(d.today)}
            for s in d.steps if s.milestone is not None
        ],
        "checks": {
            "before_subordinates": d.totals.before_subordinates, "after_deadline": d.after_deadline,
            "own": d.own_issues,
        },
        "deadlines": {level: day.isoformat() for level, day in d.deadlines.items()},
        "calendar": [
            {"level": r.level, "date": r.date.isoformat(), "congresses": r.congresses, "pilots": r.pilots}
            for r in d.dates
        ],
        "documents": _documents_json(d.documents),
        # Issue 14: open, overdue and personnel petitions of the subtree: counts only.
        "petitions": d.own_petitions.as_dict(),
        "children": [
            {
                "id": row.unit.pk, "code": row.unit.code, "name": row.unit.name, "level": row.unit.level,
                "congress": _congress_json(row.congress), "deadline": _deadline_json(row.deadline),
                "light": row.light, "reasons": row.reasons, "reason": row.reason,
                "subtree": _totals_json(row.totals),
                "petitions": (d.petitions.get(row.unit.pk) or PetitionCounts()).as_dict(),
            }
            for row in d.children
        ],
    }, json_dumps_params={"ensure_ascii": False})


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
