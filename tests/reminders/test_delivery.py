"""One message per recipient per run, opt-outs, stopping, exactly once, failures and
retries, the sweep, and sends queued only on commit."""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from congress_portal.celery import app as celery_app
from congresses.models import MilestoneStatus
from congresses.services import congress_update, milestone_complete
from reminders import services
from reminders.models import Channel, Delivery, DeliveryItem, DeliveryState, Kind, NotificationPreference, Reason, ReminderRun
from reminders.tasks import send_deliveries, sweep

from .conftest import TODAY, days, emails_to, items_for, milestones_of, set_due

pytestmark = pytest.mark.django_db


# --- One digest per recipient per run -----------------------------------------------------------


def test_five_milestones_due_make_one_message_listing_five(setup, congress_a, secretary_a, run_scan):
    five = milestones_of(congress_a, 5)
    for milestone in five:
        set_due(milestone, days(3))

    result = run_scan()

    assert (result.deliveries, result.items) == (2, 10)  # one email, one notification, 5 lines each
    [email] = emails_to(secretary_a)
    for milestone in five:
        assert milestone.step.title in email.body
        assert f"#milestone-{milestone.pk}" in email.body
    assert Delivery.objects.get(recipient=secretary_a, channel=Channel.INAPP).items.count() == 5


def test_each_secretary_gets_their_own_message(setup, tree, congress_a, secretary_a, run_scan):
    from tests.factories import SecretaryFactory

    deputy = SecretaryFactory(username="deputy_a", unit=tree.commune_a)
    for milestone in milestones_of(congress_a, 2):
        set_due(milestone, days(7))

    run_scan()

    assert len(emails_to(secretary_a)) == 1
    assert len(emails_to(deputy)) == 1
    assert len(mail.outbox) == 2


# --- Opt-outs ---------------------------------------------------------------------------------


def _prefer(user, **choices) -> None:
    NotificationPreference.objects.update_or_create(user=user, defaults=choices)


@pytest.mark.parametrize("reason,offset", [("due_soon", 3), ("overdue", -1)])
def test_a_secretary_can_turn_off_each_optional_reminder(setup, congress_a, secretary_a, run_scan, reason, offset):
    set_due(milestones_of(congress_a)[0], days(offset))
    _prefer(secretary_a, **{reason: False})

    assert run_scan().deliveries == 0
    assert mail.outbox == []


def test_a_viewer_can_turn_off_the_weekly_digest(setup, congress_a, viewer, run_scan):
    set_due(milestones_of(congress_a)[0], days(-4))
    _prefer(viewer, weekly_digest=False)

    assert run_scan(Kind.WEEKLY).deliveries == 0


def test_turning_off_a_channel_keeps_the_other(setup, congress_a, secretary_a, run_scan):
    set_due(milestones_of(congress_a)[0], days(1))
    _prefer(secretary_a, email_enabled=False)

    run_scan()

    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.INAPP]
    assert mail.outbox == []

    Delivery.objects.all().delete()
    _prefer(secretary_a, email_enabled=True, inapp_enabled=False)
    run_scan()
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.EMAIL]
    assert len(mail.outbox) == 1


def test_escalations_reach_a_user_who_turned_everything_off(setup, congress_a, congress_cell, secretary_a, run_scan):
    escalated = set_due(milestones_of(congress_cell)[0], days(-3))
    set_due(milestones_of(congress_a)[0], days(3))  # due soon: turned off
    _prefer(secretary_a, email_enabled=False, inapp_enabled=False, due_soon=False, overdue=False, weekly_digest=False)

    run_scan()

    for channel in (Channel.EMAIL, Channel.INAPP):
        assert items_for(secretary_a, channel) == [(Reason.ESCALATION, escalated.pk, congress_cell.unit_id)]
    assert len(emails_to(secretary_a)) == 1


# --- Reminders stop -------------------------------------------------------------------------


def test_a_done_milestone_is_not_reminded(setup, congress_a, secretary_a, run_scan):
    milestone = set_due(milestones_of(congress_a)[0], days(3))
    milestone_complete(milestone=milestone, user=secretary_a, done_on=TODAY)

    assert run_scan().deliveries == 0


def test_reminders_stop_once_the_milestone_is_done(setup, congress_a, secretary_a, run_scan, frozen):
    milestone = set_due(milestones_of(congress_a)[0], days(7))
    run_scan()
    assert len(emails_to(secretary_a)) == 1

    milestone_complete(milestone=milestone, user=secretary_a, done_on=TODAY)
    for ahead in (3, 1):  # the days it would have been reminded again
        frozen.move_to(dt.datetime.combine(milestone.due_date - dt.timedelta(days=ahead), dt.time(6, 30),
                                           tzinfo=timezone.get_current_timezone()))
        assert run_scan().deliveries == 0
    frozen.move_to(dt.datetime.combine(milestone.due_date + dt.timedelta(days=1), dt.time(6, 30),
                                       tzinfo=timezone.get_current_timezone()))
    assert run_scan().deliveries == 0
    assert len(emails_to(secretary_a)) == 1


