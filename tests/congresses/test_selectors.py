"""Reads for pages (congresses.selectors): the unit page with one row per subordinate unit,
at a fixed number of queries; the audit history; the current term."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from committees.models import Level
from congresses.models import MilestoneStatus
from congresses.selectors import congress_history, current_term, current_terms, unit_overview
from congresses.services import congress_update, milestone_complete, milestone_update
from tests.factories import CongressFactory, TermFactory, UnitFactory

TODAY = dt.date(2025, 5, 20)


def _unit_page(client, unit):
    return client.get(reverse("committees:unit_detail", args=[unit.pk]))


# --- Unit page ------------------------------------------------------------------------------


def test_unit_overview_has_one_row_per_child_with_its_congress_and_progress(
    tree, congress_a, congress_cell, secretary_cell
):
    milestone_complete(milestone=congress_cell.milestones.get(step__code="plan"), user=secretary_cell,
                       done_on=dt.date(2025, 3, 1))

    overview = unit_overview(unit=tree.commune_a, terms=current_terms(), today=TODAY)

    assert [a.pk for a in overview.ancestors] == [tree.province.pk]
    assert overview.congress == congress_a
    assert len(overview.milestones) == 11
    rows = {row.unit.code: row for row in overview.children}
    assert set(rows) == {"A1", "A2"}
    assert rows["A1"].congress == congress_cell
    assert (rows["A1"].steps_done, rows["A1"].steps_total) == (1, 11)
    assert rows["A1"].percent_done == 9
    assert rows["A2"].congress is None and rows["A2"].steps_total == 0


def test_overdue_counts_open_milestones_past_due(tree, congress_cell):
    # Cell congress on 10/06/2025: plan due 12/03, subcommittees 22/03, register 27/03,
    # drafts 11/04, comments 26/04, personnel 01/05, subordinates 21/05.
    overview = unit_overview(unit=tree.commune_a, terms=current_terms(), today=TODAY)
    row = next(r for r in overview.children if r.unit.code == "A1")
    assert row.overdue == 6


def test_unit_page_lists_children_with_congress_date_and_completion(client_for, viewer, tree, congress_a, congress_b):
    with time_machine.travel(dt.datetime(2025, 5, 20, 9, tzinfo=dt.UTC)):
        page = _unit_page(client_for(viewer), tree.province).content.decode()
    for name, date in (("Đảng bộ xã An Phú", "15/07/2025"), ("Đảng bộ xã Bình Minh", "20/07/2025")):
        row = page[page.index(name):]
        row = row[: row.index("</tr>")]
        assert date in row
        assert '<span class="num">0/11</span>' in row
    assert '<span class="count">2</span>' in page  # two subordinate units


def test_unit_page_marks_children_without_congress(client_for, secretary_a, tree, term):
    page = _unit_page(client_for(secretary_a), tree.commune_a).content.decode()
    assert page.count("not opened") == 2


@pytest.mark.parametrize("children", [2, 12])
def test_unit_page_costs_a_fixed_number_of_queries_whatever_the_children(
    client_for, secretary_a, tree, term, congress_a, django_assert_max_num_queries, children
):
    for n in range(children):
        cell = UnitFactory(level=Level.GRASSROOTS, parent=tree.commune_a)
        congress = CongressFactory(unit=cell, term=term, planned_date=dt.date(2025, 6, 1))
        if n % 2:
            milestone_complete(milestone=congress.milestones.get(step__code="plan"), user=secretary_a,
                               done_on=dt.date(2025, 3, 1))
    client = client_for(secretary_a)
    _unit_page(client, tree.commune_a)  # warm the session

    # Session, user, the user's unit (scope), the unit, the current term, ancestors,
    # children, the term with its deadlines, the congress, its milestones, the bottom-up
    # warning, the children's congresses: 13, with 2 children or 12.
    with django_assert_max_num_queries(13):
        response = _unit_page(client, tree.commune_a)

    assert response.status_code == 200
    assert response.content.decode().count('<span class="num">') == children + 1


def test_unit_page_without_any_term(client_for, viewer, tree):
    response = _unit_page(client_for(viewer), tree.province)
    assert response.status_code == 200
    assert "No term has been set up yet." in response.content.decode()


# --- History --------------------------------------------------------------------------------


def test_history_lists_each_change_newest_first_with_who_and_before_after(english, congress_a, secretary_a, admin_user):
    plan = congress_a.milestones.get(step__code="plan")
    milestone_update(milestone=plan, user=secretary_a, status=MilestoneStatus.DONE, done_on=dt.date(2025, 4, 10))
    congress_update(congress=congress_a, user=admin_user, data={"planned_date": dt.date(2025, 7, 20)})

    history = congress_history(congress_a)

    changed = [e for e in history if e.changes]
    latest_congress = next(e for e in changed if e.subject == "Congress")
    assert latest_congress.who == admin_user
    assert [(c.field, c.old, c.new) for c in latest_congress.changes] == [("congress date", "15/07/2025", "20/07/2025")]
    tick = next(e for e in changed if e.who == secretary_a)
    assert tick.subject == "Issue the congress plan"
    assert ("status", "Not started", "Done") in [(c.field, c.old, c.new) for c in tick.changes]
    assert ("date done", "—", "10/04/2025") in [(c.field, c.old, c.new) for c in tick.changes]
    assert history == sorted(history, key=lambda e: e.when, reverse=True)


def test_history_starts_with_the_creation_of_the_congress_and_its_milestones(congress_a):
    history = congress_history(congress_a)
    assert len(history) == 12
    assert all(not e.changes for e in history)


def test_history_hides_saves_that_changed_nothing_shown(congress_a, secretary_a):
    congress_update(congress=congress_a, user=secretary_a, data={})
    assert len(congress_history(congress_a)) == 12


# --- Term -----------------------------------------------------------------------------------


def test_current_term_is_the_one_marked_current(term):
    TermFactory(start_year=2030, is_current=False)
    assert current_term() == term


def test_without_a_current_term_the_latest_is_used(db):
    TermFactory(start_year=2020, is_current=False)
    latest = TermFactory(start_year=2025, is_current=False)
    assert current_term() == latest
