"""Liveness of the services the portal depends on, for /healthz."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    """None when the database answers, else the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 — any failure means "down"
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker(timeout: float = 2.0) -> str | None:
    """None when the Celery broker answers (Redis PING, or the filesystem queue folder is
    writable for the embedded broker), else the error."""
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
            client.ping()
        except Exception as exc:  # noqa: BLE001
            return f"{type(exc).__name__}: {exc}"
        return None
    import os

    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if folder is None:
        return None
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if os.access(folder, os.W_OK) else f"broker folder not writable: {folder}"
