"""A plan changed after congresses were opened reaches them (issue 9, point 10): a step
added gives each congress of its levels a milestone, a step changed adds, removes or
reschedules them, a step removed takes its milestones along (done ones only when
confirmed); the roll-ups follow in the same transaction and each milestone changed has a
history row naming the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from committees.models import Level
from congresses import services
from congresses.models import DueRule, Milestone, MilestoneStatus, PlanStep, StepEffect
from progress import rollups
from progress.models import StepCount
from tests.conftest import CELL_DATE, COMMUNE_DATE

pytestmark = pytest.mark.django_db

BOTH = [Level.UPPER, Level.GRASSROOTS]


@pytest.fixture
def opened(term, congress_a, congress_b, congress_cell):
    """Three congresses opened in the term: two communes and one cell."""
    return [congress_a, congress_b, congress_cell]


def _add(term, admin, **kwargs):
    defaults = {"code": "audit", "title": "Audit the finances", "levels": BOTH, "order": 55,
                "due_rule": DueRule.BEFORE, "offset_days": 30}
    return services.plan_step_add(term=term, user=admin, **{**defaults, **kwargs})


def test_a_step_added_after_congresses_were_opened_gives_each_congress_of_its_levels_a_milestone(
    opened, term, admin_user, province, commune_a
):
    change = _add(term, admin_user, levels=[Level.GRASSROOTS])

    (milestone,) = Milestone.objects.filter(step=change.step)
    assert milestone.congress == opened[2]
    assert milestone.due_date == CELL_DATE - dt.timedelta(days=30)
    assert milestone.history.get().history_user == admin_user
    assert (change.congresses, change.created) == (1, 1)
    # The dashboards read the step's totals from the roll-ups, not 0/0.
    assert StepCount.objects.get(unit=province, step=change.step).total == 1
    assert StepCount.objects.get(unit=commune_a, step=change.step).total == 1
    assert rollups.differences() == []


def test_a_hold_step_added_late_is_done_where_the_congress_was_held(opened, term, admin_user):
    services.congress_update(congress=opened[0], user=admin_user,
                             data={"held_on": COMMUNE_DATE, "status": "held"})
    change = _add(term, admin_user, code="hold2", effect=StepEffect.HOLD, offset_days=0)

    by_congress = {m.congress_id: m for m in Milestone.objects.filter(step=change.step)}
    assert by_congress[opened[0].pk].status == MilestoneStatus.DONE
    assert by_congress[opened[0].pk].done_on == COMMUNE_DATE
    assert by_congress[opened[1].pk].status == MilestoneStatus.NOT_STARTED
    assert rollups.differences() == []


def test_changing_a_steps_levels_adds_and_removes_milestones(opened, term, admin_user):
    step = _add(term, admin_user, levels=[Level.GRASSROOTS]).step

    change = services.plan_step_update(step=step, user=admin_user, data={"levels": [Level.UPPER]})

    assert set(Milestone.objects.filter(step=step).values_list("congress_id", flat=True)) == {
        opened[0].pk, opened[1].pk}
    assert (change.congresses, change.created, change.removed) == (3, 2, 1)
    deleted = Milestone.history.filter(step_id=step.pk, history_type="-").get()
    assert deleted.history_user == admin_user
    assert rollups.differences() == []


def test_changing_a_steps_due_rule_reschedules_the_unfinished_milestones_only(opened, term, admin_user):
    step = _add(term, admin_user).step
    done = Milestone.objects.get(step=step, congress=opened[0])
    services.milestone_complete(milestone=done, user=admin_user, done_on=dt.date(2025, 6, 1))

    change = services.plan_step_update(step=step, user=admin_user, data={"offset_days": 10})

    assert Milestone.objects.get(pk=done.pk).due_date == COMMUNE_DATE - dt.timedelta(days=30)  # history
    assert Milestone.objects.get(step=step, congress=opened[2]).due_date == CELL_DATE - dt.timedelta(days=10)
    assert change.rescheduled == 2
    fixed = services.plan_step_update(step=step, user=admin_user,
                                      data={"due_rule": DueRule.FIXED, "due_date": dt.date(2025, 5, 20)})
    assert fixed.rescheduled == 2
    assert set(Milestone.objects.filter(step=step).exclude(pk=done.pk).values_list("due_date", flat=True)) == {
        dt.date(2025, 5, 20)}
    assert Milestone.history.filter(step_id=step.pk, history_type="~").latest().history_user == admin_user
    assert rollups.differences() == []


def test_a_step_with_done_milestones_is_removed_only_when_confirmed(opened, term, admin_user, english):
    step = _add(term, admin_user).step
    done = Milestone.objects.get(step=step, congress=opened[2])
    services.milestone_complete(milestone=done, user=admin_user, done_on=dt.date(2025, 5, 1))

    with pytest.raises(ValidationError, match="already done"):
        services.plan_step_remove(step=step, user=admin_user)
    assert Milestone.objects.filter(step=step).count() == 3

    change = services.plan_step_remove(step=step, user=admin_user, allow_done=True)

    assert not PlanStep.objects.filter(pk=step.pk).exists()
    assert (change.congresses, change.removed) == (3, 3)
    assert Milestone.history.filter(step_id=step.pk, history_type="-").count() == 3
    assert not StepCount.objects.filter(step_id=step.pk).exclude(total=0).exists()
    assert rollups.differences() == []


def test_a_step_without_done_milestones_is_removed_without_confirmation(opened, term, admin_user):
    step = _add(term, admin_user).step
    assert services.plan_step_remove(step=step, user=admin_user).removed == 3
    assert rollups.differences() == []


def test_taking_a_level_with_done_milestones_off_a_step_needs_the_confirmation(opened, term, admin_user):
    step = _add(term, admin_user).step
    services.milestone_complete(milestone=Milestone.objects.get(step=step, congress=opened[2]),
                                user=admin_user, done_on=dt.date(2025, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.plan_step_update(step=step, user=admin_user, data={"levels": [Level.UPPER]})
    assert "levels" in exc.value.message_dict
    services.plan_step_update(step=step, user=admin_user, data={"levels": [Level.UPPER]}, allow_done=True)
    assert not Milestone.objects.filter(step=step, congress=opened[2]).exists()


def test_the_effect_of_a_step_with_milestones_does_not_change(opened, term, admin_user):
    step = _add(term, admin_user).step
    with pytest.raises(ValidationError) as exc:
        services.plan_step_update(step=step, user=admin_user, data={"effect": StepEffect.REGISTER})
    assert "effect" in exc.value.message_dict


def test_the_default_plan_applied_to_a_term_with_congresses_reaches_them(term, congress_a, admin_user):
    PlanStep.objects.filter(term=term, code="report").update(code="report-old")
    (step,) = services.plan_apply_default(term=term, user=admin_user)
    assert Milestone.objects.filter(step=step, congress=congress_a).exists()
    assert rollups.differences() == []
