"""Each rule of the reminder policy, on a frozen day (Monday 23/06/2025)."""

from __future__ import annotations

import pytest
from django.core import mail

from reminders.models import Channel, Delivery, DeliveryState, Kind, Reason, ReminderPolicy
from reminders.services import policy_get

from .conftest import TODAY, days, emails_to, items_for, milestones_of, set_due

pytestmark = pytest.mark.django_db


# --- Before the due date ----------------------------------------------------------------------


@pytest.mark.parametrize("ahead", [7, 3, 1])
def test_secretary_is_reminded_7_3_and_1_days_before(setup, congress_a, secretary_a, run_scan, ahead):
    milestone = set_due(milestones_of(congress_a)[0], days(ahead))

    run_scan()

    assert items_for(secretary_a, Channel.EMAIL) == [(Reason.DUE_SOON, milestone.pk, congress_a.unit_id)]
    assert items_for(secretary_a, Channel.INAPP) == [(Reason.DUE_SOON, milestone.pk, congress_a.unit_id)]
    assert len(emails_to(secretary_a)) == 1


@pytest.mark.parametrize("ahead", [0, 2, 4, 5, 6, 8, 14])
def test_no_reminder_on_other_days_before(setup, congress_a, secretary_a, run_scan, ahead):
    set_due(milestones_of(congress_a)[0], days(ahead))

    result = run_scan()

    assert result.deliveries == 0
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_only_the_units_own_secretary_is_reminded_before(setup, congress_a, secretary_a, secretary_cell,
                                                         secretary_b, viewer, run_scan):
    set_due(milestones_of(congress_a)[0], days(3))

    run_scan()

    assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"secretary_a"}


# --- After the due date -----------------------------------------------------------------------


def test_secretary_is_reminded_on_the_first_overdue_day(setup, congress_a, secretary_a, run_scan):
    milestone = set_due(milestones_of(congress_a)[0], days(-1))

    run_scan()

    assert items_for(secretary_a, Channel.EMAIL) == [(Reason.OVERDUE, milestone.pk, congress_a.unit_id)]
    assert "1 day overdue" in emails_to(secretary_a)[0].body or "quá hạn" in emails_to(secretary_a)[0].body


@pytest.mark.parametrize("late", [2, 4, 5, 10])
def test_no_daily_reminder_on_later_overdue_days(setup, congress_a, congress_cell, run_scan, late):
    set_due(milestones_of(congress_a)[0], days(-late))
    set_due(milestones_of(congress_cell)[0], days(-late))

    assert run_scan().deliveries == 0


def test_escalation_on_day_n_goes_to_the_superior_units_secretary(setup, congress_cell, secretary_a,
                                                                 secretary_cell, run_scan):
    milestone = set_due(milestones_of(congress_cell)[0], days(-3))  # overdue 3 days: the default N

    run_scan()

    # The cell's superior is commune A: its secretary hears of it, on both channels.
    assert items_for(secretary_a, Channel.EMAIL) == [(Reason.ESCALATION, milestone.pk, congress_cell.unit_id)]
    assert items_for(secretary_a, Channel.INAPP) == [(Reason.ESCALATION, milestone.pk, congress_cell.unit_id)]
    # The cell's own secretary had the first-overdue-day reminder two days ago, not this.
    assert items_for(secretary_cell) == []


@pytest.mark.parametrize("late", [2, 4, 7])
def test_escalation_happens_once_on_day_n_only(setup, congress_cell, secretary_a, run_scan, late):
    set_due(milestones_of(congress_cell)[0], days(-late))

    run_scan()

    assert items_for(secretary_a) == []


def test_a_unit_without_superior_escalates_to_nobody(setup, province, term, run_scan):
    from tests.factories import CongressFactory, SecretaryFactory

    congress = CongressFactory(unit=province, term=term)
    SecretaryFactory(unit=province, username="secretary_province")
    congress.milestones.update(due_date=None)
    set_due(milestones_of(congress)[0], days(-3))

    assert run_scan().deliveries == 0


