"""Results after the congress (seed 003: the line-ups elected matched the nominated ones,
in one round; seed 001: 9 elected to the executive committee, the secretary elected
directly): entered on the approved plan, compared with it, and the composition elected
against the targets."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from congresses.services import congress_update
from personnel import checks, services
from personnel.models import PlanCount
from tests.factories import NomineeFactory, PersonnelPlanFactory


@pytest.fixture
def approved_nine(congress_a, secretary_a, province_secretary):
    plan = PersonnelPlanFactory(congress=congress_a, user=secretary_a, executive_seats=9, standing_seats=0,
                                deputy_seats=0, inspection_seats=0, delegation_seats=0,
                                secretary_elected_directly=True)
    for i in range(9):
        NomineeFactory(plan=plan, user=secretary_a, full_name=f"Ủy viên {i}", gender="female" if i < 2 else "male",
                       date_of_birth=dt.date(1988 if i == 8 else 1972, 1, 1), renominated=i >= 3,
                       bodies=["executive", "secretary"] if i == 0 else ["executive"])
    services.plan_submit(plan=plan, user=secretary_a)
    services.plan_approve(plan=plan, user=province_secretary)
    congress_update(congress=congress_a, user=secretary_a, data={"held_on": dt.date(2025, 7, 15), "status": "held"})
    return plan


def test_seed_003_result_is_entered_and_shown(approved_nine, client_for, secretary_a, province_secretary, tree):
    plan = approved_nine
    nominees = list(plan.nominees.all())
    data = {"ballots_executive": "120", "ballots_secretary": "120"}
    for n in nominees:
        data[f"e_{n.pk}_executive_elected"] = "on"
        data[f"e_{n.pk}_executive_votes"] = "118"
        data[f"e_{n.pk}_executive_round"] = "1"
    data[f"e_{nominees[0].pk}_secretary_elected"] = "on"
    data[f"e_{nominees[0].pk}_secretary_votes"] = "120"
    data[f"e_{nominees[0].pk}_secretary_round"] = "1"
    client = client_for(secretary_a)
    response = client.post(reverse("personnel:plan_results", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client_for(province_secretary).get(reverse("personnel:plan_detail", args=[plan.pk])).content.decode()
    assert "Executive committee: elected as nominated 9/9, one round" in page
    assert "Secretary: elected as nominated 1/1, one round" in page
    assert "120/120" in page and "100.00%" in page
    assert "Women 2/9 = 22.2% ≥ 15% ✓" in page  # the composition elected, against the targets
    assert "Secretary elected directly at the congress." in page
    row = PlanCount.objects.get(unit=tree.province, term=plan.congress.term, level="upper")
    assert (row.plans, row.approved, row.results) == (1, 1, 1)


def test_results_need_a_held_congress_and_nominees_of_the_body(english, congress_b, secretary_b, province_secretary):
    plan = PersonnelPlanFactory(congress=congress_b, user=secretary_b, executive_seats=1, standing_seats=0,
                                deputy_seats=0, inspection_seats=0, delegation_seats=0)
    nominee = NomineeFactory(plan=plan, user=secretary_b, bodies=["executive"], renominated=True)
    for check in checks.run(plan):
        if not check.ok:
            services.check_acknowledge(plan=plan, user=secretary_b, code=check.code, reason="một ủy viên")
    services.plan_submit(plan=plan, user=secretary_b)
    services.plan_approve(plan=plan, user=province_secretary)
    elected = [services.Elected(nominee_id=nominee.pk, body="executive", votes=10, ballots=10)]
    with pytest.raises(ValidationError, match="once the congress has been held"):
        services.results_enter(plan=plan, user=secretary_b, elected=elected)
    congress_update(congress=congress_b, user=secretary_b, data={"held_on": dt.date(2025, 7, 20), "status": "held"})
    with pytest.raises(ValidationError, match="proposed for a body"):
        services.results_enter(plan=plan, user=secretary_b, elected=[
            services.Elected(nominee_id=nominee.pk, body="standing", votes=10, ballots=10)])
    assert services.results_enter(plan=plan, user=secretary_b, elected=elected).results_entered
