"""A recorded conclusion can be corrected (a wrong date, quarter, chair or word) and given
the tasks it forgot, by those who keep the unit's conclusions; the tasks already given
keep their dates, and the history names who corrected what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conclusions.models import Task

from .test_seed_004 import _post_data

pytestmark = pytest.mark.django_db


def _correction(province, bodies, rows, **meeting):
    data = _post_data(province, bodies, None, rows)
    data.update({"held_on": "08/07/2025", "text": "Kết luận giao ban quý II (đã sửa).", **meeting})
    return data


def test_the_office_corrects_the_meeting_and_adds_a_task(client_for, province, bodies, office, chair, conclusion,
                                                         english):
    client = client_for(office)
    url = reverse("conclusions:conclusion_correct", args=[conclusion.pk])
    before = {t.pk: (t.order, t.due_date) for t in conclusion.tasks.all()}
    page = client.get(url).content.decode()
    assert "Kết luận giao ban quý II." in page and "Tham mưu đề án nhân sự" in page  # the record, the tasks given
    assert 'id="conclusion-correct"' in client.get(conclusion.get_absolute_url()).content.decode()

    response = client.post(url, _correction(province, bodies, [
        {"responsible": f"body:{bodies.inspection.pk}", "what": "Giải quyết đơn thư trước đại hội", "next_quarter": "on"},
        {"responsible": "", "what": ""},  # an empty row is ignored
    ]))

    assert response.status_code == 302 and response["Location"] == conclusion.get_absolute_url()
    conclusion.refresh_from_db()
    assert (conclusion.held_on, conclusion.text) == (dt.date(2025, 7, 8), "Kết luận giao ban quý II (đã sửa).")
    assert {t.pk: (t.order, t.due_date) for t in conclusion.tasks.filter(pk__in=before)} == before
    added = conclusion.tasks.exclude(pk__in=before).get()
    assert (added.order, added.body, added.due_date) == (4, bodies.inspection, dt.date(2025, 9, 30))
    record = conclusion.history.order_by("-history_id").first()
    assert record.history_user == office and record.prev_record.text == "Kết luận giao ban quý II."


def test_a_bad_correction_comes_back_with_its_errors_and_changes_nothing(client_for, province, bodies, office,
                                                                          conclusion, english):
    url = reverse("conclusions:conclusion_correct", args=[conclusion.pk])
    response = client_for(office).post(url, _correction(province, bodies, [
        {"responsible": f"body:{bodies.inspection.pk}", "what": "Thiếu hạn"}], quarter=""))  # no date; no quarter
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give a due date, or tick “next quarter”." in body or "names its year and quarter" in body
    assert "Kết luận giao ban quý II (đã sửa)." in body  # what was typed is kept
    conclusion.refresh_from_db()
    assert conclusion.text == "Kết luận giao ban quý II." and conclusion.tasks.count() == 3


def test_only_the_keepers_of_the_units_conclusions_correct_them(client_for, province, bodies, conclusion, viewer,
                                                                organisation_member, secretary_a):
    url = reverse("conclusions:conclusion_correct", args=[conclusion.pk])
    for user in (viewer, organisation_member, secretary_a):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, _correction(province, bodies, [])).status_code == 404
        assert 'id="conclusion-correct"' not in client.get(conclusion.get_absolute_url()).content.decode()
    assert Task.objects.count() == 3


def test_a_conclusion_form_claiming_a_hundred_thousand_rows_builds_at_most_sixty(client_for, province, office, bodies,
                                                                                  chair):
    data = {"kind": "other", "held_on": "08/07/2025", "chair_name": "x", "text": "x",
            "tasks-TOTAL_FORMS": "100000", "tasks-INITIAL_FORMS": "0"}
    response = client_for(office).post(reverse("conclusions:conclusion_create", args=[province.pk]), data)
    assert response.status_code == 400
    assert response.content.count(b'class="task-row card"') <= 60 + 1  # the rows, and the row template
