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

from django.conf import settings
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
