from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_broker, check_database


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise. No login: load
    balancers and monitors call it. Errors are named, not detailed, to outsiders."""
    checks = {"database": check_database(), "broker": check_broker()}
    ok = all(error is None for error in checks.values())
    body = {"status": "ok" if ok else "error", "checks": {k: ("ok" if v is None else "error") for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user where their work is: a secretary to their unit's checklist, a
    working-group member to the units they follow, everyone else to the top of their scope."""
    scope = request.user.scope
    if scope.my_unit_ids:
        return redirect("congresses:my_unit")
    if scope.follows:
        return redirect("workgroups:my_units")
    if scope.home_unit_id:
        return redirect("committees:unit_detail", pk=scope.home_unit_id)
    if scope.is_admin:
        return redirect("committees:unit_list")
    return render(request, "core/no_scope.html")
