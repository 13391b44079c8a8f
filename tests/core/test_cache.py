"""core.cache.RedisCache: Django's Redis backend, one client per pool and no memcached key
checks; it stores and reads what Django's does."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from core.cache import RedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def backend():
    cache = RedisCache(os.environ.get("REDIS_URL", ""), {"KEY_PREFIX": "test-core-cache"})
    yield cache
    cache.delete_many(["a", "b", "token", "long"])


def test_it_reads_and_writes_like_djangos(backend):
    django = DjangoRedisCache(os.environ.get("REDIS_URL", ""), {"KEY_PREFIX": "test-core-cache"})
    backend.set_many({"a": ("x", 1, {"html": "<tr>"}), "token": 2**62 + 5}, timeout=60)
    assert django.get_many(["a", "token", "missing"]) == {"a": ("x", 1, {"html": "<tr>"}), "token": 2**62 + 5}
    django.set("b", [1, 2], timeout=60)
    assert backend.get("b") == [1, 2] and backend.get_many(["b", "a"]) == {"b": [1, 2], "a": ("x", 1, {"html": "<tr>"})}


def test_one_client_per_pool_shared_by_threads(backend):
    clients = set()

    def call():
        for _ in range(20):
            backend.get("a")
            clients.add(id(backend._cache.get_client()))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(clients) == 1
    assert backend._cache.get_client(write=True) is backend._cache.get_client(write=True)


def test_keys_are_not_checked_for_memcached(backend, recwarn):
    key = "dashboard:rows:" + "x" * 300  # over memcached's 250 characters: Django warns
    backend.set(key, 1, timeout=60)
    assert backend.get(key) == 1
    backend.delete(key)
    assert not [w for w in recwarn if "memcached" in str(w.message)]
