"""Two portals on one Redis (issue 15, point 11): every cache key carries the deployment's
prefix (PORTAL_CACHE_PREFIX, by default derived from the database), so neither reads the
other's cached dashboards."""

import datetime as dt
import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import override_settings

from congress_portal.settings.base import cache_prefix
from dashboards import cache as dashboard_cache


def test_the_default_prefix_follows_the_database():
    a = cache_prefix({"HOST": "db", "PORT": 5432, "NAME": "portal_hanoi"})
    b = cache_prefix({"HOST": "db", "PORT": 5432, "NAME": "portal_hue"})
    assert a != b and a == cache_prefix({"HOST": "db", "PORT": 5432, "NAME": "portal_hanoi"})


def test_the_settings_give_the_cache_a_prefix():
    from django.conf import settings

    assert settings.PORTAL_CACHE_PREFIX
    from congress_portal.settings import base

    assert base.CACHES["default"]["KEY_PREFIX"] == base.PORTAL_CACHE_PREFIX


def _two_portals(location: str, backend: str):
    return {
        "hanoi": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "portal-hanoi"},
        "hue": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": "portal-hue"},
    }


def _dashboard_body_in(alias: str) -> str:
    """The key of unit 1's dashboard body as the portal using cache `alias` makes it, after
    caching a body under it."""
    from unittest import mock

    with mock.patch.object(dashboard_cache, "cache", caches[alias]):
        key = dashboard_cache.body_key(1, [1], dt.date(2026, 11, 20), "vi")
        caches[alias].set(key, f"<body of {alias}>")
        return key


def _assert_isolated():
    key_hanoi = _dashboard_body_in("hanoi")
    # The second portal, same unit id, same term id, same day: its own tokens and bodies.
    from unittest import mock

    with mock.patch.object(dashboard_cache, "cache", caches["hue"]):
        key_hue = dashboard_cache.body_key(1, [1], dt.date(2026, 11, 20), "vi")
    assert caches["hue"].get(key_hanoi) is None
    assert caches["hue"].get(key_hue) is None
    assert caches["hanoi"].get(key_hanoi) == "<body of hanoi>"


def test_two_portals_sharing_a_cache_server_do_not_read_each_others_dashboards():
    with override_settings(CACHES=_two_portals("shared", "django.core.cache.backends.locmem.LocMemCache")):
        _assert_isolated()


@pytest.mark.redis
def test_two_portals_on_one_redis_do_not_read_each_others_dashboards():
    with override_settings(CACHES=_two_portals(os.environ.get("REDIS_URL", ""),
                                               "core.cache.RedisCache")):
        assert isinstance(caches["hanoi"], RedisCache)
        try:
            _assert_isolated()
        finally:
            for alias in ("hanoi", "hue"):
                caches[alias].delete_many([dashboard_cache._UNIT.format(1), dashboard_cache._ALL])
