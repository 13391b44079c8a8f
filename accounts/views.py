from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from committees.models import Unit
from core.middleware import remember_language

from . import services
from .forms import ApiTokenForm, LanguageForm
from .models import ApiToken

# The session key under which a new token's key waits for the next page view, the only one
# that shows it (POST/redirect/GET); that view pops it.
NEW_KEY_SESSION = "accounts:new_api_token"


def _example_url(request: HttpRequest) -> str:
    """The dashboard JSON of the user's unit (or the top of their scope) for the curl
    example; a placeholder when the user has no scope."""
    user = request.user
    unit_id = user.scope.home_unit_id or (
        Unit.objects.visible_to(user).order_by("depth", "path").values_list("pk", flat=True).first()
    )
    if unit_id is None:
        return request.build_absolute_uri(reverse("dashboards:unit_dashboard_json", args=[0])).replace("/0/", "/<id>/")
    return request.build_absolute_uri(reverse("dashboards:unit_dashboard_json", args=[unit_id]))


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens: the list, a form to create one, and, right after
    creating it, its key — shown on this one page view and never again."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plaintext = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[NEW_KEY_SESSION] = {"id": token.pk, "key": plaintext}
            return redirect("accounts:tokens")
    new = request.session.pop(NEW_KEY_SESSION, None)
    tokens = list(request.user.api_tokens.all())
    context = {
        "form": form,
        "tokens": tokens,
        "new_key": new["key"] if new else None,
        "new_token": next((t for t in tokens if new and t.pk == new["id"]), None),
        "example_url": _example_url(request) if new else None,
    }
    return render(request, "accounts/tokens.html", context, status=400 if form.errors else 200)


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens: someone else's is 404, as anything out of scope, whatever the
    # method (the lookup comes before the POST-only check).
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if token.revoked_at is None:
        services.api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked: scripts using it can no longer read.") % {"name": token.name})
    return redirect("accounts:tokens")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: who they are, their roles, the language of their pages and
    emails, and the way to their password, notification settings and API tokens. Shows
    no unit data beyond the names of the units the user holds roles on."""
    user = request.user
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": user.language or settings.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_language(user=user, language=form.cleaned_data["language"])
        remember_language(request, user.language)
        with translation.override(user.language):
            messages.success(request, _("Your language is saved."))
        response = redirect("accounts:profile")
        # The login page after signing out follows the same choice.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE, secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        return response
    grants = user.grants.select_related("unit").order_by("role", "unit__path")
    return render(request, "accounts/profile.html", {"form": form, "grants": grants},
                  status=400 if form.errors else 200)
