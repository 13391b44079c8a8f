"""Beat runs the scans; nothing is scheduled ahead."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings

from congress_portal.celery import app
from congress_portal.settings.base import _at
from reminders import tasks
from reminders.models import ReminderRun

from .conftest import days, milestones_of, set_due


def test_beat_runs_the_daily_scan_the_digest_and_the_sweep():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reminders-daily-scan"]["task"] == "reminders.daily_scan"
    assert schedule["reminders-daily-scan"]["schedule"] == crontab(hour=6, minute=30)
    assert schedule["reminders-weekly-digest"]["schedule"] == crontab(hour=7, minute=0)
    assert schedule["reminders-sweep"]["schedule"] == crontab(minute="*/10")
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
    for entry in schedule.values():
        assert entry["task"] in app.tasks


@pytest.mark.parametrize("value,expected", [("06:30", {"hour": 6, "minute": 30}), ("0:05", {"hour": 0, "minute": 5})])
def test_the_scan_time_comes_from_the_environment(value, expected):
    assert _at(value, "REMINDERS_SCAN_AT") == expected


@pytest.mark.parametrize("value", ["6h30", "25:00", "06:60", ""])
def test_a_bad_scan_time_is_refused(value):
    with pytest.raises(ValueError, match="REMINDERS_SCAN_AT"):
        _at(value, "REMINDERS_SCAN_AT")


def test_the_tasks_acknowledge_late():
    for task in (tasks.daily_scan, tasks.weekly_digest, tasks.send_deliveries, tasks.sweep):
        assert task.acks_late and task.reject_on_worker_lost, task.name


@pytest.mark.django_db
def test_the_daily_task_scans_today_in_ho_chi_minh(setup, congress_a, secretary_a, django_capture_on_commit_callbacks, frozen):
    import datetime as dt

    # 23:30 UTC on the 22nd is already 06:30 on the 23rd in Hà Nội and Hồ Chí Minh City.
    assert frozen  # the clock stands at 23/06/2025 06:30 +07:00
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.daily_scan.delay().get()
    assert result == {"messages": 2, "lines": 2, "emails": 1}
    assert ReminderRun.objects.get().day == dt.date(2025, 6, 23)


@pytest.mark.django_db
def test_sends_are_never_scheduled_ahead(setup, congress_a, django_capture_on_commit_callbacks):
    from unittest import mock

    set_due(milestones_of(congress_a)[0], days(3))
    with mock.patch.object(tasks.send_deliveries, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.daily_scan.delay()
    assert apply_async.call_count == 1
    options = apply_async.call_args.kwargs
    assert "eta" not in options and "countdown" not in options
