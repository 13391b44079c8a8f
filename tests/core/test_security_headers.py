"""Headers and sessions (issue 15, point 8): a Content-Security-Policy without
'unsafe-inline' and pages that need none, a Permissions-Policy, no-store on whatever a
signed-in user or a token reads, sessions with an idle and an absolute limit, passwords of
12 characters or more, the language cookie Secure in production."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts import services as account_services
from progress import rollups
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


def test_pages_carry_a_policy_without_unsafe_inline_and_have_no_inline_code(client_for, secretary_a, tree,
                                                                           congress_a):
    rollups.rebuild()
    client = client_for(secretary_a)
    for url in (reverse("congresses:my_unit"), reverse("dashboards:unit_dashboard", args=[congress_a.unit_id]),
                reverse("dashboards:unit_briefing", args=[congress_a.unit_id]), reverse("accounts:tokens"),
                reverse("login")):
        response = (client_for() if url == reverse("login") else client).get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "camera=()" in response["Permissions-Policy"]
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url  # no inline script
        assert not re.search(r"\son[a-z]+=\"", html), url  # no inline handler
        assert not re.search(r"<style|\sstyle=\"", html), url  # no inline style


def test_signed_in_answers_are_not_stored_static_files_are(client_for, secretary_a, congress_a):
    rollups.rebuild()
    client = client_for(secretary_a)
    for url in (reverse("dashboards:unit_dashboard", args=[congress_a.unit_id]),
                reverse("dashboards:unit_units_csv", args=[congress_a.unit_id]),
                reverse("dashboards:unit_dashboard_json", args=[congress_a.unit_id])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    key = account_services.api_token_create(user=secretary_a, name="script")[1]
    from django.test import Client

    by_token = Client(headers={"authorization": f"Bearer {key}"}).get(
        reverse("dashboards:unit_dashboard_json", args=[congress_a.unit_id]))
    assert by_token.status_code == 200 and "no-store" in by_token["Cache-Control"]
    static = client.get("/static/css/portal.css")
    assert "no-store" not in static.get("Cache-Control", "")


@override_settings(PORTAL_SESSION_IDLE_MINUTES=60, PORTAL_SESSION_MAX_HOURS=10)
def test_a_session_ends_after_an_idle_hour(client_for, secretary_a):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for()
        assert client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD}).status_code == 302
        clock.shift(dt.timedelta(minutes=50))
        assert client.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(minutes=50))  # 50 minutes since the last request: still in
        assert client.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(minutes=61))
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@override_settings(PORTAL_SESSION_IDLE_MINUTES=60, PORTAL_SESSION_MAX_HOURS=10)
def test_a_busy_session_still_ends_after_a_working_day(client_for, secretary_a):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for()
        client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
        for _ in range(21):  # a request every half hour, for ten and a half hours
            clock.shift(dt.timedelta(minutes=30))
            response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_passwords_need_twelve_characters(secretary_a):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xk9#mQ2!vL", user=secretary_a)
    validate_password("Xk9#mQ2!vLp4", user=secretary_a)


def test_the_language_cookie_is_secure_in_production():
    from congress_portal.settings import base

    import importlib
    import os

    env = {"SECRET_KEY": "p" * 20 + "r0duction-s3cret-k3y-with-enough-variety-0123456789",
           "FIELD_ENCRYPTION_KEYS": "dGVzdC1rZXktZm9yLXRoZS1zZXR0aW5ncy10ZXN0LTA9"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        production = importlib.reload(importlib.import_module("congress_portal.settings.production"))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert production.LANGUAGE_COOKIE_SECURE is True and base.LANGUAGE_CODE == "vi"
    assert production.PORTAL_REQUIRE_ADMIN_OTP is True


def test_the_switchers_cookie_is_secure_when_configured(client_for, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    response = client_for().post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True
