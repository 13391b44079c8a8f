from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from accounts.services import user_set_language

from .health import check_broker, check_database
from .middleware import remember_language


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
    working-group member (or a standing committee member in charge) to their units, a
    board member to their tasks, everyone else to the top of their scope."""
    scope = request.user.scope
    if scope.my_unit_ids:
        return redirect("congresses:my_unit")
    if scope.has_my_units:
        return redirect("workgroups:my_units")
    if scope.body_ids:
        return redirect("conclusions:my_tasks")
    if scope.home_unit_id:
        return redirect("committees:unit_detail", pk=scope.home_unit_id)
    if scope.is_admin:
        return redirect("committees:unit_list")
    return render(request, "core/no_scope.html")


def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's view (the cookie, for the next anonymous
    page), and for a signed-in user the choice kept on their row, which their pages and
    emails follow from then on (core.middleware)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
        remember_language(request, language)
    return response
