"""Who sees and answers which task (issue 16): a board's member sees its own tasks and not
another board's unless the conclusion's unit is in their scope (404 otherwise); the
secretaries of a responsible unit answer its tasks; membership is a grant of
accounts.access kept by the conclusions services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.access import scope_for
from accounts.admin import GrantForm
from accounts.models import Grant, GrantRole
from accounts.services import grant_add
from conclusions import services
from conclusions.models import MeetingKind, Task, TaskStatus
from tests.factories import UserFactory

from .conftest import pdf

pytestmark = pytest.mark.django_db


def _task(conclusion, body) -> Task:
    return conclusion.tasks.get(body=body)


def test_a_board_member_sees_their_boards_task_and_not_another_boards(
        client_for, conclusion, bodies, organisation_member):
    client = client_for(organisation_member)
    own, other = _task(conclusion, bodies.organisation), _task(conclusion, bodies.propaganda)

    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.post(reverse("conclusions:task_close", args=[other.pk]), {"text": "x"}).status_code == 404
    # Nor the conclusion (it lists every board's tasks), nor the unit's pages.
    assert client.get(conclusion.get_absolute_url()).status_code == 404
    assert client.get(reverse("conclusions:body_list", args=[conclusion.unit_id])).status_code == 404
    my_tasks = client.get(reverse("conclusions:my_tasks")).content.decode()
    assert "Tham mưu đề án nhân sự" in my_tasks and "Tuyên truyền đại hội" not in my_tasks


def test_a_board_member_who_reads_the_unit_sees_every_boards_tasks(
        client_for, conclusion, bodies, organisation_member, province):
    grant_add(user=organisation_member, role=GrantRole.VIEWER, unit=province)
    client = client_for(organisation_member)
    other = _task(conclusion, bodies.propaganda)

    assert client.get(other.get_absolute_url()).status_code == 200
    assert client.get(conclusion.get_absolute_url()).status_code == 200
    # Reading is not answering: the other board's task has no report or close form for them.
    assert b'id="close-form"' not in client.get(other.get_absolute_url()).content
    assert client.post(reverse("conclusions:task_close", args=[other.pk]), {"text": "x"}).status_code == 404


def test_a_member_closes_their_task_with_evidence(client_for, conclusion, bodies, organisation_member, english):
    task = _task(conclusion, bodies.organisation)
    client = client_for(organisation_member)

    response = client.post(reverse("conclusions:task_close", args=[task.pk]),
                           {"text": "Đã trình đề án nhân sự", "done_on": "2025-08-01", "evidence": pdf()})

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.done_on, task.done_by) == (TaskStatus.DONE, dt.date(2025, 8, 1), organisation_member)
    evidence = client.get(reverse("conclusions:task_evidence", args=[task.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF")
    assert "attachment" in evidence["Content-Disposition"]


def test_evidence_is_checked_by_its_content(client_for, conclusion, bodies, organisation_member):
    task = _task(conclusion, bodies.organisation)
    html = SimpleUploadedFile("bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    response = client_for(organisation_member).post(task.get_absolute_url(), {"text": "tiến độ", "evidence": html})

    assert response.status_code == 200 and not task.reports.exists()
    assert "is not a document this portal accepts" in response.content.decode()


def test_reports_are_a_log_served_through_the_scope(client_for, conclusion, bodies, organisation_member,
                                                     propaganda_member):
    task = _task(conclusion, bodies.organisation)
    client = client_for(organisation_member)
    client.post(task.get_absolute_url(), {"text": "Đang hoàn thiện dự thảo", "evidence": pdf()})
    client.post(task.get_absolute_url(), {"text": "Đã gửi xin ý kiến"})

    reports = list(task.reports.order_by("pk"))
    assert [r.text for r in reports] == ["Đang hoàn thiện dự thảo", "Đã gửi xin ý kiến"]
    url = reverse("conclusions:report_evidence", args=[reports[0].pk])
    assert client.get(url).status_code == 200
    assert client_for(propaganda_member).get(url).status_code == 404


def test_the_secretary_of_a_responsible_unit_answers_its_task(client_for, province, commune_a, secretary_a,
                                                               secretary_b, office, chair):
    conclusion = services.conclusion_record(
        unit=province, kind=MeetingKind.STANDING_COMMITTEE, held_on=dt.date(2025, 7, 7), chair=chair,
        text="Kết luận", user=office, tasks=[services.TaskSpec(what="Rà soát công tác chuẩn bị đại hội",
                                                                unit=commune_a, due_date=dt.date(2025, 9, 30))])
    task = conclusion.tasks.get()

    page = client_for(secretary_a).get(reverse("conclusions:my_tasks")).content.decode()
    assert "Rà soát công tác chuẩn bị đại hội" in page
    assert client_for(secretary_a).post(task.get_absolute_url(), {"text": "Đang rà soát"}).status_code == 302
    assert client_for(secretary_b).get(task.get_absolute_url()).status_code == 404


def test_membership_is_a_grant_kept_by_the_services(bodies, office, organisation_member):
    grant = Grant.objects.get(user=organisation_member)
    assert (grant.role, grant.unit) == (GrantRole.BODY_MEMBER, bodies.organisation.unit)
    scope = scope_for(organisation_member)
    assert scope.body_ids == (bodies.organisation.pk,) and not scope.roots and not scope.is_empty

    # A second board of the same unit: the same grant, one more body in the scope.
    second = services.body_member_add(body=bodies.inspection, person=organisation_member, user=office)
    organisation_member.refresh_from_db()
    assert Grant.objects.filter(user=organisation_member).count() == 1
    assert set(scope_for(organisation_member).body_ids) == {bodies.organisation.pk, bodies.inspection.pk}

    services.body_member_remove(member=second, user=office)
    services.body_member_remove(member=organisation_member.body_memberships.get(), user=office)
    organisation_member.refresh_from_db()
    assert not Grant.objects.filter(user=organisation_member).exists()
    assert scope_for(organisation_member).is_empty


def test_a_member_is_added_once(bodies, office, organisation_member):
    with pytest.raises(ValidationError):
        services.body_member_add(body=bodies.organisation, person=organisation_member, user=office)


def test_a_board_members_home_is_their_tasks(client_for, organisation_member):
    response = client_for(organisation_member).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("conclusions:my_tasks")


def test_bodies_are_kept_by_the_units_secretaries(client_for, province, bodies, office, viewer, organisation_member):
    list_url = reverse("conclusions:body_list", args=[province.pk])
    assert client_for(viewer).get(list_url).status_code == 200
    assert client_for(viewer).post(list_url, {"kind": "other", "name": "Ban X"}).status_code == 404
    response = client_for(office).post(list_url, {"kind": "other", "name": "Trường Chính trị tỉnh"})
    assert response.status_code == 302

    body_url = bodies.organisation.get_absolute_url()
    new = UserFactory(username="newcomer", role=None)
    assert client_for(viewer).post(body_url, {"action": "member", "username": "newcomer"}).status_code == 404
    assert client_for(office).post(body_url, {"action": "member", "username": "newcomer"}).status_code == 302
    assert scope_for(new).body_ids == (bodies.organisation.pk,)
    # The body member opens their body's page (its tasks) but cannot change it.
    assert client_for(organisation_member).get(body_url).status_code == 200
    assert client_for(organisation_member).post(body_url, {"action": "save", "kind": "office",
                                                           "name": "x"}).status_code == 404
    response = client_for(office).post(body_url, {"action": "save", "kind": "organisation",
                                                  "name": "Ban Tổ chức Tỉnh ủy Nghệ An", "is_active": "on"})
    bodies.organisation.refresh_from_db()
    assert response.status_code == 302 and bodies.organisation.name == "Ban Tổ chức Tỉnh ủy Nghệ An"


def test_the_user_admin_offers_in_charge_but_not_board_member():
    choices = [value for value, _label in GrantForm().fields["role"].choices]
    assert GrantRole.IN_CHARGE in choices and GrantRole.BODY_MEMBER not in choices
    form = GrantForm(data={"role": GrantRole.BODY_MEMBER, "unit": ""})
    assert not form.is_valid()


def test_units_in_charge_appear_on_my_units(client_for, tree, term, congress_a):
    member = UserFactory(username="btv", full_name="Ủy viên Ban Thường vụ", role=None)
    grant_add(user=member, role=GrantRole.IN_CHARGE, unit=tree.commune_a)
    scope = scope_for(member)
    assert scope.in_charge_unit_ids == (tree.commune_a.pk,) and scope.can_read(tree.cell_a1)
    assert not scope.can_edit(tree.commune_a) and not scope.can_read(tree.commune_b)

    client = client_for(member)
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("workgroups:my_units")
    page = client.get(reverse("workgroups:my_units")).content.decode()
    assert "Units in my charge" in page and tree.commune_a.name in page and "In charge" in page
    assert tree.commune_b.name not in page