def test_overdue_and_due_soon_of_one_secretary_share_one_message(setup, congress_a, secretary_a, run_scan):
    first, second, third = milestones_of(congress_a, 3)
    set_due(first, days(-1))
    set_due(second, days(1))
    set_due(third, days(7))

    run_scan()

    email = emails_to(secretary_a)
    assert len(email) == 1
    assert Delivery.objects.filter(recipient=secretary_a, channel=Channel.EMAIL).count() == 1
    assert [r for r, *_ in items_for(secretary_a, Channel.EMAIL)] == [Reason.DUE_SOON, Reason.DUE_SOON, Reason.OVERDUE]


# --- Weekly digest ----------------------------------------------------------------------------


def test_weekly_digest_lists_the_overdue_units_in_the_viewers_scope(setup, tree, term, congress_a, congress_cell,
                                                                   viewer, run_scan):
    from tests.factories import CongressFactory, ViewerFactory

    congress_b = CongressFactory(unit=tree.commune_b, term=term)
    congress_b.milestones.update(due_date=None)
    commune_b_viewer = ViewerFactory(username="viewer_b", unit=tree.commune_b)
    a1, a2 = milestones_of(congress_a, 2)
    set_due(a1, days(-10))
    set_due(a2, days(-2))
    set_due(milestones_of(congress_cell)[0], days(-30))
    set_due(milestones_of(congress_b)[0], days(3))  # not overdue

    result = run_scan(Kind.WEEKLY)

    assert result.deliveries == 2  # the provincial viewer, email and in-app
    lines = sorted(Delivery.objects.get(recipient=viewer, channel=Channel.EMAIL).items.values_list(
        "reason", "unit_id", "overdue_count", "due_date"))
    assert lines == sorted([
        (Reason.WEEKLY_DIGEST, tree.commune_a.pk, 2, days(-10)),
        (Reason.WEEKLY_DIGEST, tree.cell_a1.pk, 1, days(-30)),
    ])
    # Commune B's viewer has no overdue unit in scope: no digest.
    assert not Delivery.objects.filter(recipient=commune_b_viewer).exists()
    # Secretaries get no weekly digest.
    assert set(Delivery.objects.values_list("recipient__username", flat=True)) == {"viewer"}


def test_weekly_digest_of_a_smaller_scope_leaves_out_the_units_outside_it(setup, tree, congress_a, congress_cell,
                                                                        run_scan):
    from tests.factories import ViewerFactory

    commune_viewer = ViewerFactory(username="viewer_a", unit=tree.cell_a1)
    set_due(milestones_of(congress_a)[0], days(-5))
    set_due(milestones_of(congress_cell)[0], days(-5))

    run_scan(Kind.WEEKLY)

    assert items_for(commune_viewer, Channel.INAPP) == [(Reason.WEEKLY_DIGEST, None, tree.cell_a1.pk)]


def test_weekly_digest_is_sent_on_the_policys_weekday_only(setup, congress_a, viewer, django_capture_on_commit_callbacks):
    from reminders.tasks import weekly_digest

    set_due(milestones_of(congress_a)[0], days(-5))
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest.delay(days(1).isoformat()).get()["messages"] == 0  # Tuesday
        assert weekly_digest.delay().get()["messages"] == 2  # today, Monday
    assert len(emails_to(viewer)) == 1

    policy = policy_get()
    policy.weekly_digest_weekday = 1  # Tuesday
    policy.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digest.delay(days(7).isoformat()).get()["messages"] == 0  # next Monday
        assert weekly_digest.delay(days(8).isoformat()).get()["messages"] == 2  # next Tuesday


# --- Policy edits ------------------------------------------------------------------------------


def test_policy_is_created_with_the_defaults():
    policy = policy_get()
    assert (policy.pk, policy.days_before, policy.overdue_enabled, policy.escalate_after_days,
            policy.weekly_digest_weekday) == (1, [7, 3, 1], True, 3, 0)
    assert ReminderPolicy.objects.count() == 1


