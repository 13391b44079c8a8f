"""Reports due: reminded to the unit's secretaries before the due date and on the first
overdue day, through the reminder scan, exactly once; not once submitted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from briefings import services
from briefings.quarters import Quarter
from reminders.models import DeliveryItem, Kind, Reason
from reminders.services import reminders_scan

from .conftest import at

Q2 = Quarter(2025, 2)  # due 25/06/2025 (five days before the quarter's end)


def _reminded(day: dt.date) -> set[tuple[str, str]]:
    items = DeliveryItem.objects.filter(reason=Reason.QUARTERLY_REPORT, delivery__day=day)
    return {(i.delivery.recipient.username, i.unit.code) for i in items}


def test_reports_due_are_reminded_before_and_after_exactly_once(world, settings, secretary_a, secretary_b,
                                                                 secretary_cell, superior, client_for):
    settings.BRIEFINGS_REPORT_DUE_DAYS_BEFORE_END = 5
    assert Q2.due_date == dt.date(2025, 6, 25)
    services.report_submit(report=services.report_open(unit=world.commune_b, quarter=Q2, user=secretary_b),
                           user=secretary_b)
    with at(dt.date(2025, 6, 18), hour=6):  # seven days before
        reminders_scan(kind=Kind.DAILY)
        reminders_scan(kind=Kind.DAILY)  # twice: still once
    before = _reminded(dt.date(2025, 6, 18))
    # Commune A and its cell have not submitted; B has; the province reports to nobody.
    assert before == {("secretary_a", "A"), ("secretary_cell", "A1")}
    assert DeliveryItem.objects.filter(reason=Reason.QUARTERLY_REPORT).count() == 4  # two channels each
    with at(dt.date(2025, 6, 20), hour=6):  # five days before: not a reminder day (7, 3, 1)
        reminders_scan(kind=Kind.DAILY)
    assert _reminded(dt.date(2025, 6, 20)) == set()
    services.report_submit(report=services.report_open(unit=world.cell_a1, quarter=Q2, user=secretary_cell),
                           user=secretary_cell)
    with at(dt.date(2025, 6, 26), hour=6):  # the first overdue day
        reminders_scan(kind=Kind.DAILY)
    assert _reminded(dt.date(2025, 6, 26)) == {("secretary_a", "A")}
    # The notification centre shows the line, linked to the unit's reports.
    with at(dt.date(2025, 6, 26)):
        page = client_for(secretary_a).get(reverse("reminders:notification_list")).content.decode()
    assert "Quarterly report due" in page
    assert reverse("briefings:unit_reports", args=[world.commune_a.pk]) in page
