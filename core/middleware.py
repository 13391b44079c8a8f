"""The language of each request (issue 10, point 2).

Vietnamese unless the user chose otherwise: a signed-in user gets the language kept on
their row (`User.language`, set on the profile page or with the header's switcher); an
anonymous visitor the one they chose with the switcher (the language cookie); anybody else
Vietnamese (LANGUAGE_CODE). The browser's Accept-Language is deliberately not consulted:
an official's Chromium in English is not a request for an English portal.

Replaces Django's LocaleMiddleware and runs after AuthenticationMiddleware, which it needs.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

_CODES = {code for code, _name in settings.LANGUAGES}


def request_language(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", "") in _CODES:
        return user.language
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in _CODES else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The page depends on the session (the user) or the cookie, never on Accept-Language.
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