def test_a_moved_due_date_stops_the_reminders_for_the_old_date(setup, term, congress_a, secretary_a, run_scan):
    # The "hold" step is due on the congress date; moving the congress moves it.
    hold = congress_a.milestones.get(step__code="hold")
    congress_update(congress=congress_a, user=secretary_a, data={"planned_date": days(3)})
    hold.refresh_from_db()
    assert hold.due_date == days(3)
    Delivery.objects.all().delete()

    congress_update(congress=congress_a, user=secretary_a, data={"planned_date": days(30)})

    run_scan()
    assert (Reason.DUE_SOON, hold.pk, congress_a.unit_id) not in items_for(secretary_a)


def test_a_line_done_between_the_scan_and_the_send_is_left_out(setup, congress_a, secretary_a, django_capture_on_commit_callbacks):
    first, second = milestones_of(congress_a, 2)
    set_due(first, days(3))
    set_due(second, days(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_scan(kind=Kind.DAILY)
    milestone_complete(milestone=first, user=secretary_a, done_on=TODAY)
    for callback in callbacks:
        callback()

    [email] = emails_to(secretary_a)
    assert second.step.title in email.body
    assert first.step.title not in email.body


def test_an_email_with_nothing_left_to_say_is_skipped(setup, congress_a, secretary_a, django_capture_on_commit_callbacks):
    milestone = set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_scan(kind=Kind.DAILY)
    set_due(milestone, days(20))  # moved away
    for callback in callbacks:
        callback()

    assert mail.outbox == []
    assert Delivery.objects.get(channel=Channel.EMAIL).state == DeliveryState.SKIPPED


# --- Exactly once ------------------------------------------------------------------------------


def test_scanning_twice_writes_and_sends_nothing_more(setup, congress_a, congress_cell, secretary_a, run_scan):
    set_due(milestones_of(congress_a)[0], days(3))
    set_due(milestones_of(congress_cell)[0], days(-3))
    first = run_scan()
    rows, lines, sent = Delivery.objects.count(), DeliveryItem.objects.count(), len(mail.outbox)
    assert (first.deliveries, rows, sent) == (2, 2, 1)

    second = run_scan()

    assert (second.deliveries, second.items, second.emails_queued) == (0, 0, 0)
    assert (Delivery.objects.count(), DeliveryItem.objects.count(), len(mail.outbox)) == (rows, lines, sent)
    assert ReminderRun.objects.count() == 2


def test_a_later_run_the_same_day_does_not_change_a_message_already_written(setup, congress_a, secretary_a, run_scan):
    first, second = milestones_of(congress_a, 2)
    set_due(first, days(3))
    run_scan()
    set_due(second, days(1))  # dated after the morning scan

    run_scan()

    assert items_for(secretary_a, Channel.EMAIL) == [(Reason.DUE_SOON, first.pk, congress_a.unit_id)]
    assert len(mail.outbox) == 1


def test_a_send_task_delivered_twice_sends_once(setup, congress_a, secretary_a, django_capture_on_commit_callbacks):
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_scan(kind=Kind.DAILY)
    ids = list(Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))

    first = send_deliveries.delay(ids).get()
    again = send_deliveries.delay(ids).get()

    assert (first["sent"], again["sent"], again["busy"]) == (1, 0, 1)
    assert len(mail.outbox) == 1


def test_every_attempt_carries_the_same_message_id(setup, congress_a, secretary_a, run_scan):
    set_due(milestones_of(congress_a)[0], days(3))
    run_scan()
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<reminder-{delivery.pk}-20250623@localhost>"
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_rolled_back_scan_queues_nothing(setup, congress_a, django_capture_on_commit_callbacks):
    set_due(milestones_of(congress_a)[0], days(3))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.reminders_scan(kind=Kind.DAILY)
                raise RuntimeError("the caller's transaction fails")

    assert callbacks == []
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_sends_are_queued_in_batches(setup, tree, congress_a, settings, django_capture_on_commit_callbacks):
    from tests.factories import SecretaryFactory

    settings.REMINDERS_BATCH_SIZE = 2
    for n in range(5):
        SecretaryFactory(username=f"sec{n}", unit=tree.commune_a)
    set_due(milestones_of(congress_a)[0], days(3))

    with mock.patch.object(send_deliveries, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.reminders_scan(kind=Kind.DAILY)

    assert result.emails_queued == 6  # secretary_a and five more
    assert [len(call.args[0]) for call in delay.call_args_list] == [2, 2, 2]
    assert sorted(i for call in delay.call_args_list for i in call.args[0]) == sorted(
        Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))


# --- Failures and retries ---------------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """locmem, but the first `failures` sends raise."""

    failures = 1
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise FlakyBackend.error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_delivery.FlakyBackend"
    FlakyBackend.failures = 1
    FlakyBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    # Eager Celery runs a retry at once, inline, but only when it does not propagate the
    # Retry exception to the caller instead (which the test settings ask for).
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield FlakyBackend
    celery_app.conf.task_eager_propagates = propagates


def test_a_transient_smtp_error_is_recorded_and_retried(setup, congress_a, secretary_a, flaky, run_scan, caplog):
    set_due(milestones_of(congress_a)[0], days(3))

    run_scan()  # eager Celery runs the retry at once

    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert (delivery.state, delivery.attempts, delivery.last_error) == (DeliveryState.SENT, 2, "")
    assert len(emails_to(secretary_a)) == 1
    assert "failed (attempt 1, will retry)" in caplog.text


def test_a_send_that_keeps_failing_stays_failed_with_its_error(setup, congress_a, flaky, settings, run_scan):
    settings.REMINDERS_MAX_ATTEMPTS = 3
    flaky.failures = 99
    set_due(milestones_of(congress_a)[0], days(3))

    run_scan()

    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (DeliveryState.FAILED, 3, None)
    assert delivery.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []


def test_a_refused_recipient_is_not_retried(setup, congress_a, flaky, run_scan):
    flaky.error = smtplib.SMTPRecipientsRefused({"secretary_a@example.org": (550, b"No such user")})
    set_due(milestones_of(congress_a)[0], days(3))

    run_scan()

    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 1)
    assert "SMTPRecipientsRefused" in delivery.last_error


