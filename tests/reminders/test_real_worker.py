"""Reminders through a real Celery worker on PostgreSQL and Redis: delivered once, not
again on a second scan, exactly once across a SIGKILL mid-batch, never from a rolled-back
transaction."""

import datetime as dt
import time
from collections import Counter

import pytest
from django.db import transaction

from tests.factories import AdminFactory, SecretaryFactory
from committees import services as unit_services
from committees.models import Level
from congresses import services
from congresses.models import Milestone, Term
from reminders.models import Channel, Delivery, DeliveryState, Kind
from reminders.services import reminders_scan
from tests.worker import CeleryWorker

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

N = 30  # secretaries, each with one milestone due
DAY = dt.date(2026, 3, 2)


def _tree() -> list[str]:
    admin = AdminFactory(username="admin")
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    services.plan_apply_default(term=term)
    root = unit_services.unit_create(code="P", name="Tỉnh", level=Level.PROVINCE)
    commune = unit_services.unit_create(code="X", name="Xã", level=Level.UPPER, parent=root)
    emails = []
    for i in range(N):
        cell = unit_services.unit_create(code=f"C{i}", name=f"Chi bộ {i}", level=Level.GRASSROOTS, parent=commune)
        SecretaryFactory(username=f"sec{i}", email=f"sec{i}@example.vn", unit=cell)
        emails.append(f"sec{i}@example.vn")
        congress = services.congress_create(unit=cell, term=term, user=admin, planned_date=DAY + dt.timedelta(days=120)).congress
        first = congress.milestones.order_by("step__order").first()
        Milestone.objects.filter(congress=congress).exclude(pk=first.pk).update(due_date=DAY + dt.timedelta(days=90))
        Milestone.objects.filter(pk=first.pk).update(due_date=DAY + dt.timedelta(days=3))  # 3 days before: remind
    return emails


def _sent(day) -> int:
    return Delivery.objects.filter(day=day, channel=Channel.EMAIL, state=DeliveryState.SENT).count()


def test_each_reminder_is_delivered_exactly_once_through_a_real_worker(transactional_db, tmp_path, settings):
    settings.REMINDERS_BATCH_SIZE = 4
    emails = _tree()
    env = {"EMAIL_BACKEND": "tests.slow_email.SlowFileBackend", "SLOW_EMAIL_SECONDS": "0.25"}
    with CeleryWorker(outbox=tmp_path / "outbox", concurrency=2, visibility_timeout=5, env=env) as worker:
        # 1. The scan writes one email per secretary; the worker sends them all.
        first = reminders_scan(kind=Kind.DAILY, day=DAY)
        assert first.emails_queued == N
        worker.wait_until(lambda: _sent(DAY) == N, timeout=90, what="the first day's reminders")
        assert Counter(worker.recipients()) == Counter(emails)

        # 2. The same scan again: nothing new is written, nothing is sent.
        again = reminders_scan(kind=Kind.DAILY, day=DAY)
        assert (again.deliveries, again.emails_queued) == (0, 0)
        time.sleep(2)
        assert len(worker.recipients()) == N

        # 3. Another day (the milestone is now 7 days ahead); SIGKILL mid-batch, restart.
        day2 = DAY - dt.timedelta(days=4)
        assert reminders_scan(kind=Kind.DAILY, day=day2).emails_queued == N
        worker.wait_until(lambda: _sent(day2) >= 3, timeout=60, what="some of the second day's reminders")
        worker.kill()
        at_kill = _sent(day2)
        assert at_kill < N, "the batch finished before the kill: slow the backend down"
        worker.start()  # the unacknowledged batches come back after the visibility timeout
        worker.wait_until(lambda: _sent(day2) == N, timeout=120, what="the redelivered reminders")
        assert Counter(worker.recipients()) == Counter(emails * 2)  # one per secretary per day
        assert not Delivery.objects.exclude(state=DeliveryState.SENT).filter(channel=Channel.EMAIL).exists()

        # 4. A scan inside a transaction that rolls back writes and sends nothing.
        day3 = DAY + dt.timedelta(days=2)  # 1 day before
        with pytest.raises(RuntimeError), transaction.atomic():
            assert reminders_scan(kind=Kind.DAILY, day=day3).emails_queued == N
            raise RuntimeError("roll back")
        assert not Delivery.objects.filter(day=day3).exists()
        time.sleep(3)
        assert len(worker.recipients()) == 2 * N
