"""Lockout behind the proxy (issue 15, point 6): django-axes locks the (username, client
address) pair, the client address taken from X-Forwarded-For only when the request comes
from a trusted proxy (core.proxy)."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core.proxy import client_ip
from tests.factories import PASSWORD

PROXY = "10.1.0.5"
A, B = "203.0.113.7", "198.51.100.9"

pytestmark = pytest.mark.django_db


def _login(client, password, *, forwarded_for, remote=PROXY):
    return client.post(reverse("login"), {"username": "secretary_a", "password": password},
                       REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)


@override_settings(AXES_ENABLED=True, PORTAL_TRUSTED_PROXIES=["10.1.0.0/24"])
def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(client_for, secretary_a):
    attacker = client_for()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, "wrong", forwarded_for=A)

    user = client_for()
    assert _login(user, PASSWORD, forwarded_for=B).status_code == 302
    assert "_auth_user_id" in user.session
    # From the attacker's address the pair is locked.
    assert _login(client_for(), PASSWORD, forwarded_for=A).status_code == 429


@override_settings(AXES_ENABLED=True, PORTAL_TRUSTED_PROXIES=["10.1.0.0/24"])
def test_a_client_that_is_not_a_proxy_cannot_choose_its_address(client_for, secretary_a):
    """Straight to the portal (not through the proxy), a forged X-Forwarded-For changes
    nothing: each new forged address is still the same client."""
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client_for(), "wrong", forwarded_for=f"192.0.2.{i}", remote=A)
    assert _login(client_for(), PASSWORD, forwarded_for="192.0.2.200", remote=A).status_code == 429


@pytest.mark.parametrize(("remote", "header", "expected"), [
    (A, "1.2.3.4", A),  # not from a proxy: the header is ignored
    (PROXY, A, A),  # one proxy
    (PROXY, f"1.2.3.4, {A}", A),  # the client wrote 1.2.3.4; the proxy appended A
    (PROXY, f"{A}, 10.1.0.9", A),  # two trusted proxies in a row
    (PROXY, "", PROXY),  # a proxy that says nothing
    (PROXY, "not-an-ip", PROXY),  # garbage: the proxy's own address
])
def test_client_ip_takes_the_rightmost_untrusted_hop(settings, remote, header, expected):
    settings.PORTAL_TRUSTED_PROXIES = ["10.1.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.PORTAL_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=A)
    assert client_ip(request) == PROXY
