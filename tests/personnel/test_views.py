"""The pages: opening a plan, adding nominees with the live checks, acknowledging, the
workflow buttons; and the dashboard's counts for a provincial viewer (counts, no names)."""

import pytest
from django.urls import reverse

from personnel.models import PersonnelPlan, PlanStatus
from tests.personnel.conftest import fifteen

NOMINEE = {"full_name": "Y Điểu ZQXVIEW", "date_of_birth": "02/03/1990", "gender": "female", "ethnicity": "Ê Đê",
           "education": "Đại học", "political_theory": "Trung cấp", "current_position": "Bí thư Đoàn xã",
           "bodies": ["executive"]}


def test_secretary_opens_a_plan_and_the_checks_run_while_editing(congress_a, secretary_a, client_for):
    client = client_for(secretary_a)
    response = client.post(reverse("personnel:plan_open", args=[congress_a.pk]), {
        "executive_seats": "1", "standing_seats": "0", "deputy_seats": "0", "inspection_seats": "0",
        "delegation_seats": "0", "planning_reviewed": "30", "planning_added": "23"})
    plan = PersonnelPlan.objects.get(congress=congress_a)
    assert response.status_code == 302 and plan.planning_added == 23
    url = reverse("personnel:nominee_add", args=[plan.pk])
    # "Check without saving": the figures with the typed nominee, nothing saved
    page = client.post(url, {**NOMINEE, "preview": "1"}).content.decode()
    assert "Women 1/1 = 100% ≥ 15% ✓" in page and "Under 40 1/1 = 100% ≥ 10% ✓" in page
    assert not plan.nominees.exists()
    assert client.post(url, NOMINEE).status_code == 302
    page = client.get(reverse("personnel:plan_detail", args=[plan.pk])).content.decode()
    assert "Y Điểu ZQXVIEW" in page and "Secretary: 0 nominees for 1 seats (1–1) ✗" in page


def test_provincial_viewer_sees_only_counts_on_the_dashboard(plan_a, secretary_a, viewer, client_for, tree):
    fifteen(plan_a, user=secretary_a)
    client_for(secretary_a).post(reverse("personnel:plan_submit", args=[plan_a.pk]))
    assert PersonnelPlan.objects.get(pk=plan_a.pk).status == PlanStatus.SUBMITTED
    client = client_for(viewer)
    page = client.get(reverse("dashboards:unit_dashboard", args=[tree.province.pk])).content.decode()
    assert 'id="personnel-counts"' in page
    assert 'id="personnel-upper"' in page and "1/1" in page
    assert "ZQX" not in page
    assert client.get(reverse("personnel:plan_detail", args=[plan_a.pk])).status_code == 404
    assert "ZQX" not in client.get(reverse("personnel:plan_list")).content.decode()
    briefing = client.get(reverse("dashboards:unit_briefing", args=[tree.province.pk])).content.decode()
    assert 'id="personnel-counts"' in briefing and "ZQX" not in briefing


@pytest.mark.parametrize("action", ["plan_submit", "plan_approve", "plan_return", "plan_revise", "check_acknowledge"])
def test_workflow_actions_refuse_get(plan_a, admin_user, client_for, action):
    assert client_for(admin_user).get(reverse(f"personnel:{action}", args=[plan_a.pk])).status_code == 405


def test_the_secretary_cannot_approve_their_own_plan(plan_a, secretary_a, client_for):
    fifteen(plan_a, user=secretary_a)
    client = client_for(secretary_a)
    client.post(reverse("personnel:plan_submit", args=[plan_a.pk]))
    assert client.post(reverse("personnel:plan_approve", args=[plan_a.pk])).status_code == 404
    assert PersonnelPlan.objects.get(pk=plan_a.pk).status == PlanStatus.SUBMITTED


def test_plan_list_filters_by_status_and_searches_units_not_names(plan_a, plan_b, admin_user, client_for):
    client = client_for(admin_user)
    url = reverse("personnel:plan_list")
    assert client.get(url).content.decode().count('class="plan"') == 2
    page = client.get(url, {"status": "draft", "q": "Bình Minh"}).content.decode()
    assert page.count('class="plan"') == 1 and "Đảng bộ xã Bình Minh" in page


def test_counts_export_has_counts_and_no_names(plan_a, secretary_a, viewer, client_for, tree):
    fifteen(plan_a, user=secretary_a)
    response = client_for(viewer).get(reverse("personnel:unit_counts_csv", args=[tree.province.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "ZQX" not in body
    # one upper-grassroots plan below the province: a draft, composition met, no results
    assert [line.split(",")[1:] for line in body.splitlines()[1:]] == [["1", "0", "0", "0", "1", "0"]]
