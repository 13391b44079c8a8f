"""The unit dashboard's headline numbers (DOMAIN.md "Numbers the dashboards must show"),
computed from the maintained roll-ups, and its fixed query count."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, SecretaryFactory
from committees import services as unit_services
from committees.importing import Row, import_units
from committees.models import Level, Unit
from congresses import services
from congresses.models import Congress, MilestoneStatus, Term
from progress import rollups
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def setup(db):
    user = AdminFactory(username="admin")
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    services.plan_apply_default(term=term)
    root = unit_services.unit_create(code="P", name="Province", level=Level.PROVINCE)
    bloc = unit_services.unit_create(code="K", name="Bloc", level=Level.UPPER, parent=root)
    cells = [
        unit_services.unit_create(code=f"G{i}", name=f"Cell {i}", level=Level.GRASSROOTS, parent=bloc)
        for i in range(3)
    ]
    subs = [
        unit_services.unit_create(code=f"S{i}", name=f"Sub {i}", level=Level.SUB, parent=cells[0])
        for i in range(2)
    ]
    return user, term, root, bloc, cells, subs


def test_headline_counts_follow_registration_holding_and_reopening(setup):
    user, term, root, bloc, cells, subs = setup
    for i, unit in enumerate(cells + subs):
        services.congress_create(
            unit=unit, term=term, user=user, planned_date=TODAY + dt.timedelta(days=10 + i),
            registered_on=TODAY if i % 2 == 0 else None, is_pilot=(i == 0),
        )
    d = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
    assert d.totals.units_total == 5
    assert (d.totals.registered, d.totals.held) == (3, 0)  # "3/5 registered"
    c0 = Congress.objects.get(unit=cells[0])
    services.congress_update(congress=c0, user=user, data={"held_on": TODAY, "status": "held"})
    d = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
    assert d.totals.held == 1 and d.totals.pilots_held == 1 and d.totals.pilots == 1
    assert {r["level"]: (r["held"], r["units"]) for r in d.totals.by_level()} == {
        "grassroots": (1, 3), "sub": (0, 2)}  # "1/3 grassroots held", "0/2 sub-grassroots held"
    plan_step = next(s for s in d.steps if s.step.code == "plan")
    assert (plan_step.done, plan_step.total) == (0, 5)
    milestone = c0.milestones.get(step__code="plan")
    services.milestone_update(milestone=milestone, user=user, status=MilestoneStatus.DONE, done_on=TODAY)
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    assert next(s for s in d.steps if s.step.code == "plan").done == 1  # "plan issued: 1/5"
    services.milestone_update(milestone=milestone, user=user, status=MilestoneStatus.IN_PROGRESS)
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    assert next(s for s in d.steps if s.step.code == "plan").done == 0
    assert rollups.differences() == []


def test_overdue_counts_follow_a_moved_congress_date(setup):
    user, term, root, bloc, cells, subs = setup
    congress = services.congress_create(unit=cells[1], term=term, user=user, planned_date=TODAY + dt.timedelta(days=100)).congress
    assert unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY).totals.overdue == 0
    # Moving the congress 100 days earlier puts every "N days before" step in the past.
    services.congress_update(congress=congress, user=user, data={"planned_date": TODAY})
    d = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
    assert d.totals.overdue == congress.milestones.filter(due_date__lt=TODAY).count() > 0
    row = next(r for r in d.children if r.unit == cells[1])
    assert row.light == "late"


def test_counts_follow_a_unit_that_changes_parent(setup):
    user, term, root, bloc, cells, subs = setup
    services.congress_create(unit=subs[0], term=term, user=user, planned_date=TODAY)
    other = unit_services.unit_create(code="K2", name="Bloc 2", level=Level.UPPER, parent=root)
    unit_services.unit_move(unit=cells[0], new_parent=other)
    assert unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY).totals.units_total == 2
    d = unit_dashboard(unit=other, terms=current_terms(), today=TODAY)
    assert d.totals.units_total == 3 and d.totals.steps_total > 0
    assert rollups.differences() == []


def _tree(size: int, term, user) -> Unit:
    rows = [Row(2, "R", "", "Root", "province", "")]
    provinces = max(1, size // 200)
    for p in range(provinces):
        rows.append(Row(len(rows) + 2, f"TU{p}", "R", f"Upper {p}", "upper", ""))
    i = 0
    while len(rows) < size:
        rows.append(Row(len(rows) + 2, f"TG{i}", f"TU{i % provinces}", f"Cell {i}", "grassroots", ""))
        i += 1
    assert import_units(rows).ok
    root = Unit.objects.get(code="R")
    for unit in Unit.objects.filter(parent=root):
        services.congress_create(unit=unit, term=term, user=user, planned_date=TODAY)
    for unit in Unit.objects.filter(level="grassroots")[:30]:
        services.congress_create(unit=unit, term=term, user=user, planned_date=TODAY)
    rollups.rebuild()
    return root


@pytest.mark.parametrize("size", [10, 2000])
def test_dashboard_costs_a_fixed_number_of_queries(setup, client, django_assert_max_num_queries, size):
    user, term, *_ = setup
    root = _tree(size, term, user)
    client.force_login(user)
    # 14: the twelve of the counts, one for the congress documents tile (the unit's own
    # documents and the document roll-ups of its subtree in one UNION ALL, documents.selectors),
    # and one for the personnel plans below (personnel_plancount, a fixed cost whatever the
    # size of the tree, paid only when the cached body is rendered; issue 13); 15: the
    # petition counts of the unit and its children (own cases UNION ALL the roll-up; issue 14).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dashboards:unit_dashboard", args=[root.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dashboards:unit_dashboard_json", args=[root.pk]))
    assert response.json()["subtree"]["units"] == size - 1


def test_out_of_scope_user_gets_404_on_dashboard_and_json(setup, client):
    user, term, root, bloc, cells, subs = setup
    outsider = SecretaryFactory(username="sec", unit=cells[2])
    client.force_login(outsider)
    for name in ("dashboards:unit_dashboard", "dashboards:unit_dashboard_json"):
        assert client.get(reverse(name, args=[bloc.pk])).status_code == 404
        assert client.get(reverse(name, args=[cells[2].pk])).status_code == 200
