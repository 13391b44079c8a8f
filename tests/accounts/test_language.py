"""The language of pages and emails (issue 10, point 2): Vietnamese unless the user chose
otherwise; the choice is kept on the user; the browser's Accept-Language is not consulted."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import ViewerFactory

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _lang(response) -> str:
    content = response.content.decode()
    return content.split('<html lang="', 1)[1].split('"', 1)[0]


def _client(user=None, **headers) -> Client:
    client = Client(headers=headers)
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


@pytest.mark.django_db
def test_an_english_browser_gets_vietnamese():
    assert _lang(_client(accept_language="en-US,en;q=0.9").get(reverse("login"))) == "vi"


@pytest.mark.django_db
def test_an_anonymous_visitor_gets_the_language_chosen_with_the_switcher():
    client = _client(accept_language="vi")
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert _lang(client.get(reverse("login"))) == "en"


@pytest.mark.django_db
def test_the_switcher_keeps_a_signed_in_users_choice_on_the_user(province):
    user = ViewerFactory(unit=province)
    assert user.language == ""  # not chosen yet: Vietnamese
    client = _client(user)
    assert _lang(client.get(reverse("accounts:profile"))) == "vi"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    # Another browser, without the cookie, with a Vietnamese Accept-Language: still English.
    assert _lang(_client(user, accept_language="vi").get(reverse("accounts:profile"))) == "en"


@pytest.mark.django_db
def test_the_users_choice_wins_over_a_stale_cookie(province):
    user = ViewerFactory(unit=province, language="vi")
    client = _client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _lang(client.get(reverse("accounts:profile"))) == "vi"


@pytest.mark.django_db
def test_the_profile_page_sets_the_language(province):
    user = ViewerFactory(unit=province)
    client = _client(user)
    response = client.post(reverse("accounts:profile"), {"language": "en"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.language == "en"
    assert "Your language is saved." in client.get(reverse("accounts:profile")).content.decode()
    assert client.post(reverse("accounts:profile"), {"language": "fr"}).status_code == 400


@pytest.mark.django_db
def test_a_password_reset_email_is_in_the_account_holders_language(province):
    ViewerFactory(unit=province, email="en@example.org", language="en")
    ViewerFactory(unit=province, email="vi@example.org")
    for address in ("en@example.org", "vi@example.org"):
        # Asked from a browser in the other language: the email follows the account.
        client = _client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi" if address.startswith("en") else "en"
        client.post(reverse("password_reset"), {"email": address})
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["en@example.org"].subject == "[Congress portal] Choose a new password"
    assert by_address["vi@example.org"].subject == "[Cổng Đại hội] Đặt mật khẩu mới"
