"""The cache backend on Redis: Django's, with two costs taken out of every call.

A cold dashboard makes half a dozen cache calls and reads a few hundred keys at once
(dashboards.bodies); measured on the national tree (bench_dashboard), Django's backend
spent more on these two than on talking to Redis:

- it builds a new `redis.Redis` for each call, whose constructor registers some 170
  response callbacks (about 0.2 ms, several times per page): here one client is kept per
  connection pool (a `redis.Redis` is safe to share between threads: every command takes
  a connection from the pool);
- it checks every key for memcached's limits (length, control characters), warning only,
  character by character: Redis has no such limits, so keys are only made, not checked.
"""

from __future__ import annotations

import threading

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._clients_lock:
                client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def make_and_validate_key(self, key, version=None):
        return self.make_key(key, version=version)
