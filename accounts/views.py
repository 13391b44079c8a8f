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
from core.http import safe_next
from core.middleware import remember_language

from . import services
from . import otp
from .forms import ApiTokenForm, LanguageForm, OTPTokenForm
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
    form = ApiTokenForm(request.POST if request.method == "POST" else None, user=request.user)
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


# --- Second factor (accounts/otp.py) ------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is given: the page asked for, if it is ours."""
    return safe_next(request) or reverse("home")


def _qr_svg(uri: str) -> str:
    """The otpauth:// link as an inline SVG QR code (segno): drawn with SVG attributes
    only, so the Content-Security-Policy's style-src needs nothing inline."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title=_("QR code of the key"))


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (administrators; accounts/otp.py): the key, its link and
    a QR code, and the first code, which confirms the device and verifies the session.
    The user's own device only: there is no id in the URL."""
    user = request.user
    if not otp.needs_second_factor(user) and not user.is_verified():
        return render(request, "accounts/otp_setup.html", {"not_needed": True})
    if otp.has_device(user) and not user.is_verified():
        # Replacing a device needs the current one first; a lost phone: an administrator
        # deletes the device in the admin (Django OTP › TOTP devices).
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = services.otp_device_pending(user=user)
    form = OTPTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(device=device, token=form.cleaned_data["token"]):
            from django_otp import login as otp_login

            device.refresh_from_db()
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up: the portal will ask for its code after each sign-in."))
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not right, or it has expired: type the code the app shows now."))
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    context = {
        "form": form, "key": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
        "uri": device.config_url, "qr": _qr_svg(device.config_url), "next": _next_url(request),
        "replacing": otp.has_device(user),
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """After signing in, an administrator types the current code of their app
    (accounts/otp.py). Wrong codes slow down (django-otp's throttling, per device)."""
    user = request.user
    if not otp.has_device(user):
        return redirect(f"{reverse('accounts:otp_setup')}?{request.GET.urlencode()}")
    form = OTPTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        from django_otp import login as otp_login
        from django_otp import match_token

        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not right, or it has expired: type the code the app shows now."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)},
                  status=400 if form.errors else 200)
