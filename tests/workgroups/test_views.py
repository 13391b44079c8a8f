"""The working-group pages: who may manage, read and write what, the import, the follow-up
log and its attachments, coverage exports and the JSON."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import api_token_create
from tests.factories import UserFactory
from workgroups import services
from workgroups.models import Assignment, FollowUp

from .conftest import DECIDED

pytestmark = pytest.mark.django_db


def test_only_the_staff_of_the_issuing_unit_manage_a_group(group, member, client_for, viewer, secretary_a, tree):
    url = reverse("workgroups:assignment_add", args=[group.pk])
    for outsider in (viewer, secretary_a):
        assert client_for(outsider).post(url, {"member": member.pk, "units": [tree.commune_a.pk]}).status_code == 404
    assert client_for(secretary_a).get(reverse("workgroups:group_create", args=[tree.province.pk])).status_code == 404
    assert not Assignment.objects.exists()


def test_the_provincial_viewer_reads_the_group_but_sees_no_management_forms(group, client_for, viewer):
    page = client_for(viewer).get(group.get_absolute_url())
    assert page.status_code == 200 and not page.context["can_manage"]


def test_the_picker_returns_only_units_in_the_users_scope(tree, client_for, secretary_a):
    found = client_for(secretary_a).get(reverse("workgroups:unit_picker"), {"q": "xa"}).json()["results"]
    assert [u["code"] for u in found] == ["A"]  # "Đảng bộ xã An Phú", not commune B


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("phan-cong.csv", text.encode("utf-8"))


def test_the_import_assigns_units_by_member_name_and_code(member, group, client_for, province_secretary, tree):
    response = client_for(province_secretary).post(
        reverse("workgroups:assignment_import", args=[group.pk]),
        {"file": _csv("member,unit_code\nBùi Văn Cường,A\nwg_member,B\n")})
    assert response.status_code == 302
    assert sorted(Assignment.objects.active().values_list("unit__code", flat=True)) == ["A", "B"]


def test_the_import_reads_xlsx(member, group, province_secretary, tree):
    book = openpyxl.Workbook()
    book.active.append(["member", "unit_code"])
    book.active.append(["Bùi Văn Cường", "A1"])
    out = io.BytesIO()
    book.save(out)
    report = services.assignments_import(group=group, upload=SimpleUploadedFile("a.xlsx", out.getvalue()),
                                         user=province_secretary)
    assert [a.unit.code for a in report.created] == ["A1"]


def test_a_bad_line_names_its_number_and_nothing_is_written(member, group, client_for, province_secretary):
    response = client_for(province_secretary).post(
        reverse("workgroups:assignment_import", args=[group.pk]),
        {"file": _csv("member,unit_code\nBùi Văn Cường,A\nNobody,B\nBùi Văn Cường,NOPE\n")})
    assert response.status_code == 400
    errors = response.context["errors"]
    assert any(e.startswith("Line 3:") and "Nobody" in e for e in errors)
    assert any(e.startswith("Line 4:") and "NOPE" in e for e in errors)
    assert not Assignment.objects.exists()


def test_the_member_writes_the_log_and_the_units_secretary_reads_it(
    assignment, client_for, member_user, secretary_a, secretary_b, tree,
):
    url = reverse("workgroups:follow_up_log", args=[tree.commune_a.pk])
    response = client_for(member_user).post(url, {
        "kind": "visit", "happened_on": "10/03/2025", "text": "Làm việc với Ban Thường vụ Đảng ủy xã",
        "files": [SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes")],
    })
    assert response.status_code == 302
    entry = FollowUp.objects.get()
    attachment = entry.attachments.get()

    page = client_for(secretary_a).get(url)
    assert "Làm việc với Ban Thường vụ" in page.content.decode() and page.context["form"] is None
    download = client_for(secretary_a).get(reverse("workgroups:follow_up_attachment", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 minutes"

    assert client_for(secretary_b).get(url).status_code == 404
    assert client_for(secretary_b).get(
        reverse("workgroups:follow_up_attachment", args=[attachment.pk])).status_code == 404
    # The secretary reads but does not write the log.
    assert client_for(secretary_a).post(url, {"kind": "visit", "happened_on": "10/03/2025", "text": "x"}).status_code == 404


def test_my_units_shows_the_latest_entry(assignment, member, member_user, client_for, congress_a, tree):
    services.follow_up_add(member=member, unit=tree.commune_a, kind="guidance", happened_on=DECIDED,
                           text="Hướng dẫn văn kiện", user=member_user)
    page = client_for(member_user).get(reverse("workgroups:my_units"))
    [row] = page.context["rows"]
    assert row.unit == tree.commune_a and row.congress == congress_a and row.latest.text == "Hướng dẫn văn kiện"
    assert client_for(UserFactory(role=None)).get(reverse("workgroups:my_units")).status_code == 404


def test_coverage_xlsx_and_json(assignment, client_for, province_secretary, tree):
    office = client_for(province_secretary)
    data = office.get(reverse("workgroups:coverage_json", args=[tree.province.pk])).json()
    assert (data["followed"], data["total"]) == (1, 2)
    assert [u["code"] for u in data["units"]] == ["B", "A"]  # uncovered first
    workbook = office.get(reverse("workgroups:coverage_xlsx", args=[tree.province.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["B", "A"]


def test_the_json_answers_a_token_within_its_owners_scope(assignment, group, viewer, secretary_b, client):
    _token, key = api_token_create(user=viewer, name="script")
    data = client.get(reverse("workgroups:group_json", args=[group.pk]), headers={"authorization": f"Bearer {key}"}).json()
    assert data["decision"] == {"number": "1668-QĐ/TU", "date": "2025-03-01"}
    assert [m["units"][0]["code"] for m in data["members"]] == ["A"]
    _token, key_b = api_token_create(user=secretary_b, name="script")
    assert client.get(reverse("workgroups:group_json", args=[group.pk]),
                      headers={"authorization": f"Bearer {key_b}"}).status_code == 404


def test_dissolving_through_the_page_ends_the_members_access(assignment, group, client_for, province_secretary,
                                                             member_user, tree):
    response = client_for(province_secretary).post(reverse("workgroups:group_dissolve", args=[group.pk]),
                                                   {"decision_number": "2001-QĐ/TU", "dissolved_on": "30/09/2025"})
    assert response.status_code == 302
    assert client_for(member_user).get(reverse("dashboards:unit_dashboard", args=[tree.commune_a.pk])).status_code == 404


def test_the_pages_speak_vietnamese_first(assignment, group, client_for, province_secretary, member_user, tree):
    page = client_for(province_secretary, language="vi").get(group.get_absolute_url()).content.decode()
    assert "Quyết định số 1668-QĐ/TU ngày 01/03/2025" in page and "Phân công đơn vị cho thành viên" in page
    coverage = client_for(province_secretary, language="vi").get(
        reverse("workgroups:coverage", args=[tree.province.pk])).content.decode()
    assert "1/2 đơn vị có người theo dõi" in coverage
    assert "Đơn vị tôi theo dõi" in client_for(member_user, language="vi").get(reverse("workgroups:my_units")).content.decode()


def test_a_member_finds_links_only_to_the_units_they_follow(group, member, assignment, commune_a, commune_b,
                                                            member_user, province_secretary, client_for):
    """The group follows two communes; the member is assigned one: the other is named,
    not linked (its dashboard would answer 404 to them)."""
    from django.urls import reverse

    from workgroups import services as group_services

    group_services.group_unit_add(group=group, unit=commune_b, user=province_secretary)
    page = client_for(member_user).get(group.get_absolute_url()).content.decode()
    units = page[page.index('id="units"'):page.index('id="sub-teams"')]
    assert reverse("dashboards:unit_dashboard", args=[commune_a.pk]) in units
    assert commune_b.name in units and reverse("dashboards:unit_dashboard", args=[commune_b.pk]) not in units
    assert reverse("workgroups:coverage", args=[group.unit_id]) not in page  # the province's page: 404 to them
    staff = client_for(province_secretary).get(group.get_absolute_url()).content.decode()
    assert reverse("dashboards:unit_dashboard", args=[commune_b.pk]) in staff
    assert reverse("workgroups:coverage", args=[group.unit_id]) in staff
