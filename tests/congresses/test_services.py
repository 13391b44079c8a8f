"""Writes to congresses and milestones (congresses.services): milestones from the plan,
due dates that follow the congress date, the link between the "register"/"hold" steps and
the congress, warnings that inform without blocking, and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from committees.models import Level
from congresses import services
from congresses.models import Congress, CongressStatus, DueRule, Milestone, MilestoneStatus
from tests.factories import CongressFactory, PlanStepFactory, UnitFactory

COMMUNE_DATE = dt.date(2025, 7, 15)  # congress_a's date (tests/conftest.py)
NEW_DATE = dt.date(2025, 8, 5)


def _due(congress):
    return dict(congress.milestones.values_list("step__code", "due_date"))


def _milestone(congress, code):
    return Milestone.objects.select_related("step").get(congress=congress, step__code=code)


def _reload(congress):
    return Congress.objects.get(pk=congress.pk)


# --- Opening a congress ---------------------------------------------------------------------


def test_congress_create_makes_one_milestone_per_step_of_the_level(term, commune_a, secretary_a):
    change = services.congress_create(unit=commune_a, term=term, user=secretary_a, planned_date=COMMUNE_DATE)

    milestones = list(change.congress.milestones.select_related("step"))
    assert sorted(m.step.code for m in milestones) == sorted(term.steps.values_list("code", flat=True))
    for milestone in milestones:
        assert milestone.due_date == milestone.step.compute_due(COMMUNE_DATE)
        assert milestone.status == MilestoneStatus.NOT_STARTED
    assert _due(change.congress)["plan"] == dt.date(2025, 4, 16)
    assert _due(change.congress)["report"] == dt.date(2025, 7, 22)


def test_sub_grassroots_cell_gets_only_the_steps_of_its_level(term, cell_a1):
    sub = UnitFactory(level=Level.SUB, parent=cell_a1)
    congress = CongressFactory(unit=sub, term=term, planned_date=dt.date(2025, 5, 1))
    codes = set(congress.milestones.values_list("step__code", flat=True))
    assert codes == {"plan", "register", "drafts", "personnel", "petitions", "hold", "report"}


def test_congress_without_date_has_no_relative_due_dates(term, commune_a):
    PlanStepFactory(term=term, code="fixed", due_rule=DueRule.FIXED, due_date=dt.date(2025, 3, 1))
    congress = CongressFactory(unit=commune_a, term=term, planned_date=None)
    due = _due(congress)
    assert due.pop("fixed") == dt.date(2025, 3, 1)
    assert set(due.values()) == {None}


def test_congress_created_with_a_registration_date_has_its_register_step_done(term, commune_a):
    congress = CongressFactory(unit=commune_a, term=term, planned_date=COMMUNE_DATE, registered_on=dt.date(2025, 5, 2))
    register = _milestone(congress, "register")
    assert (register.status, register.done_on) == (MilestoneStatus.DONE, dt.date(2025, 5, 2))


def test_second_congress_for_the_same_unit_and_term_is_refused(congress_a):
    with pytest.raises(ValidationError):
        services.congress_create(unit=congress_a.unit, term=congress_a.term)
    assert Congress.objects.filter(unit=congress_a.unit).count() == 1


def test_congress_create_records_who_opened_it(term, commune_a, secretary_a):
    congress = services.congress_create(unit=commune_a, term=term, user=secretary_a).congress
    assert congress.history.get().history_user == secretary_a
    assert {h.history_user for h in Milestone.history.filter(congress_id=congress.pk)} == {secretary_a}


# --- Moving the congress date ---------------------------------------------------------------


def test_moving_the_date_recomputes_due_dates_of_unfinished_milestones(congress_a, secretary_a):
    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": NEW_DATE})

    for milestone in change.congress.milestones.select_related("step"):
        assert milestone.due_date == milestone.step.compute_due(NEW_DATE)
    assert change.rescheduled == 11
    assert _due(congress_a)["hold"] == NEW_DATE


def test_moving_the_date_keeps_the_due_date_of_done_milestones(congress_a, secretary_a):
    plan = _milestone(congress_a, "plan")
    services.milestone_update(milestone=plan, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 4, 10))

    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": NEW_DATE})

    assert _milestone(congress_a, "plan").due_date == dt.date(2025, 4, 16)  # as before
    assert _milestone(congress_a, "drafts").due_date == NEW_DATE - dt.timedelta(days=60)
    assert change.rescheduled == 10


def test_moving_the_date_keeps_fixed_due_dates(term, commune_a, secretary_a):
    PlanStepFactory(term=term, code="fixed", due_rule=DueRule.FIXED, due_date=dt.date(2025, 3, 1))
    congress = CongressFactory(unit=commune_a, term=term, planned_date=COMMUNE_DATE)

    services.congress_update(congress=congress, user=secretary_a, data={"planned_date": NEW_DATE})

    assert _milestone(congress, "fixed").due_date == dt.date(2025, 3, 1)


def test_saving_without_moving_the_date_touches_no_milestone(congress_a, secretary_a):
    before = Milestone.history.filter(congress_id=congress_a.pk).count()
    change = services.congress_update(congress=congress_a, user=secretary_a, data={"note": "Họp chi ủy"})
    assert change.rescheduled == 0
    assert Milestone.history.filter(congress_id=congress_a.pk).count() == before


def test_unknown_congress_field_is_a_programming_error(congress_a, secretary_a):
    with pytest.raises(ValueError):
        services.congress_update(congress=congress_a, user=secretary_a, data={"unit": None})


def test_held_status_without_date_is_refused_and_nothing_is_saved(congress_a, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        services.congress_update(congress=congress_a, user=secretary_a, data={"status": CongressStatus.HELD})
    assert "held_on" in excinfo.value.message_dict
    assert _reload(congress_a).status == CongressStatus.PREPARING


# --- Congress dates and the register/hold steps, both ways ----------------------------------


def test_registering_the_date_on_the_congress_ticks_the_register_step(congress_a, secretary_a):
    services.congress_update(congress=congress_a, user=secretary_a, data={"registered_on": dt.date(2025, 5, 2)})
    register = _milestone(congress_a, "register")
    assert (register.status, register.done_on) == (MilestoneStatus.DONE, dt.date(2025, 5, 2))


def test_clearing_the_registration_reopens_the_register_step(congress_a, secretary_a):
    services.congress_update(congress=congress_a, user=secretary_a, data={"registered_on": dt.date(2025, 5, 2)})
    services.congress_update(congress=congress_a, user=secretary_a, data={"registered_on": None})
    register = _milestone(congress_a, "register")
    assert register.status != MilestoneStatus.DONE
    assert register.done_on is None


def test_date_held_on_the_congress_marks_it_held_and_ticks_the_hold_step(congress_a, secretary_a):
    change = services.congress_update(congress=congress_a, user=secretary_a, data={"held_on": dt.date(2025, 7, 16)})
    assert change.congress.status == CongressStatus.HELD
    hold = _milestone(congress_a, "hold")
    assert (hold.status, hold.done_on) == (MilestoneStatus.DONE, dt.date(2025, 7, 16))


def test_ticking_the_register_step_registers_the_congress(congress_a, secretary_a):
    services.milestone_update(
        milestone=_milestone(congress_a, "register"), user=secretary_a, status=MilestoneStatus.DONE,
        done_on=dt.date(2025, 4, 30),
    )
    assert _reload(congress_a).registered_on == dt.date(2025, 4, 30)


def test_reopening_the_register_step_clears_the_registration(congress_a, secretary_a):
    register = _milestone(congress_a, "register")
    services.milestone_update(milestone=register, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 4, 30))
    services.milestone_update(milestone=register, user=secretary_a, status=MilestoneStatus.IN_PROGRESS)
    assert _reload(congress_a).registered_on is None


def test_ticking_the_hold_step_marks_the_congress_held(congress_a, secretary_a):
    services.milestone_update(
        milestone=_milestone(congress_a, "hold"), user=secretary_a, status=MilestoneStatus.DONE,
        done_on=dt.date(2025, 7, 15),
    )
    congress = _reload(congress_a)
    assert (congress.status, congress.held_on) == (CongressStatus.HELD, dt.date(2025, 7, 15))


def test_reopening_the_hold_step_puts_the_congress_back_in_preparation(congress_a, secretary_a):
    hold = _milestone(congress_a, "hold")
    services.milestone_update(milestone=hold, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 7, 15))
    services.milestone_update(milestone=hold, user=secretary_a, status=MilestoneStatus.NOT_STARTED)
    congress = _reload(congress_a)
    assert (congress.status, congress.held_on) == (CongressStatus.PREPARING, None)


# --- Recording progress ---------------------------------------------------------------------


def test_milestone_done_records_date_evidence_and_who(congress_a, secretary_a):
    milestone = services.milestone_update(
        milestone=_milestone(congress_a, "plan"), user=secretary_a, status=MilestoneStatus.DONE,
        done_on=dt.date(2025, 4, 10), evidence_number="  05-KH/ĐU ", note="Ban hành đúng hạn",
    )
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == (MilestoneStatus.DONE, dt.date(2025, 4, 10))
    assert milestone.evidence_number == "05-KH/ĐU"
    assert milestone.updated_by == secretary_a
    assert milestone.history.latest().history_user == secretary_a


def test_milestone_done_without_date_is_refused_and_nothing_is_saved(congress_a, secretary_a):
    plan = _milestone(congress_a, "plan")
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_update(milestone=plan, user=secretary_a, status=MilestoneStatus.DONE, done_on=None)
    assert "done_on" in excinfo.value.message_dict
    plan.refresh_from_db()
    assert plan.status == MilestoneStatus.NOT_STARTED
    assert plan.history.count() == 1


def test_reopening_a_milestone_clears_its_date(congress_a, secretary_a):
    plan = _milestone(congress_a, "plan")
    services.milestone_complete(milestone=plan, user=secretary_a, done_on=dt.date(2025, 4, 10))
    services.milestone_update(milestone=plan, user=secretary_a, status=MilestoneStatus.IN_PROGRESS, done_on=dt.date(2025, 4, 10))
    plan.refresh_from_db()
    assert (plan.status, plan.done_on) == (MilestoneStatus.IN_PROGRESS, None)


def test_evidence_number_is_kept_when_not_given(congress_a, secretary_a):
    plan = _milestone(congress_a, "plan")
    services.milestone_complete(milestone=plan, user=secretary_a, done_on=dt.date(2025, 4, 10), evidence_number="05-KH/ĐU")
    services.milestone_update(milestone=plan, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 4, 11))
    plan.refresh_from_db()
    assert plan.evidence_number == "05-KH/ĐU"


# --- Warnings: they inform, they never block ------------------------------------------------


def test_congress_dated_before_a_subordinates_is_warned_but_saved(english, congress_a, congress_cell, secretary_a):
    early = congress_cell.planned_date - dt.timedelta(days=1)

    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": early})

    assert _reload(congress_a).planned_date == early
    assert len(change.warnings) == 1
    assert "Chi bộ thôn 1" in change.warnings[0]
    assert "bottom-up" in change.warnings[0]


def test_congress_dated_after_the_level_deadline_is_warned_but_saved(english, congress_a, secretary_a):
    late = dt.date(2025, 9, 1)  # upper-grassroots deadline: 31/08/2025

    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": late})

    assert _reload(congress_a).planned_date == late
    assert change.warnings == [
        "The congress date 01/09/2025 is after the deadline for this level, 31/08/2025."
    ]


def test_congress_in_order_and_on_time_has_no_warning(congress_a, congress_cell, secretary_a):
    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": dt.date(2025, 8, 31)})
    assert change.warnings == []


def test_subordinate_already_held_earlier_is_not_warned_about(congress_a, congress_cell, secretary_a):
    services.congress_update(congress=congress_cell, user=secretary_a, data={"held_on": dt.date(2025, 6, 1)})
    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": dt.date(2025, 6, 5)})
    assert change.warnings == []


def test_opening_a_late_congress_warns_but_creates_it(english, term, commune_b):
    change = services.congress_create(unit=commune_b, term=term, planned_date=dt.date(2025, 12, 1))
    assert change.congress.pk
    assert any("deadline" in w for w in change.warnings)


def test_bottom_up_warning_names_five_units_and_counts_the_rest(english, term, commune_a, congress_a, secretary_a):
    for n in range(7):
        cell = UnitFactory(name=f"Chi bộ {n}", level=Level.GRASSROOTS, parent=commune_a)
        CongressFactory(unit=cell, term=term, planned_date=dt.date(2025, 7, 1))

    change = services.congress_update(congress=congress_a, user=secretary_a, data={"planned_date": dt.date(2025, 6, 20)})

    (warning,) = change.warnings
    assert "7 subordinate units" in warning
    assert "Chi bộ 4" in warning and "Chi bộ 5" not in warning
    assert "and 2 more" in warning


# --- Plan -----------------------------------------------------------------------------------


def test_applying_the_default_plan_twice_adds_nothing(term):
    assert services.plan_apply_default(term=term) == []
    assert term.steps.count() == 11
