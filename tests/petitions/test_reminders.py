"""Reminders of petitions (issue 14, point 3) through the reminder machinery: to the case's
handler before and after its due date, exactly once, following extensions; to every
handler of the unit while nobody is assigned; never the sender. Frozen time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from petitions import services
from petitions.models import PetitionStatus
from reminders import services as reminder_services
from reminders.models import DeliveryItem, Kind, Reason
from tests.factories import HandlerFactory, PetitionFactory

from .conftest import SENDER, SENDER_NAME, SENDER_PHONE

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
RECEIVED = dt.date(2025, 6, 2)  # a complaint: classified within 10 days, due 12/06/2025


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, 30, tzinfo=HCM), tick=False)


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    def run(day: dt.date):
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return reminder_services.reminders_scan(kind=Kind.DAILY, day=day)
    return run


@pytest.fixture
def case(term, commune_a, handler):
    with at(RECEIVED):
        return PetitionFactory(unit=commune_a, user=handler, kind="complaint", received_on=RECEIVED, sender=SENDER,
                               handler=handler)


def petition_items(user=None):
    qs = DeliveryItem.objects.filter(petition__isnull=False)
    if user is not None:
        qs = qs.filter(delivery__recipient=user)
    return sorted(qs.values_list("delivery__day", "delivery__channel", "reason", "petition_id", "due_date"))


def test_the_handler_is_reminded_before_and_after_the_due_date_exactly_once(case, handler, scan):
    assert case.due_on == dt.date(2025, 6, 12)
    for day in (dt.date(2025, 6, 4), dt.date(2025, 6, 5), dt.date(2025, 6, 5), dt.date(2025, 6, 9),
                dt.date(2025, 6, 10), dt.date(2025, 6, 13), dt.date(2025, 6, 13), dt.date(2025, 6, 14)):
        scan(day)
    due, late = Reason.PETITION_DUE, Reason.PETITION_OVERDUE
    expected = []
    for day, reason in ((dt.date(2025, 6, 5), due), (dt.date(2025, 6, 9), due), (dt.date(2025, 6, 11), due),
                        (dt.date(2025, 6, 13), late)):
        if day == dt.date(2025, 6, 11):
            continue  # not scanned
        expected += [(day, "email", reason, case.pk, case.due_on), (day, "inapp", reason, case.pk, case.due_on)]
    assert petition_items(handler) == sorted(expected)
    # Three due-soon emails (7 and 3 days before), one the day after: each once.
    assert len([m for m in mail.outbox if handler.email in m.to]) == 3


def test_an_extension_moves_the_reminders_to_the_new_due_date(case, handler, scan):
    with at(dt.date(2025, 6, 5)):
        services.petition_extend(petition=case, user=handler, days=10, reason="Chờ hồ sơ")
    scan(dt.date(2025, 6, 5))   # 7 days before the old date: nothing any more
    scan(dt.date(2025, 6, 13))  # the day after the old date: nothing
    scan(dt.date(2025, 6, 15))  # 7 days before the new date (22/06)
    scan(dt.date(2025, 6, 23))  # the day after it
    assert [(d, r) for d, ch, r, _p, _due in petition_items(handler) if ch == "inapp"] == [
        (dt.date(2025, 6, 15), Reason.PETITION_DUE), (dt.date(2025, 6, 23), Reason.PETITION_OVERDUE)]


def test_a_resolved_case_is_not_reminded(case, handler, scan):
    with at(dt.date(2025, 6, 3)):
        services.petition_classify(petition=case, user=handler, decision=PetitionStatus.FILED)
    scan(dt.date(2025, 6, 5))
    scan(dt.date(2025, 6, 13))
    assert petition_items() == []


def test_an_unassigned_case_reminds_every_handler_of_its_unit(term, commune_a, cell_a1, handler, handler_b, scan):
    local = HandlerFactory(username="handler_a", unit=commune_a)
    with at(RECEIVED):
        case = PetitionFactory(unit=cell_a1, user=handler, kind="complaint", received_on=RECEIVED)
    scan(dt.date(2025, 6, 5))
    recipients = set(DeliveryItem.objects.filter(petition=case).values_list("delivery__recipient__username", flat=True))
    assert recipients == {handler.username, local.username}  # not B's handler


def test_the_reminder_names_the_case_never_the_sender(case, handler, scan, client_for):
    scan(dt.date(2025, 6, 13))
    [email] = [m for m in mail.outbox if handler.email in m.to]
    html = email.alternatives[0][0]
    # In the recipient's language (Vietnamese): the case by its number and kind.
    assert f"Đơn số {case.pk} (Khiếu nại)" in email.body and f"/petitions/cases/{case.pk}/" in email.body
    for text in (email.subject, email.body, html):
        assert SENDER_NAME not in text and SENDER_PHONE not in text and case.summary not in text
    page = client_for(handler).get("/notifications/")  # in English (client_for)
    assert f"Petition #{case.pk} (Complaint)" in page.content.decode() and SENDER_NAME not in page.content.decode()


def test_a_handler_whose_grant_is_taken_away_is_no_longer_reminded(case, handler, scan):
    from accounts.models import Grant
    from accounts.services import grant_remove

    grant_remove(grant=Grant.objects.get(user=handler))
    scan(dt.date(2025, 6, 5))
    assert petition_items(handler) == []