def test_policy_edits_take_effect_at_the_next_scan(setup, congress_a, congress_cell, secretary_a, run_scan):
    first, second = milestones_of(congress_a, 2)
    set_due(first, days(5))
    set_due(second, days(-1))
    escalated = set_due(milestones_of(congress_cell)[0], days(-2))
    run_scan()
    # The defaults: only the overdue one, on its first overdue day.
    assert items_for(secretary_a, Channel.EMAIL) == [(Reason.OVERDUE, second.pk, congress_a.unit_id)]

    policy = policy_get()
    policy.days_before = [5]
    policy.overdue_enabled = False
    policy.escalate_after_days = 2
    policy.full_clean()
    policy.save()
    Delivery.objects.all().delete()

    run_scan()
    assert items_for(secretary_a, Channel.EMAIL) == sorted([
        (Reason.DUE_SOON, first.pk, congress_a.unit_id),
        (Reason.ESCALATION, escalated.pk, congress_cell.unit_id),
    ])


def test_disabled_rules_send_nothing(setup, congress_a, congress_cell, viewer, run_scan):
    set_due(milestones_of(congress_a)[0], days(3))
    set_due(milestones_of(congress_a)[1], days(-1))
    set_due(milestones_of(congress_cell)[0], days(-3))
    ReminderPolicy.objects.update_or_create(pk=1, defaults={
        "due_soon_enabled": False, "overdue_enabled": False, "escalation_enabled": False,
        "weekly_digest_enabled": False,
    })

    assert run_scan().deliveries == 0
    assert run_scan(Kind.WEEKLY).deliveries == 0


@pytest.mark.parametrize("value", [[0], [61], ["7"], "7,3", [True]])
def test_policy_refuses_bad_days(value):
    policy = ReminderPolicy(days_before=value)
    with pytest.raises(Exception):
        policy.full_clean()


def test_policy_sorts_and_deduplicates_days():
    policy = ReminderPolicy(days_before=[1, 7, 3, 7])
    policy.full_clean()
    assert policy.days_before == [7, 3, 1]


# --- What counts ------------------------------------------------------------------------------


def test_only_the_current_terms_open_milestones_of_active_units_count(setup, tree, term, congress_a, secretary_a,
                                                                     run_scan):
    from tests.factories import CongressFactory, TermFactory

    old_term = TermFactory(start_year=2020, is_current=False)
    old = CongressFactory(unit=tree.commune_a, term=old_term)
    old.milestones.update(due_date=days(3))
    done = milestones_of(congress_a)[0]
    set_due(done, days(3))
    done.status, done.done_on = "done", TODAY
    done.save()

    assert run_scan().deliveries == 0

    set_due(milestones_of(congress_a)[1], days(3))
    tree.commune_a.is_active = False
    tree.commune_a.save()
    assert run_scan().deliveries == 0


def test_inactive_users_get_nothing_and_users_without_email_get_in_app_only(setup, congress_a, secretary_a, run_scan):
    from tests.factories import SecretaryFactory

    no_email = SecretaryFactory(username="no_email", email="", unit=congress_a.unit)
    gone = SecretaryFactory(username="gone", unit=congress_a.unit, is_active=False)
    set_due(milestones_of(congress_a)[0], days(1))

    run_scan()

    assert list(Delivery.objects.filter(recipient=no_email).values_list("channel", flat=True)) == [Channel.INAPP]
    assert not Delivery.objects.filter(recipient=gone).exists()
    assert Delivery.objects.filter(recipient=secretary_a).count() == 2


def test_in_app_notifications_are_delivered_by_the_scan_itself(setup, congress_a, secretary_a, run_scan):
    set_due(milestones_of(congress_a)[0], days(1))

    run_scan()

    inapp = Delivery.objects.get(recipient=secretary_a, channel=Channel.INAPP)
    email = Delivery.objects.get(recipient=secretary_a, channel=Channel.EMAIL)
    assert (inapp.state, inapp.sent_at is not None, inapp.read_at) == (DeliveryState.SENT, True, None)
    assert (email.state, email.attempts) == (DeliveryState.SENT, 1)
