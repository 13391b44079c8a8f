"""A second factor for administrators (issue 15, point 10): with PORTAL_REQUIRE_ADMIN_OTP on,
an administrator is sent to enrol an authenticator app, then to give its code after every
sign-in, before any page — the Django admin included — answers; other users are never asked."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def required(settings):
    settings.PORTAL_REQUIRE_ADMIN_OTP = True


def test_an_admin_must_enrol_then_verify_before_any_page(required, admin_user, client_for):
    client = client_for()
    _sign_in(client, admin_user.username)

    response = client.get(reverse("committees:unit_list"))
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("accounts:otp_setup")
    assert client.get("/admin/").status_code == 302  # the Django admin too

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "otpauth://totp/" in content and "<svg" in content
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)

    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000", "next": "/units/"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()

    done = client.post(reverse("accounts:otp_setup"), {"token": _code(device), "next": "/units/"})
    assert done.status_code == 302 and done["Location"] == "/units/"
    assert client.get(reverse("committees:unit_list")).status_code == 200
    assert client.get("/admin/").status_code == 200

    # The next sign-in asks for the code again.
    again = client_for()
    _sign_in(again, admin_user.username)
    response = again.get(reverse("committees:unit_list"))
    assert urlparse(response["Location"]).path == reverse("accounts:otp_verify")
    assert again.post(reverse("accounts:otp_verify"), {"token": "123456"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp, device.last_t = 0, None, -1
    device.save()
    assert again.post(reverse("accounts:otp_verify"), {"token": _code(device)}).status_code == 302
    assert again.get(reverse("committees:unit_list")).status_code == 200


def test_other_users_are_never_asked(required, secretary_a, congress_a, client_for):
    client = client_for()
    _sign_in(client, "secretary_a")
    assert client.get(reverse("congresses:my_unit")).status_code == 200
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200 and "does not need a second factor" in page.content.decode()
    assert not TOTPDevice.objects.exists()


def test_off_by_default_outside_production(admin_user, client_for):
    client = client_for()
    _sign_in(client, admin_user.username)
    assert client.get(reverse("committees:unit_list")).status_code == 200


def test_codes_are_time_based(required, admin_user):
    from accounts import services

    device = services.otp_device_pending(user=admin_user)
    stale = _code(device, offset=-5)  # two and a half minutes old
    assert not services.otp_device_confirm(device=device, token=stale)
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    assert services.otp_device_confirm(device=device, token=_code(device))
    assert TOTPDevice.objects.get(user=admin_user).confirmed
