"""Terms per level (DOMAIN.md "Term"; seed 001: cells on 2020–2022 under a province on
2020–2025): several current terms at once, at most one for each level; a congress belongs
to a term covering its unit's level; the reminder scan takes each unit in its level's term."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from committees.models import Level
from congresses import services
from congresses.models import Term
from congresses.selectors import current_term, current_terms
from tests.factories import TermFactory, UnitFactory

pytestmark = pytest.mark.django_db

ABOVE_SUB = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS]


@pytest.fixture
def two_terms():
    main = TermFactory(name="2020–2025", start_year=2020, end_year=2025, is_current=True, levels=ABOVE_SUB)
    cells = TermFactory(name="2020–2022", start_year=2020, end_year=2022, is_current=True, levels=[Level.SUB])
    return main, cells


def test_each_level_has_the_current_term_that_covers_it(two_terms):
    main, cells = two_terms
    terms = current_terms()
    assert terms.for_level(Level.PROVINCE) == main
    assert terms.for_level(Level.GRASSROOTS) == main
    assert terms.for_level(Level.SUB) == cells
    assert terms.terms == [main, cells]
    assert terms.primary == main == current_term()
    assert current_term(Level.SUB) == cells
    assert terms.pairs() == [(main.pk, ABOVE_SUB), (cells.pk, [Level.SUB])]


def test_a_term_for_every_level_is_one_pair_without_levels():
    term = TermFactory(is_current=True)
    assert current_terms().pairs() == [(term.pk, None)]


def test_a_past_term_is_not_current_for_a_level_no_current_term_covers():
    TermFactory(name="2015–2020", start_year=2015, end_year=2020, is_current=False)
    main = TermFactory(name="2020–2025", start_year=2020, end_year=2025, is_current=True, levels=ABOVE_SUB)
    terms = current_terms()
    assert terms.for_level(Level.PROVINCE) == main
    assert terms.for_level(Level.SUB) is None


def test_without_any_current_term_the_latest_covers_each_level():
    TermFactory(name="2015–2020", start_year=2015, end_year=2020, is_current=False)
    latest = TermFactory(name="2020–2025", start_year=2020, end_year=2025, is_current=False)
    assert current_terms().for_level(Level.SUB) == latest


def test_two_current_terms_cannot_cover_the_same_level(two_terms):
    clash = Term(name="2021–2026", start_year=2021, end_year=2026, is_current=True, levels=[Level.SUB, Level.UPPER])
    with pytest.raises(ValidationError) as exc:
        clash.full_clean()
    assert "is_current" in exc.value.message_dict
    clash.is_current = False
    clash.full_clean()  # not current: no clash


def test_unknown_levels_are_refused():
    with pytest.raises(ValidationError) as exc:
        Term(name="x", start_year=2020, end_year=2021, levels=["district"]).full_clean()
    assert "levels" in exc.value.message_dict


def test_a_congress_belongs_to_a_term_covering_its_level(two_terms):
    main, cells = two_terms
    cell = UnitFactory(level=Level.SUB)
    with pytest.raises(ValidationError) as exc:
        services.congress_create(unit=cell, term=main, planned_date=dt.date(2020, 5, 1))
    assert "term" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.congresses_bulk_create(term=main, specs=[services.CongressSpec(unit=cell)])
    change = services.congress_create(unit=cell, term=cells, planned_date=dt.date(2020, 5, 1))
    assert change.congress.term == cells


def test_the_reminder_scan_takes_each_unit_in_its_levels_term(two_terms, settings):
    from reminders.models import Kind
    from reminders.services import reminders_scan
    from tests.factories import SecretaryFactory

    main, cells = two_terms
    grassroots = UnitFactory(level=Level.GRASSROOTS)
    cell = UnitFactory(level=Level.SUB, parent=grassroots)
    secretary_g = SecretaryFactory(unit=grassroots)
    secretary_c = SecretaryFactory(unit=cell)
    day = dt.date(2020, 4, 1)
    for unit, term in ((grassroots, main), (cell, cells)):
        congress = services.congress_create(unit=unit, term=term, planned_date=day + dt.timedelta(days=60)).congress
        congress.milestones.update(due_date=None)
        first = congress.milestones.order_by("step__order").first()
        first.due_date = day + dt.timedelta(days=3)
        first.save(update_fields=["due_date"])
    result = reminders_scan(kind=Kind.DAILY, day=day, dry_run=True)
    recipients = {row.recipient_id for row in result.rows}
    assert recipients == {secretary_g.pk, secretary_c.pk}
