"""An open petition about personnel puts the unit's congress at risk, turns it red when the
congress is within PETITION_RED_DAYS days ("resolved before the congress"), and blocks the
approval of its personnel plan until it is concluded (issue 14, point 5). The dashboard
counts open, overdue and personnel petitions per unit and subtree, counts only."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from congresses.models import Light, Milestone
from dashboards.selectors import unit_dashboard
from congresses.selectors import current_terms
from personnel import checks as personnel_checks
from personnel import services as personnel_services
from personnel.models import PlanStatus
from petitions import selectors, services
from petitions.models import PetitionStatus
from tests.factories import NomineeFactory, PersonnelPlanFactory, PetitionFactory, SecretaryFactory

from .conftest import SENDER, SENDER_NAME

pytestmark = pytest.mark.django_db

HCM = dt.timezone(dt.timedelta(hours=7))
# congress_a (conftest) is planned for 15/07/2025.
FAR = dt.datetime(2025, 5, 1, 9, tzinfo=HCM)    # 75 days before
NEAR = dt.datetime(2025, 6, 25, 9, tzinfo=HCM)  # 20 days before


def _row(unit, child, today):
    d = unit_dashboard(unit=unit, terms=current_terms(), today=today)
    return next(r for r in d.children if r.unit == child), d


@pytest.fixture
def plan(congress_a, secretary_a):
    plan = PersonnelPlanFactory(congress=congress_a, user=secretary_a, executive_seats=1, standing_seats=0,
                                deputy_seats=0, inspection_seats=0, delegation_seats=0)
    NomineeFactory(plan=plan, user=secretary_a, full_name="Đề Cử Một", bodies=["executive", "secretary"])
    for check in personnel_checks.run(plan):
        if not check.ok:
            personnel_services.check_acknowledge(plan=plan, user=secretary_a, code=check.code, reason="ok")
    return personnel_services.plan_submit(plan=plan, user=secretary_a)


def test_a_personnel_petition_turns_the_congress_red_near_it_and_blocks_approval(
    tree, congress_a, plan, handler, english, settings
):
    settings.PETITION_RED_DAYS = 30
    province_secretary = SecretaryFactory(username="province_secretary", unit=tree.province)
    Milestone.objects.update(due_date=None)  # no step overdue or due soon: only the petition colours the light
    with time_machine.travel(FAR, tick=False):
        today = FAR.date()
        before, _d = _row(tree.province, tree.commune_a, today)
        assert before.light == Light.ON_TRACK
        case = PetitionFactory(unit=tree.commune_a, user=handler, kind="denunciation", received_on=today,
                               sender=SENDER, nominee=plan.nominees.get())
        assert case.about_personnel
        row, d = _row(tree.province, tree.commune_a, today)
        assert row.light == Light.AT_RISK and "1 open personnel petition" in row.reasons
        assert SENDER_NAME not in " ".join(row.reasons)
        # The dashboard counts it (the province's subtree, the commune's row), not the sender.
        assert d.own_petitions.as_dict() == {"open": 1, "overdue": 0, "personnel": 1}
        assert d.petitions[tree.commune_a.pk].as_dict() == {"open": 1, "overdue": 0, "personnel": 1}
        assert selectors.subtree_counts(tree.commune_b, today).as_dict() == {"open": 0, "overdue": 0, "personnel": 0}

        with pytest.raises(ValidationError, match="not concluded yet"):
            personnel_services.plan_approve(plan=plan, user=province_secretary)
        case = services.petition_classify(petition=case, user=handler, decision=PetitionStatus.ACCEPTED)
        case = services.petition_verify(petition=case, user=handler)

    with time_machine.travel(NEAR, tick=False):
        today = NEAR.date()
        row, d = _row(tree.province, tree.commune_a, today)
        assert row.light == Light.LATE
        assert "1 open personnel petition, congress within 30 days: not resolved before the congress" in row.reasons
        with pytest.raises(ValidationError):
            personnel_services.plan_approve(plan=plan, user=province_secretary)
        # 35 days after its acceptance, the case is overdue: counted as such.
        assert selectors.subtree_counts(tree.province, dt.date(2025, 6, 6)).overdue == 1

        services.petition_conclude(petition=case, user=handler, conclusion="Không có cơ sở")
        row, d = _row(tree.province, tree.commune_a, today)
        assert "open personnel petition" not in " ".join(row.reasons)
        assert d.own_petitions.as_dict() == {"open": 0, "overdue": 0, "personnel": 0}
        plan.refresh_from_db()
        assert personnel_services.plan_approve(plan=plan, user=province_secretary).status == PlanStatus.APPROVED


def test_a_petition_that_is_not_about_personnel_does_not_touch_the_light(tree, congress_a, handler):
    Milestone.objects.update(due_date=None)
    with time_machine.travel(NEAR, tick=False):
        PetitionFactory(unit=tree.commune_a, user=handler, kind="proposal", received_on=NEAR.date())
        row, d = _row(tree.province, tree.commune_a, NEAR.date())
        assert row.light == Light.ON_TRACK and not any("petition" in r for r in row.reasons)
        assert d.own_petitions.as_dict() == {"open": 1, "overdue": 0, "personnel": 0}


def test_the_dashboard_and_its_json_show_counts_only(tree, congress_a, handler, viewer, client_for):
    case = PetitionFactory(unit=tree.cell_a1, user=handler, kind="complaint", about_personnel=True, sender=SENDER,
                           received_on=dt.date.today() - dt.timedelta(days=20))  # due 10 days ago: overdue
    client = client_for(viewer)
    page = client.get(reverse("dashboards:unit_dashboard", args=[tree.province.pk])).content.decode()
    assert 'id="petition-counts"' in page and SENDER_NAME not in page and case.summary not in page
    data = client.get(reverse("dashboards:unit_dashboard_json", args=[tree.province.pk])).json()
    assert data["petitions"] == {"open": 1, "overdue": 1, "personnel": 1}
    commune = next(c for c in data["children"] if c["id"] == tree.commune_a.pk)
    assert commune["petitions"] == {"open": 1, "overdue": 1, "personnel": 1}
    assert SENDER_NAME not in str(data) and case.summary not in str(data)
    # The unit's own counts JSON, for a unit the viewer reads; 404 for one they do not.
    counts = client.get(reverse("petitions:unit_counts_json", args=[tree.cell_a1.pk])).json()
    assert counts["petitions"] == {"open": 1, "overdue": 1, "personnel": 1}
    outsider = SecretaryFactory(unit=tree.commune_b)
    assert client_for(outsider).get(reverse("petitions:unit_counts_json", args=[tree.cell_a1.pk])).status_code == 404
