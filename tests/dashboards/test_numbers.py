"""Numbers users can trust (issue 9, points 1–5): per-level registered/held/pilots held,
the unit's own deadline with the days left, one date a congress counts on, every problem
of a row worst first, and a leaf unit's own checklist."""

from __future__ import annotations

import datetime as dt
import html as html_text
import re

import pytest
import time_machine
from django.urls import reverse

from congresses import services
from congresses.models import Congress, Light, MilestoneStatus
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard
from tests.dashboards.test_exports import read_csv, read_xlsx
from tests.factories import AdminFactory, CongressFactory

pytestmark = pytest.mark.django_db

# The `term` fixture's deadlines: grassroots 30/06/2025, upper 31/08/2025, province 31/10/2025.
TODAY = dt.date(2025, 8, 1)


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC), tick=False)


def _text(html: str, element_id: str) -> str:
    """The text of an element, tags stripped."""
    start = html.index(f'id="{element_id}"')
    fragment = html[html.index(">", start) + 1:]
    return re.sub(r"<[^>]+>", "", fragment[: fragment.index("</dd>") if "</dd>" in fragment[:400] else 200]).strip()


@pytest.fixture
def admin(db):
    return AdminFactory(username="admin")


@pytest.fixture
def english_client(client_for, admin):
    return client_for(admin)  # English chosen in the switcher: the portal ignores Accept-Language


# --- 1. Registered, held and pilots held per level ------------------------------------------


def test_registered_held_and_pilots_per_level_everywhere(tree, term, admin, english_client):
    CongressFactory(unit=tree.commune_a, term=term, registered_on=dt.date(2025, 5, 1), planned_date=dt.date(2025, 8, 20))
    c1 = CongressFactory(unit=tree.cell_a1, term=term, registered_on=dt.date(2025, 5, 2), is_pilot=True,
                         planned_date=dt.date(2025, 6, 10))
    services.congress_update(congress=c1, user=admin, data={"held_on": dt.date(2025, 6, 10), "status": "held"})
    CongressFactory(unit=tree.cell_a2, term=term, planned_date=dt.date(2025, 6, 20))
    with _at(TODAY):
        html = english_client.get(reverse("dashboards:unit_dashboard", args=[tree.province.pk])).content.decode()
        data = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.province.pk])).json()
        xlsx = read_xlsx(english_client.get(reverse("dashboards:unit_dashboard_xlsx", args=[tree.province.pk])))
        briefing = english_client.get(reverse("dashboards:unit_briefing", args=[tree.province.pk])).content.decode()
    base = reverse("dashboards:unit_units", args=[tree.province.pk])
    for element_id, shown, query in (
        ("count-registered-grassroots", "1/2", "level=grassroots&amp;missing=registered"),
        ("count-registered-upper", "1/2", "level=upper&amp;missing=registered"),
        ("count-held-grassroots", "1/2", "level=grassroots&amp;missing=held"),
        ("count-pilots-held-grassroots", "1/1", "level=grassroots&amp;pilot=yes&amp;missing=held"),
    ):
        assert f'id="{element_id}" href="{base}?{query}">{shown}</a>' in html
        assert f'href="{base}?{query}">{shown}</a>' in briefing
    assert data["subtree"]["by_level"] == {
        "upper": {"units": 2, "registered": 1, "held": 0, "pilots": 0, "pilots_held": 0},
        "grassroots": {"units": 2, "registered": 1, "held": 1, "pilots": 1, "pilots_held": 1},
    }
    summary = {r[0]: r[1:] for r in xlsx["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["Grassroots: congress date registered"][:2] == (1, 2)
    assert summary["Upper-grassroots: congress date registered"][:2] == (1, 2)
    assert summary["Grassroots: pilot congresses held"][:2] == (1, 1)


# --- 2. The deadline that applies to the unit, and the days left -----------------------------


def test_the_units_own_deadline_and_days_left_wherever_its_congress_date_is(tree, term, english_client):
    congress = CongressFactory(unit=tree.commune_a, term=term, planned_date=dt.date(2025, 8, 20))
    with _at(TODAY):  # upper deadline 31/08/2025: 30 days left
        pages = {
            "dashboard": english_client.get(reverse("dashboards:unit_dashboard", args=[tree.commune_a.pk])),
            "briefing": english_client.get(reverse("dashboards:unit_briefing", args=[tree.commune_a.pk])),
            "unit": english_client.get(reverse("committees:unit_detail", args=[tree.commune_a.pk])),
            "congress": english_client.get(congress.get_absolute_url()),
        }
        data = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.commune_a.pk])).json()
        without = english_client.get(reverse("committees:unit_detail", args=[tree.commune_b.pk])).content.decode()
    for name, response in pages.items():
        text = re.sub(r"<[^>]+>", "", response.content.decode())
        assert "31/08/2025" in text and "30 days left" in text, name
    assert data["deadline"] == {"level": "upper", "date": "2025-08-31", "days_left": 30}
    assert "31/08/2025" in without  # no congress opened yet: the deadline still shows


def test_the_deadline_shows_days_past_once_it_has_gone(tree, term, english_client):
    with _at(dt.date(2025, 9, 3)):
        html = english_client.get(reverse("dashboards:unit_dashboard", args=[tree.commune_b.pk])).content.decode()
    assert "3 days ago" in re.sub(r"<[^>]+>", "", html)


