"""The admin: deliveries listed and filtered, a failed one sent again, the policy row."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reminders.models import Channel, Delivery, DeliveryState, Kind, ReminderPolicy
from reminders import services

from .conftest import days, milestones_of, set_due

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:reminders_delivery_changelist")


@pytest.fixture
def superuser(db):
    from tests.factories import AdminFactory

    return AdminFactory(username="root", full_name="Quản trị hệ thống", is_superuser=True)


@pytest.fixture
def failed(setup, congress_a, congress_cell, secretary_a, django_capture_on_commit_callbacks):
    """Today's messages, the email failed for good (the SMTP server refused it)."""
    set_due(milestones_of(congress_a)[0], days(3))
    set_due(milestones_of(congress_cell)[0], days(-3))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_scan(kind=Kind.DAILY)
    Delivery.objects.filter(channel=Channel.EMAIL).update(
        state=DeliveryState.FAILED, attempts=6, last_error="SMTPServerDisconnected: gone"
    )
    return Delivery.objects.get(channel=Channel.EMAIL)


def test_the_admin_lists_and_filters_deliveries(failed, client_for, superuser, secretary_a):
    client = client_for(superuser)

    page = client.get(CHANGELIST).content.decode()
    assert page.count("Lê Văn An") >= 2
    assert "SMTPServerDisconnected: gone" in page

    for query, expected in [
        ("state__exact=failed", 1), ("state__exact=sent", 1), ("channel__exact=inapp", 1),
        ("reason=escalation", 2), ("reason=weekly_digest", 0), ("q=secretary_a", 2), ("q=nobody", 0),
    ]:
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200, query
        assert response.context["cl"].result_count == expected, query


def test_a_delivery_shows_its_lines_read_only(failed, client_for, superuser):
    client = client_for(superuser)
    page = client.get(reverse("admin:reminders_delivery_change", args=[failed.pk])).content.decode()
    assert "Escalation: overdue in a subordinate unit" in page
    assert "Due soon" in page
    assert 'name="_save"' not in page
    # A sent row deleted would be sent again by the next scan of the day: no deleting.
    assert client.get(reverse("admin:reminders_delivery_delete", args=[failed.pk])).status_code == 403


def test_the_admin_resends_a_failed_email(failed, client_for, superuser, secretary_a, django_capture_on_commit_callbacks):
    client = client_for(superuser)
    sent = Delivery.objects.get(channel=Channel.INAPP)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk, sent.pk]}, follow=True)

    page = response.content.decode()
    assert "1 email queued again." in page
    assert "1 message left alone" in page
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (DeliveryState.SENT, 1, "")
    assert [m.to for m in mail.outbox] == [[secretary_a.email]]


def test_resending_a_sent_email_sends_nothing(failed, client_for, superuser, django_capture_on_commit_callbacks):
    Delivery.objects.filter(pk=failed.pk).update(state=DeliveryState.SENT, last_error="", sent_at=timezone.now())
    failed.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(superuser).post(CHANGELIST, {"action": "resend", "_selected_action": [failed.pk]})
    assert mail.outbox == []


def test_a_viewer_cannot_open_the_admin(failed, client_for, viewer):
    assert client_for(viewer).get(CHANGELIST).status_code == 302


def test_the_policy_admin_edits_the_single_row(client_for, superuser):
    client = client_for(superuser)
    response = client.get(reverse("admin:reminders_reminderpolicy_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("admin:reminders_reminderpolicy_change", args=[1])

    page = client.get(response.url).content.decode()
    assert 'value="7, 3, 1"' in page

    data = {"due_soon_enabled": "on", "days_before": "10, 5", "overdue_enabled": "on", "escalation_enabled": "on",
            "escalate_after_days": "4", "weekly_digest_enabled": "on", "weekly_digest_weekday": "4"}
    assert client.post(response.url, data).status_code == 302
    policy = ReminderPolicy.objects.get()
    assert (policy.days_before, policy.escalate_after_days, policy.weekly_digest_weekday, policy.updated_by) == (
        [10, 5], 4, 4, superuser)

    bad = client.post(response.url, {**data, "days_before": "10, soon"})
    assert bad.status_code == 200
    assert "Give whole numbers of days" in bad.content.decode()
    assert client.get(reverse("admin:reminders_reminderpolicy_add")).status_code == 403