def test_the_retry_plans_the_next_attempt_with_backoff(setup, congress_a, flaky, settings, django_capture_on_commit_callbacks):
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_scan(kind=Kind.DAILY)
    delivery = Delivery.objects.get(channel=Channel.EMAIL)

    with mock.patch.object(send_deliveries, "retry", side_effect=RuntimeError("retry")) as retry:
        with pytest.raises(RuntimeError):
            send_deliveries.apply(args=[[delivery.pk]], throw=True)

    retry.assert_called_once_with(args=[[delivery.pk]], kwargs={"retrying": True},
                                  countdown=settings.REMINDERS_RETRY_BACKOFF)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=settings.REMINDERS_RETRY_BACKOFF)


def test_a_retry_delivered_twice_makes_one_attempt(setup, congress_a, secretary_a, flaky, frozen,
                                                 django_capture_on_commit_callbacks):
    """Redis redelivers a countdown task every visibility timeout: the copies of one retry
    must not each burn an attempt (or each plan another retry)."""
    flaky.failures = 99
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_scan(kind=Kind.DAILY)
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    first = services.deliveries_send(ids=[delivery.pk], retry_in=dt.timedelta(minutes=1))
    assert first.retry == [delivery.pk]

    early = services.deliveries_send(ids=[delivery.pk], retry_in=dt.timedelta(minutes=2), only_due=True)
    assert (early.retry, early.busy) == ([], [delivery.pk])
    frozen.shift(dt.timedelta(minutes=1))
    due = services.deliveries_send(ids=[delivery.pk], retry_in=dt.timedelta(minutes=2), only_due=True)
    copy = services.deliveries_send(ids=[delivery.pk], retry_in=dt.timedelta(minutes=2), only_due=True)

    assert (due.retry, copy.retry, copy.busy) == ([delivery.pk], [], [delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 2)


# --- The sweep ----------------------------------------------------------------------------------


def test_the_sweep_queues_emails_whose_task_was_lost(setup, congress_a, secretary_a, frozen, django_capture_on_commit_callbacks):
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False):  # the broker never got the task
        services.reminders_scan(kind=Kind.DAILY)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 0  # too early to call it lost
    frozen.shift(dt.timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 1

    assert Delivery.objects.get(channel=Channel.EMAIL).state == DeliveryState.SENT
    assert len(emails_to(secretary_a)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 0


def test_the_sweep_picks_up_a_lost_retry_but_not_a_failure_given_up(setup, congress_a, secretary_a, frozen,
                                                                     django_capture_on_commit_callbacks):
    set_due(milestones_of(congress_a)[0], days(3))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_scan(kind=Kind.DAILY)
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=6, next_attempt_at=None)
    frozen.shift(dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 0

    Delivery.objects.filter(pk=delivery.pk).update(attempts=2, next_attempt_at=timezone.now() - dt.timedelta(hours=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.delay().get() == 1
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.SENT


# --- Grouping and order in the message --------------------------------------------------------


def test_the_message_lists_escalations_first_then_overdue_then_due_soon(setup, congress_a, congress_cell, secretary_a,
                                                                       run_scan, english, settings):
    settings.LANGUAGE_CODE = "en"
    set_due(milestones_of(congress_a)[0], days(7))
    set_due(milestones_of(congress_a)[1], days(-1))
    set_due(milestones_of(congress_cell)[0], days(-3))

    run_scan()

    [email] = emails_to(secretary_a)
    body = email.body
    assert body.index("ESCALATION") < body.index("OVERDUE SINCE YESTERDAY") < body.index("DUE SOON")
    assert email.subject == "[Congress portal] Escalation: 1 overdue milestone in units under yours"


def test_the_milestone_status_is_untouched_by_reminders(setup, congress_a, run_scan):
    milestone = set_due(milestones_of(congress_a)[0], days(-1))
    run_scan()
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED
