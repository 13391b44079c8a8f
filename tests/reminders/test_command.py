"""`manage.py send_reminders`: the same scan as beat, by hand; --dry-run writes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import Delivery, DeliveryItem, ReminderPolicy, ReminderRun

from .conftest import days, milestones_of, set_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated(setup, congress_a, congress_cell):
    set_due(milestones_of(congress_a)[0], days(3))
    set_due(milestones_of(congress_a)[1], days(-1))
    set_due(milestones_of(congress_cell)[0], days(-3))


def _run(*args, capture=None) -> str:
    out = StringIO()
    if capture is None:
        call_command("send_reminders", *args, stdout=out)
    else:
        with capture(execute=True):
            call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_who_would_get_what_and_writes_nothing(dated, congress_a, secretary_a, viewer, english):
    out = _run("--dry-run")

    assert not Delivery.objects.exists()
    assert not DeliveryItem.objects.exists()
    assert not ReminderRun.objects.exists()
    assert not ReminderPolicy.objects.exists()  # not even the default policy row
    assert mail.outbox == []
    # Monday: the daily reminders and the weekly digest.
    assert "Daily reminder 23/06/2025 (dry run, nothing written): 2 messages to 1 recipients, 6 lines" in out
    assert "Weekly digest 23/06/2025 (dry run, nothing written): 2 messages to 1 recipients, 4 lines" in out
    assert "secretary_a (Lê Văn An) · Email secretary_a@example.org" in out
    step = milestones_of(congress_a)[0].step.title
    assert "Due soon" in out and f"Đảng bộ xã An Phú — {step}  26/06/2025 (due in 3 days)" in out
    assert "Escalation: overdue in a subordinate unit" in out and "(3 days overdue)" in out
    assert "viewer (Trần Thị Xem) · In the portal —" in out


def test_dry_run_marks_what_an_earlier_run_wrote(dated, django_capture_on_commit_callbacks, english):
    _run("--kind", "daily", capture=django_capture_on_commit_callbacks)

    out = _run("--dry-run", "--kind", "daily")

    assert "2 of them were written by an earlier run today" in out
    assert out.count("[already written today]") == 2


def test_the_command_writes_and_sends_like_beat(dated, secretary_a, viewer, django_capture_on_commit_callbacks, english):
    out = _run(capture=django_capture_on_commit_callbacks)

    assert "Daily reminder 23/06/2025: 2 messages, 6 lines; 1 emails queued in 1 tasks." in out
    assert "Weekly digest 23/06/2025: 2 messages, 4 lines; 1 emails queued in 1 tasks." in out
    assert sorted(m.to[0] for m in mail.outbox) == ["secretary_a@example.org", "viewer@example.org"]
    assert set(ReminderRun.objects.values_list("source", flat=True)) == {"command"}

    again = _run(capture=django_capture_on_commit_callbacks)
    assert "0 messages, 0 lines; 0 emails queued" in again
    assert len(mail.outbox) == 2


def test_the_date_option_scans_another_day(dated, congress_a, english):
    out = _run("--dry-run", "--date", days(-4).isoformat())  # Thursday 19/06: no digest

    # Due in 7, 3 and 1 days then: commune A's two, the cell's one (to its own secretary).
    assert "Daily reminder 19/06/2025 (dry run, nothing written): 4 messages to 2 recipients, 6 lines" in out
    assert "Weekly digest" not in out
    assert "26/06/2025 (due in 7 days)" in out and "22/06/2025 (due in 3 days)" in out
    assert "20/06/2025 (due in 1 day)" in out


def test_weekly_kind_forces_the_digest_on_any_day(dated, english):
    out = _run("--dry-run", "--kind", "weekly", "--date", days(2).isoformat())
    assert "Weekly digest 25/06/2025 (dry run, nothing written)" in out
    assert "Daily reminder" not in out


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "23/06/2025")
