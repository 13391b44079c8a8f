"""Terms, plan steps, congresses and milestones: due-date rules, validation, and the
constraints the database itself enforces."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from committees.models import Level
from congresses.models import (
    Congress,
    CongressStatus,
    DueRule,
    Milestone,
    MilestoneStatus,
    PlanStep,
    Term,
    to_roman,
)
from tests.factories import CongressFactory, PlanStepFactory, TermFactory

CONGRESS_DAY = dt.date(2025, 7, 15)


# --- Due dates ------------------------------------------------------------------------------


def test_fixed_step_is_due_on_its_date_whatever_the_congress_date():
    step = PlanStep(due_rule=DueRule.FIXED, due_date=dt.date(2025, 3, 1))
    assert step.compute_due(CONGRESS_DAY) == dt.date(2025, 3, 1)
    assert step.compute_due(None) == dt.date(2025, 3, 1)
    assert not step.is_relative


def test_before_step_is_due_offset_days_before_the_congress():
    step = PlanStep(due_rule=DueRule.BEFORE, offset_days=75)
    assert step.compute_due(CONGRESS_DAY) == dt.date(2025, 5, 1)
    assert step.is_relative


def test_after_step_is_due_offset_days_after_the_congress():
    step = PlanStep(due_rule=DueRule.AFTER, offset_days=7)
    assert step.compute_due(CONGRESS_DAY) == dt.date(2025, 7, 22)


def test_relative_step_has_no_due_date_until_the_congress_is_dated():
    assert PlanStep(due_rule=DueRule.BEFORE, offset_days=30).compute_due(None) is None
    assert PlanStep(due_rule=DueRule.AFTER, offset_days=7).compute_due(None) is None


def test_step_applies_to_its_levels_only():
    step = PlanStep(levels=[Level.UPPER, Level.GRASSROOTS])
    assert step.applies_to(Level.UPPER)
    assert not step.applies_to(Level.SUB)


def test_step_with_unknown_level_is_invalid(db):
    step = PlanStepFactory.build(term=TermFactory(plan=False), levels=["county"])
    with pytest.raises(ValidationError) as excinfo:
        step.full_clean()
    assert "levels" in excinfo.value.message_dict


def test_fixed_step_without_date_is_invalid(db):
    step = PlanStepFactory.build(term=TermFactory(plan=False), due_rule=DueRule.FIXED, due_date=None)
    with pytest.raises(ValidationError) as excinfo:
        step.full_clean()
    assert "due_date" in excinfo.value.message_dict


# --- Terms ----------------------------------------------------------------------------------


def test_term_knows_each_levels_deadline(term):
    assert term.deadline_for(Level.UPPER) == dt.date(2025, 8, 31)
    assert term.deadline_for(Level.CENTRAL) is None


def test_default_plan_has_eleven_steps_with_register_and_hold_effects(term):
    steps = list(term.steps.order_by("order"))
    assert len(steps) == 11
    assert {s.code: s.effect for s in steps if s.effect} == {"register": "register", "hold": "hold"}
    report = next(s for s in steps if s.code == "report")
    assert (report.due_rule, report.offset_days) == (DueRule.AFTER, 7)


def test_term_years_must_be_ordered(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(name="bad", start_year=2030, end_year=2025)


def test_only_one_term_is_current_for_a_level(term):
    # Terms per level: the rule moved from a database constraint to Term.clean
    # (tests/congresses/test_terms.py has the per-level cases).
    with pytest.raises(ValidationError):
        Term(name="2030–2035", start_year=2030, end_year=2035, is_current=True).full_clean()


# --- Congresses -----------------------------------------------------------------------------


def test_held_congress_without_date_is_refused_by_the_database(congress_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Congress.objects.filter(pk=congress_a.pk).update(status=CongressStatus.HELD, held_on=None)


def test_one_congress_per_unit_and_term_in_the_database(congress_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Congress.objects.create(unit=congress_a.unit, term=congress_a.term)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"status": CongressStatus.HELD, "held_on": None}, "held_on"),
        ({"status": CongressStatus.PREPARING, "held_on": CONGRESS_DAY}, "status"),
        ({"secretary_elected_directly": False, "secretary_vote_share": Decimal("90")}, "secretary_vote_share"),
    ],
)
def test_congress_validation(congress_a, fields, error_field):
    for name, value in fields.items():
        setattr(congress_a, name, value)
    with pytest.raises(ValidationError) as excinfo:
        congress_a.full_clean()
    assert error_field in excinfo.value.message_dict


def test_vote_share_is_a_percentage(congress_a):
    congress_a.secretary_elected_directly = True
    congress_a.secretary_vote_share = Decimal("100.5")
    with pytest.raises(ValidationError) as excinfo:
        congress_a.full_clean()
    assert "secretary_vote_share" in excinfo.value.message_dict


def test_counts_on_is_the_date_held_else_the_planned_date(congress_a):
    assert congress_a.counts_on == congress_a.planned_date
    congress_a.held_on = dt.date(2025, 7, 20)
    assert congress_a.counts_on == dt.date(2025, 7, 20)


@pytest.mark.parametrize(("n", "roman"), [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (1990, "MCMXC")])
def test_ordinal_is_written_in_roman_numerals(n, roman):
    assert to_roman(n) == roman


def test_congress_without_ordinal_has_no_roman_numeral(congress_a):
    assert congress_a.ordinal_roman == ""
    congress_a.ordinal = 9
    assert congress_a.ordinal_roman == "IX"


# --- Milestones -----------------------------------------------------------------------------


def test_done_milestone_without_date_is_refused_by_the_database(congress_a):
    milestone = congress_a.milestones.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(status=MilestoneStatus.DONE, done_on=None)


def test_one_milestone_per_step_and_congress_in_the_database(congress_a):
    milestone = congress_a.milestones.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(congress=congress_a, step=milestone.step)


def test_milestone_validation(congress_a):
    milestone = congress_a.milestones.first()
    milestone.status, milestone.done_on = MilestoneStatus.DONE, None
    with pytest.raises(ValidationError) as excinfo:
        milestone.full_clean()
    assert "done_on" in excinfo.value.message_dict
    milestone.status, milestone.done_on = MilestoneStatus.IN_PROGRESS, CONGRESS_DAY
    with pytest.raises(ValidationError) as excinfo:
        milestone.full_clean()
    assert "status" in excinfo.value.message_dict


def test_milestone_is_overdue_only_when_open_and_past_due(congress_a):
    milestone = congress_a.milestones.get(step__code="plan")  # due 16/04/2025
    assert not milestone.is_overdue(dt.date(2025, 4, 16))
    assert milestone.is_overdue(dt.date(2025, 4, 17))
    milestone.status, milestone.done_on = MilestoneStatus.DONE, dt.date(2025, 4, 20)
    assert not milestone.is_overdue(dt.date(2025, 4, 17))


def test_congress_factory_goes_through_the_service(term, commune_b):
    congress = CongressFactory(unit=commune_b, term=term, planned_date=CONGRESS_DAY)
    assert congress.milestones.count() == 11
    assert congress.history.count() == 1
