"""Acceptance (issue 16): seed 004's conclusion entered through the pages.

Seed 004 (Nghệ An, 7/7/2015): the deputy secretary concludes the briefing of quarter II
with tasks for quarter III for the party boards, the office and "the subcommittees serving
the 18th provincial congress". Here it is the same briefing in 2025 (the tests' term):
eight task rows posted as the conclusion form sends them (two more than the empty rows
the page offers, as its "add a row" button does), due "next quarter" = 30/09/2025.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conclusions.models import ConcernKind, Conclusion, Task, TaskStatus

pytestmark = pytest.mark.django_db

TEXT = ("Yêu cầu trong quý 3, các Ban Đảng và Văn phòng Tỉnh ủy cần tập trung chỉ đạo Đại hội Đảng cấp trên cơ sở; "
        "các tiểu ban phục vụ Đại hội Đảng bộ tỉnh lần thứ XVIII cần đẩy nhanh tiến độ chuẩn bị cho Đại hội; tổng "
        "hợp các ý kiến của nhân dân góp ý vào Văn kiện Đại hội Đảng bộ tỉnh lần thứ XVIII và Đại hội XII của Đảng; "
        "quan tâm chỉ đạo tổ chức tốt các ngày lễ lớn trong quý. Thực hiện tốt việc xử lý đơn thư, khiếu nại tố "
        "cáo của công dân.")


def _post_data(province, bodies, subcommittees, rows):
    data = {
        "kind": "briefing", "held_on": "07/07/2025", "year": "2025", "quarter": "2",
        "chair_name": "đồng chí Lê Quang Huy, Phó Bí thư Tỉnh ủy", "chair_username": "chair", "text": TEXT,
        "tasks-TOTAL_FORMS": str(len(rows)), "tasks-INITIAL_FORMS": "0", "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"tasks-{i}-{key}"] = value
    return data


def _rows(province, bodies, subcommittees):
    nq = {"next_quarter": "on"}
    return [
        {"responsible": f"body:{bodies.organisation.pk}", "what": "Tập trung chỉ đạo Đại hội Đảng cấp trên cơ sở", **nq},
        {"responsible": f"subcommittee:{subcommittees.documents.pk}",
         "what": "Đẩy nhanh tiến độ chuẩn bị văn kiện Đại hội Đảng bộ tỉnh lần thứ XVIII", **nq,
         "concerns": ConcernKind.CONGRESS, "concerns_unit": str(province.pk)},
        {"responsible": f"subcommittee:{subcommittees.organisation.pk}",
         "what": "Đẩy nhanh tiến độ chuẩn bị tổ chức, phục vụ Đại hội", **nq,
         "concerns": ConcernKind.CONGRESS, "concerns_unit": str(province.pk)},
        {"responsible": f"body:{bodies.office.pk}",
         "what": "Tổng hợp các ý kiến của nhân dân góp ý vào Văn kiện Đại hội", "due_date": "2025-08-31"},
        {"responsible": f"body:{bodies.propaganda.pk}", "what": "Chỉ đạo tổ chức tốt các ngày lễ lớn trong quý", **nq},
        {"responsible": f"body:{bodies.mass_mobilisation.pk}", "what": "Nắm bắt tư tưởng trong nhân dân", **nq},
        {"responsible": f"body:{bodies.inspection.pk}", "what": "Xử lý đơn thư, khiếu nại tố cáo của công dân", **nq,
         "concerns": ConcernKind.PETITIONS, "concerns_unit": str(province.pk)},
        {"responsible": f"body:{bodies.internal_affairs.pk}",
         "what": "Giải quyết kịp thời các vấn đề bức xúc nổi cộm trong nhân dân", **nq},
    ]


def test_seed_004_conclusion_is_entered_through_the_pages(client_for, province, bodies, subcommittees, office, chair):
    client = client_for(office)
    url = reverse("conclusions:conclusion_create", args=[province.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Without JavaScript the page offers empty rows; the "add a row" template is there too.
    assert page.content.count(b'class="task-row card"') == 6 + 1
    assert "Ban Tổ chức Tỉnh ủy" in page.content.decode() and "Documents" in page.content.decode()

    rows = _rows(province, bodies, subcommittees)
    data = _post_data(province, bodies, subcommittees, rows + [{"what": "", "responsible": ""}])  # one left empty
    response = client.post(url, data)

    conclusion = Conclusion.objects.get()
    assert response.status_code == 302 and response["Location"] == conclusion.get_absolute_url()
    assert (conclusion.unit, conclusion.year, conclusion.quarter, conclusion.chair) == (province, 2025, 2, chair)
    tasks = list(conclusion.tasks.order_by("order"))
    assert [t.what for t in tasks] == [r["what"] for r in rows]
    assert [t.responsible for t in tasks] == [
        bodies.organisation, subcommittees.documents, subcommittees.organisation, bodies.office, bodies.propaganda,
        bodies.mass_mobilisation, bodies.inspection, bodies.internal_affairs]
    assert {t.due_date for t in tasks if t.body != bodies.office} == {dt.date(2025, 9, 30)}
    assert tasks[3].due_date == dt.date(2025, 8, 31)
    assert tasks[1].concerns_congress == subcommittees.documents.congress
    assert (tasks[6].concerns, tasks[6].concerns_unit) == (ConcernKind.PETITIONS, province)
    assert all(t.status == TaskStatus.OPEN for t in tasks)

    detail = client.get(conclusion.get_absolute_url()).content.decode()
    assert "0 done, 8 open" in detail and "Subcommittee: Documents" in detail


def test_a_bad_row_comes_back_with_its_error_and_nothing_is_lost(client_for, province, bodies, subcommittees,
                                                                  office, chair):
    rows = _rows(province, bodies, subcommittees)[:2]
    rows[1] = {**rows[1], "next_quarter": "", "due_date": ""}  # neither a date nor "next quarter"
    response = client_for(office).post(reverse("conclusions:conclusion_create", args=[province.pk]),
                                       _post_data(province, bodies, subcommittees, rows))

    assert response.status_code == 400 and not Conclusion.objects.exists() and not Task.objects.exists()
    body = response.content.decode()
    assert "Give a due date, or tick “next quarter”." in body
    assert "Tập trung chỉ đạo Đại hội Đảng cấp trên cơ sở" in body and TEXT[:40] in body


def test_a_task_cannot_go_to_another_units_body(client_for, province, commune_a, bodies, chair, secretary_a):
    """The secretary of commune A records A's conclusion: the province's board is not A's."""
    data = _post_data(commune_a, bodies, None, [{"responsible": f"body:{bodies.organisation.pk}", "what": "x",
                                                "due_date": "2025-09-30"}])
    response = client_for(secretary_a).post(reverse("conclusions:conclusion_create", args=[commune_a.pk]), data)

    assert response.status_code == 400 and not Conclusion.objects.exists()
    assert "Select a valid choice." in response.content.decode()  # not among A's choices


def test_a_viewer_cannot_record_a_conclusion(client_for, province, viewer, bodies):
    url = reverse("conclusions:conclusion_create", args=[province.pk])
    assert client_for(viewer).get(url).status_code == 404
    assert client_for(viewer).post(url, {"text": "x"}).status_code == 404
