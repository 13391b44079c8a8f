"""Frozen-time (issue 16): an overdue task is reminded to its board's members on its first
overdue day and escalated to the meeting's chair once, through the reminder scan;
carrying a task over moves its reminders and keeps its history."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from conclusions import services
from conclusions.models import MeetingKind, TaskDueChange
from reminders import services as reminder_services
from reminders.models import Channel, DeliveryItem, Kind, Reason

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = dt.date(2025, 8, 31)  # the propaganda board's task of the `conclusion` fixture


def _scan(day: dt.date, capture):
    with time_machine.travel(dt.datetime.combine(day, dt.time(6, 30), tzinfo=HCM), tick=False):
        with capture(execute=True):
            return reminder_services.reminders_scan(kind=Kind.DAILY, day=day)


def _lines(user, reason=None):
    qs = DeliveryItem.objects.filter(delivery__recipient=user, task__isnull=False)
    if reason:
        qs = qs.filter(reason=reason)
    return sorted(qs.values_list("delivery__day", "delivery__channel", "reason", "task_id"))


@pytest.fixture
def setup(term, conclusion, bodies, organisation_member, propaganda_member, chair, office):
    return conclusion.tasks.get(body=bodies.propaganda)


def test_an_overdue_task_is_reminded_to_its_boards_members_and_escalated_to_the_chair_once(
        setup, organisation_member, propaganda_member, chair, office, django_capture_on_commit_callbacks, mailoutbox):
    task = setup
    capture = django_capture_on_commit_callbacks
    for offset in range(-1, 6):  # the day before the due date to five days after, the daily scan each day
        _scan(DUE + dt.timedelta(days=offset), capture)
    _scan(DUE + dt.timedelta(days=3), capture)  # a second scan on the escalation day writes nothing

    first_overdue = DUE + dt.timedelta(days=1)
    assert _lines(propaganda_member) == [(first_overdue, Channel.EMAIL, Reason.TASK_OVERDUE, task.pk),
                                         (first_overdue, Channel.INAPP, Reason.TASK_OVERDUE, task.pk)]
    escalation_day = DUE + dt.timedelta(days=3)  # the policy's default: 3 days overdue
    assert _lines(chair) == [(escalation_day, Channel.EMAIL, Reason.TASK_ESCALATION, task.pk),
                             (escalation_day, Channel.INAPP, Reason.TASK_ESCALATION, task.pk)]
    # Another board's member, and the office, are not told about the propaganda board's task.
    assert _lines(organisation_member) == [] and _lines(office) == []
    emails = [m for m in mailoutbox if chair.email in m.to]
    assert len(emails) == 1 and "Tuyên truyền đại hội" in emails[0].body
    assert task.get_absolute_url() in emails[0].body


def test_a_closed_task_is_not_reminded(setup, propaganda_member, chair, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2025, 8, 30, 9, 0, tzinfo=HCM), tick=False):
        services.task_close(task=setup, text="Đã tuyên truyền", user=propaganda_member)
    for offset in (1, 3):
        _scan(DUE + dt.timedelta(days=offset), django_capture_on_commit_callbacks)

    assert _lines(propaganda_member) == [] and _lines(chair) == []


def test_carrying_over_moves_the_reminders_and_keeps_the_history(
        setup, client_for, office, propaganda_member, chair, django_capture_on_commit_callbacks):
    task = setup
    with time_machine.travel(dt.datetime(2025, 8, 29, 9, 0, tzinfo=HCM), tick=False):
        response = client_for(office).post(reverse("conclusions:task_carry_over", args=[task.pk]),
                                           {"reason": "Chờ Trung ương ban hành hướng dẫn"})
    assert response.status_code == 302
    task.refresh_from_db()
    # Due in quarter III: carried over to the end of quarter IV.
    assert task.due_date == dt.date(2025, 12, 31) and task.carried_over == 1
    for offset in (1, 3):
        _scan(DUE + dt.timedelta(days=offset), django_capture_on_commit_callbacks)
    assert _lines(propaganda_member) == [] and _lines(chair) == []  # the old date no longer matches

    _scan(dt.date(2026, 1, 1), django_capture_on_commit_callbacks)
    assert [line[2] for line in _lines(propaganda_member)] == [Reason.TASK_OVERDUE] * 2

    # Carried over again: the history keeps both moves, with their reasons, on the task's page.
    with time_machine.travel(dt.datetime(2026, 1, 2, 9, 0, tzinfo=HCM), tick=False):
        services.task_carry_over(task=task, reason="Đại hội lùi lịch", user=office)
    task.refresh_from_db()
    assert task.due_date == dt.date(2026, 3, 31)
    changes = list(TaskDueChange.objects.filter(task=task).order_by("pk").values_list("from_date", "to_date", "reason"))
    assert changes == [(DUE, dt.date(2025, 12, 31), "Chờ Trung ương ban hành hướng dẫn"),
                       (dt.date(2025, 12, 31), dt.date(2026, 3, 31), "Đại hội lùi lịch")]
    page = client_for(propaganda_member).get(task.get_absolute_url()).content.decode()
    assert "Carried over from 31/08/2025 to 31/12/2025" in page and "Đại hội lùi lịch" in page
    assert task.history.count() == 3  # created, carried over twice


def test_only_the_standing_committee_carries_over(setup, client_for, propaganda_member):
    url = reverse("conclusions:task_carry_over", args=[setup.pk])
    assert client_for(propaganda_member).post(url, {"reason": "x"}).status_code == 404


def test_a_subcommittees_task_is_reminded_to_the_units_secretaries(
        term, province, subcommittees, office, chair, django_capture_on_commit_callbacks):
    conclusion = services.conclusion_record(
        unit=province, kind=MeetingKind.OTHER, held_on=dt.date(2025, 7, 7), chair=chair, text="Kết luận",
        user=office, tasks=[services.TaskSpec(what="Hoàn thiện văn kiện", subcommittee=subcommittees.documents,
                                              due_date=DUE)])
    _scan(DUE + dt.timedelta(days=1), django_capture_on_commit_callbacks)

    task = conclusion.tasks.get()
    assert [line[2:] for line in _lines(office)] == [(Reason.TASK_OVERDUE, task.pk)] * 2


def test_a_member_in_charge_of_a_unit_gets_its_escalations(term, tree, congress_a, django_capture_on_commit_callbacks):
    """The in_charge role escalates like a working-group follower (accounts.access POWERS):
    a milestone of commune A overdue for 3 days reaches the standing committee member in
    charge of A, not the one in charge of B."""
    from accounts.models import GrantRole
    from accounts.services import grant_add
    from congresses.models import Milestone
    from tests.factories import UserFactory

    in_charge_a = UserFactory(username="btv_a", email="btv_a@example.vn", role=None)
    in_charge_b = UserFactory(username="btv_b", email="btv_b@example.vn", role=None)
    grant_add(user=in_charge_a, role=GrantRole.IN_CHARGE, unit=tree.commune_a)
    grant_add(user=in_charge_b, role=GrantRole.IN_CHARGE, unit=tree.commune_b)
    Milestone.objects.update(due_date=None)
    late = congress_a.milestones.order_by("step__order").first()
    Milestone.objects.filter(pk=late.pk).update(due_date=dt.date(2025, 6, 20))

    _scan(dt.date(2025, 6, 23), django_capture_on_commit_callbacks)

    items = DeliveryItem.objects.filter(delivery__recipient=in_charge_a)
    assert sorted(items.values_list("reason", "milestone_id")) == [(Reason.ESCALATION, late.pk)] * 2
    assert not DeliveryItem.objects.filter(delivery__recipient=in_charge_b).exists()
