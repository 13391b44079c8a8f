"""A second factor for administrators (issue 15, point 10): TOTP with django-otp.

An administrator's password alone opens every unit of the province, so when
PORTAL_REQUIRE_ADMIN_OTP is on (the production settings) an administrator — a superuser,
a staff member (the Django admin) or the holder of the admin grant — must also give a
six-digit code from an authenticator app before any page answers them:

- with no confirmed device yet, they are sent to the enrolment page
  (`accounts:otp_setup`: the key, its otpauth:// link and a QR code; the first code they
  type confirms the device and verifies the session);
- with one, to the verification page (`accounts:otp_verify`) after every sign-in.

django-otp's OTPMiddleware remembers the verified device in the session
(`request.user.is_verified()`); `AdminOTPMiddleware`, right after it, does the sending. The
Django admin is behind the same middleware, so it is guarded too. Other users are never
asked. API tokens are not affected: a token only reads, and creating one needs the
password again (accounts.views.token_list) and, for an administrator, a verified session.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def needs_second_factor(user) -> bool:
    """Whether this signed-in user must verify a TOTP device (see the module docstring)."""
    if not settings.PORTAL_REQUIRE_ADMIN_OTP or not user.is_authenticated:
        return False
    # is_staff and is_superuser are on the row; the scope is cached (accounts.access).
    return user.is_superuser or user.is_staff or user.scope.is_admin


def has_device(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@functools.cache
def _open_paths() -> frozenset[str]:
    """What an unverified administrator may still reach: the two pages of the second
    factor, signing out and the language switcher."""
    return frozenset(reverse(name) for name in (
        "accounts:otp_setup", "accounts:otp_verify", "logout", "set_language", "javascript-catalog", "healthz",
    ))


class AdminOTPMiddleware:
    """After django_otp.middleware.OTPMiddleware: an administrator who has not verified a
    device this session is sent to enrol or to verify, with the page they asked for as
    `next`. Costs nothing for anybody else (the row's flags and the cached scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and needs_second_factor(user) and not user.is_verified()
                and request.path not in _open_paths()
                and not request.path.startswith(settings.STATIC_URL)):
            name = "accounts:otp_verify" if has_device(user) else "accounts:otp_setup"
            if request.method in ("GET", "HEAD"):
                return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
            return redirect(name)
        return self.get_response(request)

