"""Production settings, checked in a fresh interpreter as a server would load them: they
refuse to start without a real secret key and pass `manage.py check --deploy` cleanly."""

import os
import secrets
import subprocess
import sys
import textwrap

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

MANAGE = str(settings.BASE_DIR / "manage.py")


@pytest.fixture
def production_env(tmp_path):
    # As a server starts: none of the test run's own variables (DJANGO_ALLOW_ASYNC_UNSAFE
    # is itself a deployment error).
    dropped = {"SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEYS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_SETTINGS_MODULE="congress_portal.settings.production",
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(settings.BASE_DIR),
    )
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key(production_env):
    result = _run([MANAGE, "check"], production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys(production_env):
    env = {k: v for k, v in production_env.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = _run([MANAGE, "check"], {**env, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.parametrize("key", ["short-key", "a" * 60], ids=["too-short", "not-random"])
def test_production_refuses_a_weak_secret_key(production_env, key):
    result = _run([MANAGE, "check"], {**production_env, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_without_warnings(production_env):
    env = {**production_env, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "dai-hoi.example.vn"}

    result = _run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "?: (security" not in output
    assert "System check identified no issues" in output


def test_production_redirects_to_https_except_the_health_probe(production_env, tmp_path):
    env = {
        **production_env, "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "",
    }
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.test import Client
        client = Client()
        print(client.get("/healthz").status_code)
        login = client.get("/login/")
        print(login.status_code, login.get("Location"))
        """
    )
    result = _run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    health, login = result.stdout.split("\n")[:2]
    assert health == "200"
    assert login == "301 https://testserver/login/"