# --- 3. One date a congress counts on ---------------------------------------------------------


def test_a_congress_held_after_its_planned_date_shows_the_held_date_everywhere(tree, term, admin, english_client):
    cell = CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 7, 16))
    services.congress_update(congress=cell, user=admin, data={"held_on": dt.date(2025, 7, 18), "status": "held"})
    with _at(TODAY):
        dashboard = english_client.get(reverse("dashboards:unit_dashboard", args=[tree.commune_a.pk])).content.decode()
        briefing = english_client.get(reverse("dashboards:unit_briefing", args=[tree.commune_a.pk])).content.decode()
        unit_page = english_client.get(reverse("committees:unit_detail", args=[tree.commune_a.pk])).content.decode()
        data = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.commune_a.pk])).json()
        rows = read_csv(english_client.get(reverse("dashboards:unit_dashboard_csv", args=[tree.commune_a.pk])))
        leaf = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.cell_a1.pk])).json()
        congress_page = english_client.get(cell.get_absolute_url()).content.decode()
    row = dashboard[dashboard.index(f'id="child-{tree.cell_a1.pk}"'):]
    assert "18/07/2025" in row[: row.index("</tr>")] and "16/07/2025" not in row[: row.index("</tr>")]
    for html in (briefing, unit_page):
        row = html[html.index("Chi bộ thôn 1"):]
        assert "18/07/2025" in row[: row.index("</tr>")]
    child = next(c for c in data["children"] if c["code"] == "A1")
    assert child["congress"]["date"] == "2025-07-18" and child["congress"]["planned_date"] == "2025-07-16"
    by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_code["A1"]["Congress date"] == "18/07/2025"
    assert leaf["congress"]["date"] == "2025-07-18"
    assert _text(congress_page, "congress-date").startswith("18/07/2025")


# --- 4. Every problem of a row, worst first ---------------------------------------------------


def test_a_rows_light_and_reasons_give_every_problem_worst_first(tree, term, english_client):
    # The commune is dated before its cell (bottom-up break) and has steps overdue.
    CongressFactory(unit=tree.commune_a, term=term, planned_date=dt.date(2025, 8, 10))
    CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 8, 20))  # after its deadline too
    with _at(TODAY):
        data = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.province.pk])).json()
        html = english_client.get(reverse("dashboards:unit_dashboard", args=[tree.province.pk])).content.decode()
    row = next(c for c in data["children"] if c["code"] == "A")
    assert row["light"] == Light.LATE
    reasons = row["reasons"]
    assert re.fullmatch(r"\d+ overdue steps?", reasons[0])  # late first
    assert "dated before a subordinate unit's congress" in reasons
    assert any(r.endswith("overdue steps below") or r.endswith("overdue step below") for r in reasons)
    assert reasons.index("dated before a subordinate unit's congress") > 0
    assert row["reason"] == "; ".join(reasons)
    tr = html[html.index(f'id="child-{tree.commune_a.pk}"'):]
    tr = tr[: tr.index("</tr>")]
    assert all(reason in html_text.unescape(tr) for reason in reasons)  # DTL wrote &#x27;, Jinja &#39;


def test_a_cell_dated_after_its_deadline_is_late_even_without_overdue_steps(tree, term):
    CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 7, 10))  # deadline 30/06/2025
    d = unit_dashboard(unit=tree.commune_a, terms=current_terms(), today=dt.date(2025, 1, 2))  # nothing due yet
    row = next(r for r in d.children if r.unit == tree.cell_a1)
    assert row.light == Light.LATE and len(row.reasons) == 1 and "30/06/2025" in row.reasons[0]


# --- 5. A leaf unit's dashboard ---------------------------------------------------------------


def test_a_leaf_units_dashboard_shows_its_own_congress_and_checklist(tree, term, admin, english_client):
    congress = CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 8, 20))
    plan = congress.milestones.get(step__code="plan")
    services.milestone_update(milestone=plan, user=admin, status=MilestoneStatus.DONE, done_on=dt.date(2025, 7, 1))
    steps = congress.milestones.count()
    with _at(TODAY):
        html = english_client.get(reverse("dashboards:unit_dashboard", args=[tree.cell_a1.pk])).content.decode()
        data = english_client.get(reverse("dashboards:unit_dashboard_json", args=[tree.cell_a1.pk])).json()
    overdue = Congress.objects.get(pk=congress.pk).milestones.exclude(status=MilestoneStatus.DONE).filter(
        due_date__lt=TODAY).count()
    assert _text(html, "own-steps").startswith(f"1/{steps}")
    assert 'id="own-step-plan"' in html and html.count('id="own-step-') == steps
    assert f"{overdue} overdue" in _text(html, "own-steps")
    assert not re.search(r">0/0<", html)  # no empty bars
    assert [(s["done"], s["total"]) for s in data["steps"]][:1] == [(1, 1)] and len(data["steps"]) == steps
    assert sum(item["overdue"] for item in data["checklist"]) == overdue
    assert data["congress"]["steps_done"] == 1


def test_a_leaf_dashboard_costs_fewer_queries(tree, term, english_client, django_assert_max_num_queries):
    CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 8, 20))
    with django_assert_max_num_queries(9):  # 8, and the unit's own open petitions (issue 14)
        assert english_client.get(reverse("dashboards:unit_dashboard", args=[tree.cell_a1.pk])).status_code == 200

