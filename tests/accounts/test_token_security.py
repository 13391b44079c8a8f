"""API tokens (issue 15, point 9): every token expires (90 days by default), creating one
needs the password again, and a password change or a deactivation revokes them all,
whichever way it happens."""

import datetime as dt

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from accounts.tokens import authenticate
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKENS = reverse("accounts:tokens")
NEW_PASSWORD = "Mot-mat-khau-moi-2026!"


def test_a_token_expires_after_90_days_by_default(secretary_a):
    token, _key = services.api_token_create(user=secretary_a, name="script")
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)


def test_creating_a_token_needs_the_password(secretary_a, client_for):
    client = client_for(secretary_a)
    response = client.post(TOKENS, {"name": "script", "expires_in_days": "30", "password": "not-my-password"})
    assert response.status_code == 400
    assert "The password is not right." in response.content.decode()
    assert not ApiToken.objects.exists()

    response = client.post(TOKENS, {"name": "script", "password": PASSWORD})
    assert response.status_code == 302
    assert ApiToken.objects.get(user=secretary_a).expires_at is not None


def _live(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def test_changing_the_password_on_the_page_revokes_every_token(secretary_a, secretary_b, client_for):
    _t, key = services.api_token_create(user=secretary_a, name="one")
    services.api_token_create(user=secretary_a, name="two")
    services.api_token_create(user=secretary_b, name="someone else's")

    response = client_for(secretary_a).post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert _live(secretary_a) == 0 and authenticate(key) is None
    assert _live(secretary_b) == 1


@pytest.mark.parametrize("path", ["admin_set_password", "reset_form", "set_password_save", "deactivate"])
def test_every_way_of_changing_the_password_or_deactivating_revokes(secretary_a, path, django_user_model,
                                                                    client_for):
    _t, key = services.api_token_create(user=secretary_a, name="one")
    if path == "admin_set_password":
        root = django_user_model.objects.create_superuser("root", "root@example.vn", PASSWORD)
        response = client_for(root).post(
            reverse("admin:auth_user_password_change", args=[secretary_a.pk]),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
        assert response.status_code == 302
    elif path == "reset_form":
        form = SetPasswordForm(secretary_a, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert form.is_valid(), form.errors
        form.save()
    elif path == "set_password_save":
        secretary_a.set_password(NEW_PASSWORD)
        secretary_a.save()
    else:
        secretary_a.is_active = False
        secretary_a.save(update_fields=["is_active"])
    assert _live(secretary_a) == 0
    assert authenticate(key) is None


def test_saving_other_fields_keeps_the_tokens(secretary_a, django_assert_num_queries):
    services.api_token_create(user=secretary_a, name="one")
    secretary_a.full_name = "Lê Văn An (mới)"
    secretary_a.save()
    with django_assert_num_queries(1):  # no look-up of the old row: update_fields says enough
        secretary_a.save(update_fields=["full_name"])
    assert _live(secretary_a) == 1
