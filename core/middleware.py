"""The language of each request (issue 10, point 2).

Vietnamese unless the user chose otherwise: a signed-in user gets the language kept on
their row (`User.language`, set on the profile page or with the header's switcher); an
anonymous visitor the one they chose with the switcher (the language cookie); anybody else
Vietnamese (LANGUAGE_CODE). The browser's Accept-Language is deliberately not consulted:
an official's Chromium in English is not a request for an English portal.

The user's choice is copied into their session when they sign in and whenever they change
it (`remember_language`), and read from there: the session is loaded anyway (from the cache),
while reading the user row would add a query to every request, even to pages that never
look at the user. A change made in one browser reaches the user's other sessions when
they next sign in there; the emails always read the row.

Replaces Django's LocaleMiddleware, after the session and authentication middleware.
"""

import time

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SESSION_KEY = "portal:language"
_CODES = {code for code, _name in settings.LANGUAGES}


def request_language(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY, "") if session is not None else ""
    if chosen in _CODES:
        return chosen
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in _CODES else settings.LANGUAGE_CODE


def remember_language(request: HttpRequest, language: str) -> None:
    """Apply a signed-in user's language to their session, from now on."""
    if language in _CODES:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def on_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: the session starts in the language kept on the user."""
    if request is not None and hasattr(request, "session"):
        remember_language(request, getattr(user, "language", ""))


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The page depends on the session or the cookie, never on Accept-Language.
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


# --- Request size, security headers, session lifetime (issue 15, points 7 and 8) ---------------


class RequestSizeMiddleware:
    """Refuse a request whose declared body is larger than PORTAL_MAX_REQUEST_BYTES with a
    413 page, from its Content-Length, before anything reads the body. Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE counts only what is not a file, and the proxy's and
    gunicorn's limits (README) come first in production; this is the last line, also for a
    body that a client streams without a length (Django reads no more than the length)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query or "\x00" in request.path:
            # PostgreSQL refuses a NUL in a string: a search or a filter read straight from
            # the query string would be a server error. No page takes one: 400.
            raise BadRequest("A NUL character in the address.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_MAX_REQUEST_BYTES
        if length > limit:
            from django.shortcuts import render

            language = request_language(request)
            translation.activate(language)
            response = render(request, "errors/413.html", {"limit": limit}, status=413)
            # The body was not read: the connection cannot carry another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers on every answer:

    - Content-Security-Policy (PORTAL_CONTENT_SECURITY_POLICY): scripts and styles only
      from the portal's own static files, never inline, so an injected <script> or
      onclick="" does not run;
    - Permissions-Policy (PORTAL_PERMISSIONS_POLICY): no camera, microphone, location…;
    - `Cache-Control: no-store` on every answer to a signed-in user or an API token
      (pages, exports, downloads, JSON: they show a unit's data, which must not stay in a
      shared or a browser cache after signing out). Static files (WhiteNoise answers them
      before the session is read, so they have no user) keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.PORTAL_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PORTAL_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
            response.headers.pop("Last-Modified", None)
            response.headers.pop("ETag", None)
        return response


SESSION_STARTED = "portal:signed_in_at"
SESSION_SEEN = "portal:seen_at"
# The last request's time is written into the session at most this often (seconds), so a
# session costs a write every few minutes rather than one per request; the idle timeout is
# exact to within it.
SEEN_RESOLUTION = 300


def stamp_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: the absolute lifetime and the idle time count from now."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED] = now
        request.session[SESSION_SEEN] = now


class SessionLifetimeMiddleware:
    """End a signed-in session (issue 15, point 8)

    - after PORTAL_SESSION_IDLE_MINUTES without a request (idle timeout), and
    - PORTAL_SESSION_MAX_HOURS after signing in, however active it is (a working day);

    both from stamps in the session, written at sign-in (`stamp_login`) and refreshed at
    most every SEEN_RESOLUTION seconds. The cookie itself lives SESSION_COOKIE_AGE (the
    absolute lifetime). A session without stamps (signed in before this rule) gets them
    now. After AuthenticationMiddleware; the page asked for then answers as to anybody
    signed out (the login page, then back)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
            if not isinstance(started, int) or not isinstance(seen, int):
                session[SESSION_STARTED] = started if isinstance(started, int) else now
                session[SESSION_SEEN] = now
            elif (now - started > settings.PORTAL_SESSION_MAX_HOURS * 3600
                  or now - seen > settings.PORTAL_SESSION_IDLE_MINUTES * 60):
                from django.contrib.auth import logout

                logout(request)
            elif now - seen >= SEEN_RESOLUTION:
                session[SESSION_SEEN] = now
        return self.get_response(request)
