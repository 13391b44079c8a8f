"""Reminder tasks: thin, idempotent, taking ids. Beat runs the scans daily
(CELERY_BEAT_SCHEDULE in settings); nothing is scheduled days ahead with eta/countdown,
which Redis would redeliver each visibility timeout (STACK-NOTES "Celery on Redis").

acks_late and reject-on-worker-lost are the project's defaults (CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST) and are repeated here because these tasks rely on them:
a worker killed mid-batch leaves the message unacknowledged, the broker delivers it again,
and the second run sends only what the first did not commit.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.utils.log import get_task_logger
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Kind

logger = get_task_logger(__name__)

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


def _day(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(name="reminders.daily_scan", **RELIABLE)
def daily_scan(day: str | None = None) -> dict:
    """The day's reminders (beat, at REMINDERS_SCAN_AT). Safe to run twice."""
    result = services.reminders_scan(kind=Kind.DAILY, day=_day(day), source="beat")
    return {"messages": result.deliveries, "lines": result.items, "emails": result.emails_queued}


@shared_task(name="reminders.weekly_digest", **RELIABLE)
def weekly_digest(day: str | None = None) -> dict:
    """The weekly digest (beat, daily at REMINDERS_DIGEST_AT): written only on the
    policy's weekday, which admins may change without restarting beat."""
    on = _day(day)
    if not services.weekly_digest_due(on):
        return {"messages": 0, "lines": 0, "emails": 0, "skipped": "not the digest day"}
    result = services.reminders_scan(kind=Kind.WEEKLY, day=on, source="beat")
    return {"messages": result.deliveries, "lines": result.items, "emails": result.emails_queued}


@shared_task(name="reminders.send_deliveries", bind=True, max_retries=None, **RELIABLE)
def send_deliveries(self, ids: list[int], retrying: bool = False) -> dict:
    """Send the email deliveries `ids` (reminders.services.deliveries_send). Those that
    failed for a transient reason are retried — only those — with exponential backoff
    (REMINDERS_RETRY_BACKOFF doubled per retry, at most REMINDERS_RETRY_BACKOFF_MAX, well
    under the broker's visibility timeout); each row stops after REMINDERS_MAX_ATTEMPTS.
    A retry sends only rows whose next attempt is due (eager mode, which ignores the
    countdown, excepted)."""
    countdown = get_exponential_backoff_interval(
        factor=settings.REMINDERS_RETRY_BACKOFF, retries=self.request.retries,
        maximum=settings.REMINDERS_RETRY_BACKOFF_MAX, full_jitter=False,
    )
    result = services.deliveries_send(
        ids=list(ids), retry_in=dt.timedelta(seconds=countdown),
        only_due=retrying and not self.request.is_eager,
    )
    summary = {"sent": len(result.sent), "retry": len(result.retry), "failed": len(result.failed),
               "skipped": len(result.skipped), "busy": len(result.busy)}
    if result.retry:
        logger.warning("retrying %d reminder emails in %ss", len(result.retry), countdown)
        raise self.retry(args=[result.retry], kwargs={"retrying": True}, countdown=countdown)
    return summary


@shared_task(name="reminders.sweep", **RELIABLE)
def sweep() -> int:
    """Every 10 minutes: queue again the emails whose task was lost."""
    return len(services.deliveries_requeue_stale())
