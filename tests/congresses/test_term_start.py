"""A new term starts with a plan (issue 9, point 9): the portal's default plan or a copy of
another term's steps and level deadlines, dates moved by the difference of the first
years; made current, it takes over the levels it covers from the term current for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from committees.models import Level
from congresses import services
from congresses.default_plan import DEFAULT_STEPS
from congresses.models import DueRule, LevelDeadline, PlanSource, Term
from congresses.selectors import current_terms
from tests.factories import PlanStepFactory, TermFactory

pytestmark = pytest.mark.django_db

ABOVE_SUB = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS]


@pytest.fixture
def previous():
    """2020–2025 for every level, with the default plan, a step due on a fixed date and
    seed 001's deadline for the bloc (upper level) 15/08/2020."""
    term = TermFactory(name="2020–2025", start_year=2020, end_year=2025, deadlines={
        Level.UPPER: dt.date(2020, 8, 15), Level.SUB: dt.date(2020, 2, 29)})
    PlanStepFactory(term=term, code="review", title="Review the resolution", due_rule=DueRule.FIXED,
                    due_date=dt.date(2020, 3, 1), order=5)
    return term


def _start(**kwargs):
    defaults = {"name": "2025–2030", "start_year": 2025, "end_year": 2030, "levels": [],
                "plan": PlanSource.DEFAULT, "make_current": True, "user": None}
    return services.term_start(**{**defaults, **kwargs})


def test_a_term_started_from_the_default_plan_has_its_steps(admin_user):
    result = _start(user=admin_user)
    assert result.term.steps.count() == result.steps == len(DEFAULT_STEPS)
    assert result.term.is_current


def test_a_term_started_from_a_copy_has_the_steps_and_deadlines_moved_by_the_years(previous, admin_user):
    result = _start(plan=PlanSource.COPY, copy_from=previous, user=admin_user)

    term = result.term
    assert sorted(term.steps.values_list("code", flat=True)) == sorted(previous.steps.values_list("code", flat=True))
    review = term.steps.get(code="review")
    assert (review.due_rule, review.due_date) == (DueRule.FIXED, dt.date(2025, 3, 1))
    hold = term.steps.get(code="hold")
    assert (hold.offset_days, hold.effect) == (0, "hold")
    assert term.deadline_for(Level.UPPER) == dt.date(2025, 8, 15)  # seed 001's 15/08, five years on
    assert term.deadline_for(Level.SUB) == dt.date(2025, 2, 28)  # no 29/02 in 2025
    assert (result.steps, result.deadlines) == (12, 2)
    assert previous.steps.count() == 12  # the source is untouched


def test_a_copy_for_some_levels_takes_only_their_deadlines(previous):
    result = _start(name="2025–2027", end_year=2027, levels=[Level.SUB], plan=PlanSource.COPY, copy_from=previous)
    assert list(result.term.level_deadlines.values_list("level", flat=True)) == [Level.SUB]
    assert not result.term.steps.filter(code="subcommittees").exists()  # no step for cells


def test_a_term_started_current_ends_the_previous_term_of_its_levels(previous):
    result = _start()
    previous.refresh_from_db()
    assert not previous.is_current
    assert result.no_longer_current == [previous]
    assert current_terms().for_level(Level.SUB) == result.term


def test_a_term_for_cells_leaves_the_previous_term_current_for_the_other_levels(previous):
    result = _start(name="2025–2027", end_year=2027, levels=[Level.SUB])
    previous.refresh_from_db()
    assert previous.is_current and previous.levels == ABOVE_SUB
    terms = current_terms()
    assert terms.for_level(Level.SUB) == result.term
    assert terms.for_level(Level.PROVINCE) == previous


def test_a_term_not_made_current_changes_no_other_term(previous):
    result = _start(make_current=False)
    previous.refresh_from_db()
    assert previous.is_current and not result.term.is_current
    assert current_terms().for_level(Level.SUB) == previous


@pytest.mark.parametrize("kwargs, field", [
    ({"plan": PlanSource.COPY}, "copy_from"),
    ({"plan": "template"}, "plan"),
    ({"start_year": 2031}, "end_year"),  # the last year before the first (Term.clean names the field)
    ({"name": "2020–2025"}, "name"),
    ({"levels": ["district"]}, "levels"),
])
def test_a_bad_start_is_refused_and_leaves_nothing(previous, kwargs, field):
    before = (Term.objects.count(), LevelDeadline.objects.count())
    with pytest.raises(ValidationError) as exc:
        _start(**kwargs)
    assert field in exc.value.message_dict
    assert (Term.objects.count(), LevelDeadline.objects.count()) == before
    previous.refresh_from_db()
    assert previous.is_current


def test_a_failure_after_the_plan_rolls_everything_back(previous, monkeypatch):
    def fail(**kwargs):
        raise ValidationError("no")

    monkeypatch.setattr(services, "term_make_current", fail)
    with pytest.raises(ValidationError):
        _start(plan=PlanSource.COPY, copy_from=previous)
    assert not Term.objects.filter(name="2025–2030").exists()
