"""`manage.py bench_reminders` at a tiny size, so that it cannot rot: it builds its own
database, runs the daily scan through two real workers, sends every email, and a second
scan of the same day writes nothing."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from reminders.models import Delivery
from tests.devdata.helpers import benchmark_database

LAST_LINE = re.compile(
    r"^scan_s=(?P<scan>\d+\.\d\d) end_to_end_s=(?P<end>\d+\.\d\d) messages=(?P<messages>\d+) "
    r"lines=(?P<lines>\d+) milestones=(?P<milestones>\d+) workers=2$"
)


@pytest.mark.postgres
@pytest.mark.redis
def test_command_runs_the_scan_through_two_workers_and_a_second_scan_writes_nothing(transactional_db):
    # transactional_db: the test database exists (django_db_setup alone creates it only
    # when another test of the session asks for it) and no transaction wraps the test, so
    # the command can close the connection and point it at its own database.
    out = StringIO()
    with benchmark_database("bench_reminders") as name:
        call_command("bench_reminders", "--units", "300", "--database-name", name, stdout=out)
    assert not Delivery.objects.exists()  # which the benchmark never touched

    text = out.getvalue()
    last = LAST_LINE.match(text.splitlines()[-1])
    assert last, text
    assert int(last["messages"]) > 0 and int(last["lines"]) > 0 and int(last["milestones"]) > 1000
    assert float(last["end"]) >= float(last["scan"]) > 0
    assert "2 × `celery -A congress_portal worker --pool prefork --concurrency 1`" in text
    assert "0 messages, 0 lines (nothing written: idempotent)" in text
    sent = re.search(r"emails +(\d+): sent (\d+), skipped (\d+), failed (\d+)", text)
    assert sent and int(sent[1]) == int(sent[2]) > 0 and sent[4] == "0", text
    assert re.search(rf"written +{sent[2]} messages by the file backend", text), text
    assert "WARNING" not in text and "Target: end_to_end_s" in text


def test_command_refuses_anything_but_postgresql_and_redis(monkeypatch, settings):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="DATABASE_URL=postgres://… and REDIS_URL=redis://…"):
        call_command("bench_reminders", stdout=StringIO())
    monkeypatch.setattr(connections["default"], "vendor", "postgresql")
    monkeypatch.setenv("DATABASE_URL", "postgres://somewhere/db")
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL unset"):
        call_command("bench_reminders", stdout=StringIO())
