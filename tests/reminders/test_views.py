"""The notification centre: the bell with the unread count, the list, a notification,
marking read, and the choice of reminders."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reminders.models import Channel, Delivery, NotificationPreference
from tests.factories import SecretaryFactory

from .conftest import days, milestones_of, set_due

pytestmark = pytest.mark.django_db

LIST = reverse("reminders:notification_list")
READ_ALL = reverse("reminders:notifications_read_all")
SETTINGS = reverse("reminders:preferences")


def _unread_badge(html: str) -> str | None:
    match = re.search(r'<span class="badge" id="unread-count">(\d+)</span>', html)
    return match.group(1) if match else None


@pytest.fixture
def notified(setup, congress_a, congress_cell, secretary_a, run_scan, frozen):
    """Two days of notifications for secretary A: today's and yesterday's."""
    import datetime as dt

    first, second, third = milestones_of(congress_a, 3)
    set_due(first, days(3))
    set_due(second, days(-1))
    set_due(third, days(6))  # due in 7 days yesterday
    set_due(milestones_of(congress_cell)[0], days(-3))
    frozen.shift(dt.timedelta(days=-1))
    run_scan()
    frozen.shift(dt.timedelta(days=1))
    run_scan()
    return list(Delivery.objects.filter(recipient=secretary_a, channel=Channel.INAPP).order_by("day"))


def test_the_bell_shows_the_unread_count(notified, client_for, secretary_a, secretary_b):
    assert len(notified) == 2
    page = client_for(secretary_a).get(reverse("congresses:my_unit"), follow=True).content.decode()
    assert _unread_badge(page) == "2"
    assert f'href="{LIST}"' in page

    other = client_for(secretary_b).get(LIST).content.decode()
    assert _unread_badge(other) is None


def test_the_list_shows_the_newest_first_with_its_milestones(notified, client_for, secretary_a, congress_a, congress_cell):
    response = client_for(secretary_a).get(LIST)
    page = response.content.decode()

    assert response.status_code == 200
    today, yesterday = notified[1], notified[0]
    assert page.index(f'id="notification-{today.pk}"') < page.index(f'id="notification-{yesterday.pk}"')
    assert page.count('class="notification unread"') == 2
    escalated = milestones_of(congress_cell)[0]
    assert f'href="/congresses/{congress_cell.pk}/#milestone-{escalated.pk}"' in page
    assert "Escalation: overdue in a subordinate unit" in page
    assert "Overdue since yesterday" in page
    assert "due in 3 days" in page  # today
    assert "due in 7 days" in page  # yesterday's notification, as it was written


def test_marking_one_read(notified, client_for, secretary_a):
    client = client_for(secretary_a)
    target = notified[0]

    response = client.post(reverse("reminders:notification_read", args=[target.pk]), {"next": LIST})

    assert response.status_code == 302 and response.url == LIST
    target.refresh_from_db()
    assert target.read_at is not None
    page = client.get(LIST).content.decode()
    assert _unread_badge(page) == "1"
    assert page.count('class="notification unread"') == 1


def test_marking_all_read(notified, client_for, secretary_a):
    client = client_for(secretary_a)

    client.post(READ_ALL)

    assert not Delivery.objects.filter(recipient=secretary_a, read_at__isnull=True, channel=Channel.INAPP).exists()
    assert _unread_badge(client.get(LIST).content.decode()) is None


def test_marking_read_needs_post(notified, client_for, secretary_a):
    client = client_for(secretary_a)
    assert client.get(reverse("reminders:notification_read", args=[notified[0].pk])).status_code == 405
    assert client.get(READ_ALL).status_code == 405


def test_someone_elses_notification_is_404(notified, client_for, secretary_b, secretary_a):
    client = client_for(secretary_b)
    target = notified[0]

    assert client.post(reverse("reminders:notification_read", args=[target.pk])).status_code == 404
    assert client.get(reverse("reminders:notification_detail", args=[target.pk])).status_code == 404
    client.post(READ_ALL)

    target.refresh_from_db()
    assert target.read_at is None


def test_an_email_row_is_not_a_notification(notified, client_for, secretary_a):
    email = Delivery.objects.filter(recipient=secretary_a, channel=Channel.EMAIL).first()
    response = client_for(secretary_a).get(reverse("reminders:notification_detail", args=[email.pk]))
    assert response.status_code == 404


def test_opening_a_notification_shows_every_line_and_marks_it_read(notified, client_for, secretary_a, congress_a):
    target = notified[1]
    response = client_for(secretary_a).get(reverse("reminders:notification_detail", args=[target.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for item in target.items.all():
        assert f"#milestone-{item.milestone_id}" in page
    target.refresh_from_db()
    assert target.read_at is not None


def test_a_milestone_done_since_is_shown_done(notified, client_for, secretary_a, congress_a):
    from congresses.services import milestone_complete

    from .conftest import TODAY

    milestone_complete(milestone=milestones_of(congress_a)[0], user=secretary_a, done_on=TODAY)
    page = client_for(secretary_a).get(LIST).content.decode()
    assert '<span class="tag ok">Done</span>' in page


def test_the_list_needs_a_login(client_for):
    response = client_for(None).get(LIST)
    assert response.status_code == 302 and "/login/" in response.url


def test_the_list_costs_a_fixed_number_of_queries(notified, client_for, secretary_a, django_assert_max_num_queries,
                                                  run_scan, frozen):
    import datetime as dt

    client = client_for(secretary_a)
    client.get(LIST)
    # Session, user, unread count, page count, the page, its first lines.
    with django_assert_max_num_queries(7):
        assert client.get(LIST).status_code == 200
    for n in range(1, 6):
        frozen.shift(dt.timedelta(days=-n))
        run_scan()
        frozen.shift(dt.timedelta(days=n))
    with django_assert_max_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_an_empty_list(setup, client_for, secretary_b):
    page = client_for(secretary_b).get(LIST).content.decode()
    assert "No notifications yet." in page


# --- Preferences ------------------------------------------------------------------------------


def test_a_secretary_chooses_their_reminders(setup, client_for, secretary_a):
    client = client_for(secretary_a)
    page = client.get(SETTINGS).content.decode()
    assert 'name="due_soon"' in page and 'name="overdue"' in page
    assert 'name="weekly_digest"' not in page  # a viewer's
    assert "7, 3, 1 days before a milestone of your unit is due." in page
    assert "Escalations" in page and "disabled" in page

    response = client.post(SETTINGS, {"email_enabled": "on", "overdue": "on"})

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=secretary_a)
    assert (preference.email_enabled, preference.inapp_enabled, preference.due_soon, preference.overdue,
            preference.weekly_digest) == (True, False, False, True, True)


def test_a_viewer_chooses_the_weekly_digest(setup, client_for, viewer):
    client = client_for(viewer)
    page = client.get(SETTINGS).content.decode()
    assert 'name="weekly_digest"' in page and 'name="due_soon"' not in page

    client.post(SETTINGS, {"email_enabled": "on", "inapp_enabled": "on"})

    assert NotificationPreference.objects.get(user=viewer).weekly_digest is False


def test_preferences_are_ones_own(setup, client_for, secretary_a, secretary_b):
    client_for(secretary_b).post(SETTINGS, {})
    assert not NotificationPreference.objects.filter(user=secretary_a).exists()
    assert NotificationPreference.objects.get(user=secretary_b).email_enabled is False


def test_a_user_without_a_preference_sees_everything_on(setup, client_for):
    user = SecretaryFactory(username="fresh")
    page = client_for(user).get(SETTINGS).content.decode()
    assert page.count("checked") >= 4  # two channels, two reminders, and escalations
