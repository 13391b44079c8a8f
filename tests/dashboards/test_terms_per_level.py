"""Terms per level on the pages (issue 9, point 6; seed 001: cells on 2020–2022 under a bloc
on 2020–2025): the dashboards, lists, exports, JSON, unit page and "my unit" take each unit
in the term current for its level, at the dashboard's pinned query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from committees.models import Level
from committees.services import unit_create
from congresses import services
from congresses.models import Congress, MilestoneStatus
from congresses.selectors import current_terms
from dashboards import cache as dashboard_cache
from dashboards.selectors import unit_dashboard
from progress import rollups
from tests.dashboards.test_exports import read_csv
from tests.dashboards.test_lists import codes
from tests.factories import AdminFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db

ABOVE_SUB = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS]
TODAY = dt.date(2020, 4, 10)


@pytest.fixture
def world(db):
    """A bloc with two grassroots units on 2020–2025 and, under the first, two cells on
    their own 2020–2022 term: one held, one with a step overdue."""
    admin = AdminFactory(username="admin")
    main = TermFactory(name="2020–2025", start_year=2020, end_year=2025, is_current=True, levels=ABOVE_SUB)
    cells_term = TermFactory(name="2020–2022", start_year=2020, end_year=2022, is_current=True, levels=[Level.SUB])
    bloc = unit_create(code="K", name="Khối", level=Level.UPPER)
    g1 = unit_create(code="G1", name="Cơ sở 1", level=Level.GRASSROOTS, parent=bloc)
    g2 = unit_create(code="G2", name="Cơ sở 2", level=Level.GRASSROOTS, parent=bloc)
    s1 = unit_create(code="S1", name="Chi bộ 1", level=Level.SUB, parent=g1)
    s2 = unit_create(code="S2", name="Chi bộ 2", level=Level.SUB, parent=g1)
    services.congress_create(unit=g1, term=main, user=admin, planned_date=dt.date(2020, 6, 1))
    held = services.congress_create(unit=s1, term=cells_term, user=admin, planned_date=dt.date(2020, 3, 1),
                                    registered_on=dt.date(2020, 1, 10)).congress
    services.congress_update(congress=held, user=admin, data={"held_on": dt.date(2020, 3, 2), "status": "held"})
    services.congress_create(unit=s2, term=cells_term, user=admin, planned_date=dt.date(2020, 4, 20))
    return admin, main, cells_term, bloc, g1, g2, s1, s2


def test_the_dashboard_counts_cells_in_their_own_term(world):
    admin, main, cells_term, bloc, g1, g2, s1, s2 = world
    d = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
    by_level = {row["level"]: row for row in d.totals.by_level()}
    assert (by_level["sub"]["held"], by_level["sub"]["registered"], by_level["sub"]["units"]) == (1, 1, 2)
    assert d.totals.held == 1
    steps = {s.step.code: s for s in d.steps}
    cell_milestones = Congress.objects.filter(term=cells_term).count()
    assert steps["plan"].total == 1 + cell_milestones  # g1's plan and the cells' plan, one row
    overdue = sum(
        c.milestones.exclude(status=MilestoneStatus.DONE).filter(due_date__lt=TODAY).count()
        for c in Congress.objects.all()
    )
    assert d.totals.overdue == overdue > 0
    assert {r.level for r in d.dates} == {"grassroots", "sub"}
    row = next(r for r in d.children if r.unit == g1)
    assert row.totals.held == 1  # its cells, in their term
    assert rollups.differences() == []


def test_the_list_exports_and_json_take_each_unit_in_its_levels_term(world, client, django_assert_max_num_queries):
    admin, main, cells_term, bloc, g1, g2, s1, s2 = world
    client.force_login(admin)
    # two current terms, the same pin as one: 12 + the documents tile + the personnel counts
    # + the petition counts
    with django_assert_max_num_queries(15):
        assert client.get(reverse("dashboards:unit_dashboard", args=[bloc.pk])).status_code == 200
    base = reverse("dashboards:unit_units", args=[bloc.pk])
    assert codes(client.get(f"{base}?status=held")) == ["S1"]
    assert codes(client.get(f"{base}?registered=yes")) == ["S1"]
    assert codes(client.get(f"{base}?step=plan")) == ["G1", "S1", "S2"]  # the step of both terms' plans
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the switcher's choice: Accept-Language is ignored
    rows = read_csv(client.get(reverse("dashboards:unit_units_csv", args=[bloc.pk])))
    by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_code["S1"]["Congress date"] == "02/03/2020" and by_code["S2"]["Congress date"] == "20/04/2020"
    data = client.get(reverse("dashboards:unit_dashboard_json", args=[g1.pk])).json()
    assert {c["code"]: c["congress"]["date"] for c in data["children"]} == {"S1": "2020-03-02", "S2": "2020-04-20"}
    assert data["terms"] == [{"name": "2020–2025", "levels": ABOVE_SUB}, {"name": "2020–2022", "levels": ["sub"]}]


def test_the_unit_page_my_unit_and_opening_a_congress_use_the_cells_term(world, client):
    admin, main, cells_term, bloc, g1, g2, s1, s2 = world
    client.force_login(admin)
    page = client.get(reverse("committees:unit_detail", args=[s1.pk])).content.decode()
    assert "2020–2022" in page and "02/03/2020" in page
    page = client.get(reverse("committees:unit_detail", args=[g1.pk])).content.decode()
    assert "02/03/2020" in page and "20/04/2020" in page  # its cells' congresses in their term
    secretary = UserFactory(username="sec", role=Role.SECRETARY, unit=s2)
    client.force_login(secretary)
    congress = Congress.objects.get(unit=s2)
    assert client.get(reverse("congresses:my_unit")).status_code == 200
    assert client.get(reverse("congresses:my_unit")).context["congress"] == congress
    s3 = unit_create(code="S3", name="Chi bộ 3", level=Level.SUB, parent=g1)
    client.force_login(admin)
    response = client.post(reverse("congresses:congress_start", args=[s3.pk]))
    assert response.status_code == 302
    assert Congress.objects.get(unit=s3).term == cells_term


def test_the_cached_dashboard_is_keyed_by_every_current_term(world):
    admin, main, cells_term, bloc, *_ = world
    both = dashboard_cache.body_key(bloc.pk, [main.pk, cells_term.pk], TODAY, "vi")
    assert f":{main.pk}-{cells_term.pk}:" in both
    assert both != dashboard_cache.body_key(bloc.pk, [main.pk], TODAY, "vi")

