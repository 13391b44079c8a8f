"""Fixtures of the reminder tests: the standard tree and users, a congress for commune A
and one for its cell A1 whose milestones have no due date until a test gives them one,
and a clock frozen on Monday 23/06/2025 at 06:30 in Asia/Ho_Chi_Minh (the scan's hour)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from congresses.models import Milestone
from reminders import services
from reminders.models import Delivery, DeliveryItem, Kind

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.date(2025, 6, 23)  # a Monday, the default weekly digest day


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2025, 6, 23, 6, 30, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(tree, term, congress_a, congress_cell, secretary_a, secretary_cell, viewer, frozen):
    """Every milestone starts without a due date, so only what a test dates is due."""
    Milestone.objects.update(due_date=None)
    return tree


def milestones_of(congress, n: int | None = None) -> list[Milestone]:
    ms = list(congress.milestones.select_related("step").order_by("step__order"))
    return ms if n is None else ms[:n]


def set_due(milestone: Milestone, due: dt.date) -> Milestone:
    Milestone.objects.filter(pk=milestone.pk).update(due_date=due)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture
def run_scan(django_capture_on_commit_callbacks):
    """`run_scan(kind="daily", day=None)`: the scan as beat runs it, its on-commit sends
    executed (eager Celery), the result returned."""

    def run(kind: str = Kind.DAILY, day: dt.date | None = None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_scan(kind=kind, day=day, **kwargs)

    return run


def items_for(user, channel: str | None = None, kind: str | None = None) -> list[tuple[str, int | None, int]]:
    """(reason, milestone id, unit id) of what `user` was sent, sorted."""
    qs = DeliveryItem.objects.filter(delivery__recipient=user)
    if channel:
        qs = qs.filter(delivery__channel=channel)
    if kind:
        qs = qs.filter(delivery__kind=kind)
    return sorted(qs.values_list("reason", "milestone_id", "unit_id"), key=lambda t: (t[0], t[1] or 0, t[2]))


def emails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def deliveries(**filters):
    return Delivery.objects.filter(**filters)
