"""Reading with a personal API token (docs/api.md "Authentication").

A script sends `Authorization: Bearer cdh_…`; `login_or_token_required` lets such a
request read a JSON endpoint in the token owner's name and scope, and only read it.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .models import ApiToken, User
from .services import TOKEN_PREFIX, hash_key

# A token's last use is recorded at most this often, so that a script polling the JSON does
# not cost a write per request; the page shows it to the minute anyway.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Keys are `cdh_` + 43 characters; anything far longer is not ours and is not hashed.
MAX_KEY_LENGTH = 128
READ_METHODS = ("GET", "HEAD")


def authenticate(plaintext: str) -> User | None:
    """The active user whose live token this key is, or None.

    The key is hashed and the hash looked up on its unique index: the comparison happens
    between hashes inside the database, so the time it takes tells an attacker nothing
    about the key. Revoked and expired tokens, and tokens of inactive users, are refused.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > MAX_KEY_LENGTH:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(plaintext), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so concurrent requests of the same script write it once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


def bearer_key(request: HttpRequest) -> str | None:
    """The key of an `Authorization: Bearer <key>` header; "" for a Bearer header without
    a key; None when the request does not use a bearer token at all."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip()


def _unauthorized(message: str, *, invalid_token: bool) -> JsonResponse:
    response = JsonResponse({"error": message}, status=401)
    # RFC 6750 §3: a bad token says so; a request without credentials gets the bare challenge.
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return response


def _csrf_failure(request: HttpRequest) -> HttpResponse | None:
    """The CSRF check the middleware would have made (the wrapped view is exempt, so that
    a token request gets its 405 rather than a CSRF 403): a session request that writes
    still needs the CSRF token."""
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def login_or_token_required(view=None, *, anonymous: str = "401"):
    """For read-only JSON and export endpoints: let in a signed-in user (session) or a
    request with a valid personal API token. `@login_or_token_required` or
    `@login_or_token_required(anonymous="login")`.

    - `Authorization: Bearer <key>`: the key alone decides. A bad, revoked or expired key,
      or one of an inactive user, answers 401 JSON with `WWW-Authenticate` — never the
      session instead. A valid key sets `request.user` to the token's owner and
      `request.auth_token = True`; it reads only (GET/HEAD), anything else answers 405.
    - No bearer header: the session. What an anonymous request gets is the view's choice
      (`anonymous`): "401", a 401 JSON answer, for the JSON endpoints, whose callers are
      scripts; "login", the redirect to the login page and back, for the exports, whose
      links people open in a browser (a signed-out official clicking ".xlsx" should land on
      the login page, not on raw JSON).

    The view still applies the user's scope (`visible_to`, accounts.access: a token reads
    exactly what its owner reads), so out of scope is 404.
    """

    if anonymous not in ("401", "login"):
        raise ValueError(f"anonymous must be '401' or 'login', not {anonymous!r}")
    if view is None:
        return lambda view: login_or_token_required(view, anonymous=anonymous)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = bearer_key(request)
        if key is not None:
            user = authenticate(key) if key else None
            if user is None:
                response = _unauthorized(_("Invalid, expired or revoked API token."), invalid_token=True)
            elif request.method not in READ_METHODS:
                response = JsonResponse({"error": _("An API token can only read (GET).")}, status=405)
                response["Allow"] = ", ".join(READ_METHODS)
            else:
                request.user = user
                request.auth_token = True
                if user.language:  # the owner's language, as their session would have (core.middleware)
                    translation.activate(user.language)
                    request.LANGUAGE_CODE = user.language
                response = view(request, *args, **kwargs)
            # The answer depends on the header: shared caches must not mix users.
            patch_vary_headers(response, ["Authorization"])
            return response
        request.auth_token = False
        if not request.user.is_authenticated:
            if anonymous == "login":
                return redirect_to_login(request.get_full_path())
            return _unauthorized(_("Sign in or send an API token."), invalid_token=False)
        if request.method not in READ_METHODS and (failure := _csrf_failure(request)) is not None:
            return failure
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)
