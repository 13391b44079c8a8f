from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.tokens import login_or_token_required
from committees.models import Unit
from committees.querysets import mark_in_scope
from congresses.selectors import current_term

from .charts import dashboard_charts
from .selectors import Dashboard, unit_dashboard


def _dashboard(request: HttpRequest, pk: int) -> Dashboard:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    term = current_term()
    if term is None:
        raise Http404
    return unit_dashboard(unit=unit, term=term, today=timezone.localdate())


@login_required
def unit_dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    dashboard = _dashboard(request, pk)
    mark_in_scope(dashboard.ancestors, request.user)
    return render(request, "dashboards/unit_dashboard.html", {"d": dashboard, "charts": dashboard_charts(dashboard)})


@login_required
def unit_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    """The briefing report (giao ban) of the subtree as of today: the dashboard laid out
    for paper, with the print stylesheet."""
    dashboard = _dashboard(request, pk)
    late = [row for row in dashboard.children if row.light != "on_track"]
    return render(request, "dashboards/briefing.html", {
        "d": dashboard, "charts": dashboard_charts(dashboard), "attention": late,
    })


@login_or_token_required
def unit_dashboard_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The dashboard's data (docs/api.md)."""
    d = _dashboard(request, pk)

    def totals(t):
        return {
            "units": t.units_total, "units_by_level": t.units, "registered": t.registered,
            "held": t.held, "pilots": t.pilots, "pilots_held": t.pilots_held,
            "held_by_level": {row["level"]: row["held"] for row in t.by_level()},
            "steps_done": t.steps_done, "steps_total": t.steps_total, "overdue_steps": t.overdue,
            "before_subordinates": t.before_subordinates,
        }

    return JsonResponse({
        "unit": {"id": d.unit.pk, "code": d.unit.code, "name": d.unit.name, "level": d.unit.level},
        "term": d.term.name,
        "as_of": d.today.isoformat(),
        "subtree": totals(d.totals),
        "steps": [{"code": s.step.code, "title": s.step.title, "done": s.done, "total": s.total} for s in d.steps],
        "checks": {
            "before_subordinates": d.totals.before_subordinates, "after_deadline": d.after_deadline,
            "own": d.own_issues,
        },
        "deadlines": {level: day.isoformat() for level, day in d.deadlines.items()},
        "calendar": [
            {"level": r.level, "date": r.date.isoformat(), "congresses": r.congresses, "pilots": r.pilots}
            for r in d.dates
        ],
        "children": [
            {
                "id": row.unit.pk, "code": row.unit.code, "name": row.unit.name, "level": row.unit.level,
                "congress": None if row.congress is None else {
                    "date": row.congress.planned_date.isoformat() if row.congress.planned_date else None,
                    "status": row.congress.status, "pilot": row.congress.is_pilot,
                    "steps_done": row.congress.steps_done, "steps_total": row.congress.steps_total,
                    "overdue_steps": row.congress.steps_overdue,
                },
                "light": row.light, "reason": row.reason, "subtree": totals(row.totals),
            }
            for row in d.children
        ],
    }, json_dumps_params={"ensure_ascii": False})
