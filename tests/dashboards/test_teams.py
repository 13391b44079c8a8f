"""Issue 11 on the dashboards: "subcommittees set up: 57/60" and "followed: 135/135" per
level below a unit (tile, briefing, JSON, XLSX/CSV), read from their roll-ups within the
dashboard's query pin; the "subcommittees set up", "followed", "working group" and
"followed by" filters of the unit lists and their exports; a member's "my units" with
each unit's light."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from congresses import services as congress_services
from congresses.models import SubcommitteeKind
from tests.factories import CongressFactory, UserFactory
from workgroups import services as wg

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 5, 20, 9, tzinfo=dt.UTC)
DECIDED = dt.date(2025, 3, 1)


@pytest.fixture
def world(tree, term, admin_user):
    """Both communes with a congress, commune A's subcommittees set up; a group of the
    province following commune A through a member who signs in, and cell A1 by two groups."""
    with time_machine.travel(NOW, tick=False):
        a = CongressFactory(unit=tree.commune_a, term=term, planned_date=dt.date(2025, 7, 15))
        CongressFactory(unit=tree.commune_b, term=term, planned_date=dt.date(2025, 7, 20))
        congress_services.subcommittee_create(
            congress=a, user=admin_user, kind=SubcommitteeKind.DOCUMENTS, decision_number="12-QĐ/ĐU",
            decision_date=dt.date(2025, 5, 2), head=congress_services.Person("Nguyễn Văn Trưởng"))
    group = wg.group_create(unit=tree.province, term=term, number=1, name="Tổ công tác số 1",
                            decision_number="1668-QĐ/TU", decision_date=DECIDED, user=admin_user)
    other = wg.group_create(unit=tree.province, term=term, number=2, name="Tổ công tác số 2",
                            decision_number="1669-QĐ/TU", decision_date=DECIDED, user=admin_user)
    member_user = UserFactory(username="to_vien", full_name="Bùi Văn Cường", role=None)
    member = wg.member_add(group=group, person=member_user, user=admin_user, on=DECIDED)
    wg.assignment_add(member=member, unit=tree.commune_a, user=admin_user, on=DECIDED)
    wg.group_unit_add(group=group, unit=tree.cell_a1, user=admin_user, on=DECIDED)
    wg.group_unit_add(group=other, unit=tree.cell_a1, user=admin_user, on=DECIDED)
    return {"group": group, "member": member, "member_user": member_user}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return re.findall(r'<tr data-code="([^"]*)"', response.content.decode())


def test_the_dashboard_shows_subcommittees_set_up_and_units_followed_per_level(
    world, tree, admin_user, client_for, django_assert_max_num_queries,
):
    client = client_for(admin_user)
    with django_assert_max_num_queries(15):  # the dashboard's pin (12, the documents tile, the personnel counts, the petition counts): the counts are read in its queries
        page = client.get(reverse("dashboards:unit_dashboard", args=[tree.province.pk])).content.decode()
    units = reverse("dashboards:unit_units", args=[tree.province.pk])
    assert re.search(r'id="count-subcommittees-upper" href="[^"]*subcommittees=no">1/2</a>', page)
    assert re.search(rf'id="count-followed-upper" href="{units}\?level=upper&amp;followed=no"[^>]*>1/2</a>', page)
    assert re.search(r'id="count-followed-grassroots" [^>]*>1/2</a>', page)
    assert re.search(r'id="count-followed-twice-grassroots" [^>]*>1</a>', page)

    data = client.get(reverse("dashboards:unit_dashboard_json", args=[tree.province.pk])).json()["subtree"]
    assert (data["subcommittees"], data["congresses"], data["followed"], data["followed_twice"]) == (1, 2, 2, 1)
    assert data["teams_by_level"]["upper"] == {"congresses": 2, "subcommittees": 1, "units": 2, "followed": 1,
                                               "followed_twice": 0}
    briefing = client.get(reverse("dashboards:unit_briefing", args=[tree.province.pk])).content.decode()
    assert 'id="teams-by-level"' in briefing


def test_the_dashboard_workbook_has_the_counts(world, tree, admin_user, client_for):
    response = client_for(admin_user).get(reverse("dashboards:unit_dashboard_xlsx", args=[tree.province.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r[1:3] for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert rows["Upper-grassroots: subcommittees set up"] == (1, 2)
    assert rows["Upper-grassroots: followed by a working group"] == (1, 2)
    assert rows["Grassroots: followed twice"][0] == 1


def test_the_unit_lists_filter_by_subcommittees_and_working_groups(world, tree, admin_user, client_for):
    client = client_for(admin_user)
    url = reverse("dashboards:unit_units", args=[tree.province.pk])
    assert _codes(client.get(url, {"subcommittees": "yes"})) == ["A"]
    assert _codes(client.get(url, {"subcommittees": "no"})) == ["B"]  # of the units with a congress
    assert _codes(client.get(url, {"followed": "no"})) == ["A2", "B"]
    assert _codes(client.get(url, {"followed": "twice"})) == ["A1"]
    assert _codes(client.get(url, {"working_group": world["group"].pk})) == ["A", "A1"]
    assert _codes(client.get(url, {"followed_by": world["member"].pk})) == ["A"]
    page = client.get(url, {"followed_by": world["member"].pk}).content.decode()
    assert "Tổ công tác số 2" in page  # offered in the form

    csv = client.get(reverse("dashboards:unit_units_csv", args=[tree.province.pk]), {"followed": "no"})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert ",A2," in body and ",B," in body and ",A1," not in body


def test_a_user_who_does_not_see_a_group_cannot_filter_by_it(world, tree, secretary_b, client_for):
    url = reverse("dashboards:unit_units", args=[tree.commune_b.pk])
    page = client_for(secretary_b).get(url, {"working_group": world["group"].pk}).content.decode()
    assert "Tổ công tác số 1" not in page


@time_machine.travel(NOW, tick=False)
def test_my_units_shows_each_units_light_and_reasons(world, tree, client_for):
    page = client_for(world["member_user"]).get(reverse("workgroups:my_units")).content.decode()
    row = re.search(r'<tr data-unit="A">.*?</tr>', page, re.S).group(0)
    # Commune A's plan step "issue the congress plan" fell due 16/04/2025 and is not done.
    assert 'class="light light-late"' in row
    assert "overdue step" in row
