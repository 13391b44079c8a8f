"""/healthz: 200 when the database and the broker answer, 503 otherwise; no login."""

import json

import pytest
from django.db.utils import OperationalError
from django.urls import reverse

from core import health


def _healthz(client_for):
    return client_for().get(reverse("healthz"))


def test_healthz_answers_200_without_login(client_for):
    response = _healthz(client_for)
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_does_not_answer(client_for, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = _healthz(client_for)

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"]["database"] == "error"
    assert "Connection refused" not in response.content.decode()  # no details for outsiders


def test_healthz_is_503_when_redis_does_not_answer(client_for, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = _healthz(client_for)
    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {"database": "ok", "broker": "error"}


def test_healthz_is_503_when_the_embedded_broker_folder_is_unusable(client_for, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(blocker / "queue")}
    assert _healthz(client_for).status_code == 503


def test_healthz_only_answers_get(client_for):
    assert client_for().post(reverse("healthz")).status_code == 405


def test_check_database_names_the_error(monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    assert health.check_database() == "OperationalError: server closed the connection"


@pytest.mark.redis
def test_healthz_pings_the_configured_redis(client_for, settings):
    import os

    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert health.check_broker() is None
    assert _healthz(client_for).status_code == 200
