"""The superior's approval: draft → submitted → returned with comments or approved; each
step recorded; an approved plan is frozen and a change opens a new revision; a registered
blocker (an open petition about a nominee, later) stops the approval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from personnel import hooks, services
from personnel.models import PersonnelPlan, PlanStatus
from tests.factories import NomineeFactory
from tests.personnel.conftest import fifteen

pytestmark = pytest.mark.usefixtures("english")


def test_a_failing_check_must_be_acknowledged_before_submitting(plan_a, secretary_a):
    fifteen(plan_a)
    services.plan_update(plan=plan_a, user=secretary_a, data={"executive_seats": 10})
    with pytest.raises(ValidationError, match="Executive committee: 15 nominees for 10 seats"):
        services.plan_submit(plan=plan_a, user=secretary_a)
    services.check_acknowledge(plan=plan_a, user=secretary_a, code="surplus_executive",
                               reason="Hai đồng chí dự phòng")
    plan = services.plan_submit(plan=plan_a, user=secretary_a)
    assert plan.status == PlanStatus.SUBMITTED
    assert plan.acknowledgements["surplus_executive"]["reason"] == "Hai đồng chí dự phòng"


def test_superior_returns_then_approves_and_the_plan_freezes(plan_a, secretary_a, province_secretary):
    fifteen(plan_a)
    services.plan_submit(plan=plan_a, user=secretary_a)
    with pytest.raises(ValidationError):
        services.nominee_add(plan=plan_a, user=secretary_a, data={})  # submitted: locked
    services.plan_return(plan=plan_a, user=province_secretary, comment="Bổ sung cán bộ nữ")
    NomineeFactory(plan=plan_a, gender="female", user=secretary_a)
    services.plan_update(plan=plan_a, user=secretary_a, data={"executive_seats": 15})
    services.plan_submit(plan=plan_a, user=secretary_a)
    plan = services.plan_approve(plan=plan_a, user=province_secretary)
    assert plan.status == PlanStatus.APPROVED
    assert [(t.from_status, t.to_status, t.comment) for t in plan.transitions.all()] == [
        ("draft", "submitted", ""), ("submitted", "returned", "Bổ sung cán bộ nữ"),
        ("returned", "submitted", ""), ("submitted", "approved", "")]
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.plan_update(plan=plan, user=secretary_a, data={"executive_seats": 16})
    plan = services.plan_revise(plan=plan, user=secretary_a, reason="Một đồng chí chuyển công tác")
    assert (plan.status, plan.revision) == (PlanStatus.DRAFT, 2)
    # the approved revision stays in the history
    assert plan.history.filter(status=PlanStatus.APPROVED, revision=1).exists()


def test_only_the_superior_approves(plan_a, secretary_a, secretary_b, viewer):
    fifteen(plan_a)
    services.plan_submit(plan=plan_a, user=secretary_a)
    for user in (secretary_a, secretary_b, viewer):
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=plan_a, user=user)


def test_an_open_petition_about_a_nominee_blocks_the_approval(plan_a, secretary_a, province_secretary):
    fifteen(plan_a)
    services.plan_submit(plan=plan_a, user=secretary_a)
    open_petitions = {plan_a.pk}

    def fake_petitions(plan):  # what a petitions app will register
        return ["1 open petition about a nominee"] if plan.pk in open_petitions else []

    hooks.register_approval_blocker(fake_petitions)
    try:
        with pytest.raises(ValidationError, match="1 open petition about a nominee"):
            services.plan_approve(plan=plan_a, user=province_secretary)
        assert PersonnelPlan.objects.get(pk=plan_a.pk).status == PlanStatus.SUBMITTED
        open_petitions.clear()  # resolved
        assert services.plan_approve(plan=plan_a, user=province_secretary).status == PlanStatus.APPROVED
    finally:
        hooks.unregister_approval_blocker(fake_petitions)
