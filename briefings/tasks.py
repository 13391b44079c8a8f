"""Briefing tasks: thin and idempotent."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import snapshots


@shared_task(name="briefings.snapshot_previous_quarter", acks_late=True, reject_on_worker_lost=True)
def snapshot_previous_quarter() -> str:
    """Take the snapshot of the quarter that has just ended, unless it is taken (beat,
    daily at 00:30: the first day after a quarter ends takes it)."""
    snapshot, taken = snapshots.take_previous(timezone.localdate())
    return f"{snapshot.period.key}: {'taken' if taken else 'already taken'} ({snapshot.rows} rows)"
