"""Personal API tokens: only a hash is stored; a token reads the dashboard JSON in its
owner's scope and nothing else; bad, revoked or expired tokens are refused with 401; the
tokens page shows a new key once (docs/api.md "Authentication")."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from accounts.tokens import authenticate
from progress import rollups
from tests.factories import PASSWORD

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _json_url(unit) -> str:
    return reverse("dashboards:unit_dashboard_json", args=[unit.pk])


def _bearer(key: str) -> Client:
    """A client with no session at all, as a script is, sending the key."""
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


@pytest.fixture
def dashboard(term, tree, congress_a, congress_b, congress_cell):
    rollups.rebuild()
    return tree


@pytest.fixture
def key_a(secretary_a):
    _token, key = services.api_token_create(user=secretary_a, name="report script")
    return key


# --- Creating and checking keys -------------------------------------------------------------


def test_only_the_hash_of_the_key_is_stored(secretary_a):
    token, key = services.api_token_create(user=secretary_a, name="report script", expires_in_days=30)
    assert key.startswith("cdh_") and len(key) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    assert token.expires_at is not None
    assert authenticate(key) == secretary_a


@pytest.mark.parametrize("days", [0, 366, -1])
def test_expiry_must_be_between_1_and_365_days(secretary_a, days):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.api_token_create(user=secretary_a, name="x", expires_in_days=days)


def test_unknown_and_malformed_keys_authenticate_nobody(key_a):
    assert authenticate(key_a + "x") is None
    assert authenticate("not-a-token") is None
    assert authenticate("") is None


def test_last_used_is_written_at_most_once_a_minute(secretary_a, django_assert_num_queries):
    token, key = services.api_token_create(user=secretary_a, name="poller")
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(2):  # lookup + the first write
            assert authenticate(key) == secretary_a
        token.refresh_from_db()
        assert token.last_used_at == NOW
    with time_machine.travel(NOW + dt.timedelta(seconds=59), tick=False):
        with django_assert_num_queries(1):  # lookup only
            authenticate(key)
        token.refresh_from_db()
        assert token.last_used_at == NOW
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        with django_assert_num_queries(2):
            authenticate(key)
        token.refresh_from_db()
        assert token.last_used_at == NOW + dt.timedelta(seconds=61)


# --- Reading the JSON with a token ----------------------------------------------------------


def test_token_reads_json_of_a_unit_in_scope(dashboard, key_a):
    response = _bearer(key_a).get(_json_url(dashboard.commune_a))
    assert response.status_code == 200
    assert response.json()["unit"]["id"] == dashboard.commune_a.pk
    assert "Authorization" in response["Vary"]
    # A script gets no session cookie.
    assert "sessionid" not in response.cookies


def test_token_gets_404_out_of_scope(dashboard, key_a):
    for unit in (dashboard.commune_b, dashboard.province):
        assert _bearer(key_a).get(_json_url(unit)).status_code == 404


def _assert_401(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", ["cdh_wrong", "wrong", ""])
def test_bad_token_is_401(dashboard, key_a, key):
    _assert_401(_bearer(key).get(_json_url(dashboard.commune_a)))


def test_revoked_token_is_401(dashboard, secretary_a):
    token, key = services.api_token_create(user=secretary_a, name="old")
    services.api_token_revoke(token=token)
    _assert_401(_bearer(key).get(_json_url(dashboard.commune_a)))


def test_expired_token_is_401(dashboard, secretary_a):
    _token, key = services.api_token_create(user=secretary_a, name="short", expires_in_days=1)
    assert _bearer(key).get(_json_url(dashboard.commune_a)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        _assert_401(_bearer(key).get(_json_url(dashboard.commune_a)))


def test_inactive_users_token_is_401(dashboard, secretary_a, key_a):
    secretary_a.is_active = False
    secretary_a.save()
    _assert_401(_bearer(key_a).get(_json_url(dashboard.commune_a)))


def test_bad_token_never_falls_back_to_the_session(dashboard, secretary_a, client_for):
    client = client_for(secretary_a)
    assert client.get(_json_url(dashboard.commune_a)).status_code == 200
    _assert_401(client.get(_json_url(dashboard.commune_a), headers={"authorization": "Bearer cdh_wrong"}))


def test_anonymous_gets_401_json_not_a_redirect(dashboard, client_for):
    response = client_for().get(_json_url(dashboard.commune_a))
    _assert_401(response)
    assert response["WWW-Authenticate"] == "Bearer"


def test_session_still_reads_the_json(dashboard, secretary_a, client_for):
    assert client_for(secretary_a).get(_json_url(dashboard.commune_a)).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_token_cannot_write(dashboard, key_a, method):
    client = Client(headers={"authorization": f"Bearer {key_a}"}, enforce_csrf_checks=True)
    response = getattr(client, method)(_json_url(dashboard.commune_a))
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_session_post_still_needs_csrf(dashboard, secretary_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(_json_url(dashboard.commune_a)).status_code == 403


def test_token_json_costs_a_fixed_number_of_queries(dashboard, viewer, django_assert_max_num_queries):
    _token, key = services.api_token_create(user=viewer, name="national feed")
    client = _bearer(key)
    # The dashboard's 15 (documents, petition and personnel counts included: the quiet
    # sections the page and the JSON share, dashboards.selectors.Quiet) and the token.
    with django_assert_max_num_queries(16):
        response = client.get(_json_url(dashboard.province))
    assert response.status_code == 200
    assert response.json()["subtree"]["units"] == 4


# --- The tokens page ------------------------------------------------------------------------

TOKENS = "/account/tokens/"


def test_tokens_page_needs_login(client_for):
    response = client_for().get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_tokens_page_lists_only_my_tokens(secretary_a, secretary_b, client_for):
    services.api_token_create(user=secretary_a, name="mine")
    theirs, _key = services.api_token_create(user=secretary_b, name="theirs")
    content = client_for(secretary_a).get(TOKENS).content.decode()
    assert "mine" in content
    assert "theirs" not in content and theirs.prefix not in content


def test_new_key_is_shown_once(secretary_a, commune_a, client_for):
    client = client_for(secretary_a)
    response = client.post(TOKENS, {"name": "weekly report", "expires_in_days": "90", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == TOKENS
    token = ApiToken.objects.get(user=secretary_a)
    assert token.name == "weekly report"
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=90)).date()

    content = client.get(TOKENS).content.decode()
    key = content.split('id="new-key">')[1].split("<")[0]
    assert key.startswith(token.prefix)
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    expected_url = f"http://testserver/units/{commune_a.pk}/dashboard.json"
    assert f'curl -H "Authorization: Bearer {key}" {expected_url}' in content.replace("&quot;", '"')

    again = client.get(TOKENS).content.decode()
    assert key not in again
    assert token.prefix in again


def test_create_form_rejects_bad_expiry(secretary_a, client_for):
    response = client_for(secretary_a).post(TOKENS, {"name": "x", "expires_in_days": "400", "password": PASSWORD})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_my_token(dashboard, secretary_a, key_a, client_for):
    token = ApiToken.objects.get(user=secretary_a)
    response = client_for(secretary_a).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    _assert_401(_bearer(key_a).get(_json_url(dashboard.commune_a)))


def test_revoking_someone_elses_token_is_404(secretary_a, secretary_b, client_for):
    theirs, _key = services.api_token_create(user=secretary_b, name="theirs")
    response = client_for(secretary_a).post(reverse("accounts:token_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoke_needs_post(secretary_a, key_a, client_for):
    token = ApiToken.objects.get(user=secretary_a)
    assert client_for(secretary_a).get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_admin_revoke_action(admin_user, secretary_a, key_a):
    admin_user.is_superuser = True  # the Django admin checks model permissions, not the role
    admin_user.save()
    client = Client()
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    token = ApiToken.objects.get(user=secretary_a)
    changelist = reverse("admin:accounts_apitoken_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and key_a not in page.content.decode()
    client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
