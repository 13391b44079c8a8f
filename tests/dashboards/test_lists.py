"""The list of the units behind a dashboard's counts (/units/<pk>/units/): each filter, the
"missing ones first" orderings, sorting, pagination that keeps the filters, the links of
every dashboard count, the scope, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from committees.importing import Row, import_units
from committees.models import Level, Unit
from congresses import services
from congresses.models import Congress, Milestone, MilestoneStatus
from progress import rollups
from dashboards import views as dashboard_views
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard
from tests.factories import UnitFactory, ViewerFactory

TODAY = dt.date(2025, 5, 1)
NOW = dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(term, tree, admin_user):
    """The conftest tree plus a sub-grassroots unit, with congresses in every state::

        province
        ├── A  commune, registered, plan done        15/07/2025
        │   ├── A1 cell, pilot, registered, held 20/04/2025, plan done
        │   │   └── S  sub, not registered           20/05/2025 (so A1 is before its subordinate)
        │   └── A2 cell, no congress
        └── B  commune, pilot, not registered        05/09/2025 (after the upper deadline 31/08)
    """
    t = tree
    sub = UnitFactory(code="S", name="Tổ đảng 1", level=Level.SUB, kind="group", parent=t.cell_a1)
    user = admin_user
    a = services.congress_create(unit=t.commune_a, term=term, user=user, planned_date=dt.date(2025, 7, 15),
                                 registered_on=dt.date(2025, 4, 1)).congress
    b = services.congress_create(unit=t.commune_b, term=term, user=user, planned_date=dt.date(2025, 9, 5),
                                 is_pilot=True).congress
    a1 = services.congress_create(unit=t.cell_a1, term=term, user=user, planned_date=dt.date(2025, 4, 20),
                                  registered_on=dt.date(2025, 4, 2), is_pilot=True).congress
    services.congress_update(congress=a1, user=user, data={"held_on": dt.date(2025, 4, 20), "status": "held"})
    s = services.congress_create(unit=sub, term=term, user=user, planned_date=dt.date(2025, 5, 20)).congress
    for congress in (a, a1):
        services.milestone_update(milestone=congress.milestones.get(step__code="plan"), user=user,
                                  status=MilestoneStatus.DONE, done_on=dt.date(2025, 3, 1))
    return SimpleNamespace(**vars(t), sub=sub, term=term, a=a, b=b, a1=a1, s=s)


def list_url(unit, query: str = "") -> str:
    return reverse("dashboards:unit_units", args=[unit.pk]) + (f"?{query}" if query else "")


def codes(response) -> list[str]:
    """The codes of the rows of a list page, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'<tr data-code="([^"]*)"', response.content.decode())


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


# --- The rows -------------------------------------------------------------------------------


def test_list_shows_every_unit_below_with_its_congress(world, admin_client):
    response = admin_client.get(list_url(world.province))
    assert sorted(codes(response)) == ["A", "A1", "A2", "B", "S"]  # not the province itself
    html = response.content.decode()
    assert "5 units" in html
    row = re.search(r'<tr data-code="A1">(.*?)</tr>', html, re.S).group(1)
    assert "20/04/2025" in row and "02/04/2025" in row  # held on, registered on
    assert "Held" in row and "pilot" in row
    assert "Đảng bộ xã An Phú" in row  # the parent
    assert reverse("dashboards:unit_dashboard", args=[world.cell_a1.pk]) in row
    row = re.search(r'<tr data-code="A2">(.*?)</tr>', html, re.S).group(1)
    assert "No congress" in row


def test_list_of_a_unit_lists_its_subtree_only(world, admin_client):
    assert sorted(codes(admin_client.get(list_url(world.commune_a)))) == ["A1", "A2", "S"]
    response = admin_client.get(list_url(world.commune_b))
    assert codes(response) == []
    assert "This unit has no subordinate units." in response.content.decode()


def _expected_overdue() -> set[str]:
    return set(
        Milestone.objects.exclude(status=MilestoneStatus.DONE).filter(due_date__lt=TODAY)
        .values_list("congress__unit__code", flat=True)
    )


@pytest.mark.parametrize(("query", "expected"), [
    ("level=upper", {"A", "B"}),
    ("level=sub", {"S"}),
    ("kind=cell", {"A1", "A2"}),
    ("q=bình", {"B"}),
    ("q=a1", {"A1"}),
    ("q=  ", {"A", "A1", "A2", "B", "S"}),
    ("status=held", {"A1"}),
    ("status=preparing", {"A", "B", "S"}),
    ("status=postponed", set()),
    ("status=none", {"A2"}),
    ("pilot=yes", {"B", "A1"}),
    ("pilot=no", {"A", "A2", "S"}),
    ("registered=yes", {"A", "A1"}),
    ("registered=no", {"B", "A2", "S"}),
    ("step=plan", {"A", "B", "A1", "S"}),
    ("step=plan&step_done=no", {"B", "S"}),
    ("step=plan&step_done=yes", {"A", "A1"}),
    ("step=subcommittees", {"A", "B", "A1"}),  # not a sub-grassroots step
    ("step_done=no", {"A", "A1", "A2", "B", "S"}),  # without a step: nothing to filter
    ("date_from=01/05/2025&date_to=15/07/2025", {"A", "S"}),
    ("date_from=2025-05-01&date_to=2025-07-15", {"A", "S"}),
    ("date_to=30/04/2025", {"A1"}),  # held on 20/04: the date it was held counts
    ("check=before_subordinates", {"A1"}),
    ("check=after_deadline", {"B"}),
    ("level=grassroots&status=none", {"A2"}),
])
def test_each_filter(world, admin_client, query, expected):
    assert set(codes(admin_client.get(list_url(world.province, query)))) == expected


def test_overdue_filter_keeps_the_units_with_an_unfinished_step_past_due(world, admin_client):
    overdue = _expected_overdue()
    assert overdue and overdue != {"A", "A1", "A2", "B", "S"}
    assert set(codes(admin_client.get(list_url(world.province, "overdue=yes")))) == overdue
    assert set(codes(admin_client.get(list_url(world.province, "overdue=no")))) == {"A", "A1", "A2", "B", "S"} - overdue


def test_an_invalid_value_is_shown_and_ignored(world, admin_client):
    response = admin_client.get(list_url(world.province, "level=nowhere&status=held&date_from=31/31/2025"))
    assert set(codes(response)) == {"A1"}
    assert 'class="errorlist' in response.content.decode()


def test_the_heading_says_what_the_list_is(world, admin_client):
    html = admin_client.get(list_url(world.province, "level=upper&missing=registered")).content.decode()
    assert "Units below Tỉnh ủy Thử nghiệm" in html
    # It names the gap, not only the list's size (issue 10, point 8: "953/1008").
    registered = Congress.objects.filter(unit__level="upper", registered_on__isnull=False).count()
    upper = Unit.objects.filter(level="upper").count()
    assert upper - registered > 0
    assert f"Congress date not registered: {upper - registered} unit{'s' if upper - registered > 1 else ''} of {upper}, listed first" in html
    assert "Level: Upper-grassroots" in html
    html = admin_client.get(list_url(world.province, "step=plan&missing=step")).content.decode()
    assert re.search(r"Step “[^”]+” not done: \d+ units? of \d+, listed first", html)


def test_empty_state_when_nothing_matches(world, admin_client):
    response = admin_client.get(list_url(world.province, "status=postponed"))
    assert codes(response) == []
    html = response.content.decode()
    assert "No unit below this one matches these filters." in html
    assert f'href="{list_url(world.province)}"' in html


def test_rows_are_ready_for_phones(world, admin_client):
    html = admin_client.get(list_url(world.province)).content.decode()
    row = re.search(r'<tr data-code="A">(.*?)</tr>', html, re.S).group(1)
    assert row.count("<td") == row.count("data-label=") == 11


# --- The missing ones first -----------------------------------------------------------------


def _split(rows: list[str], missing: set[str]) -> tuple[list[str], list[str]]:
    n = len([r for r in rows if r in missing])
    return rows[:n], rows[n:]


def test_missing_registered_puts_the_unregistered_first(world, admin_client):
    rows = codes(admin_client.get(list_url(world.province, "missing=registered&ordering=code")))
    assert rows == ["A2", "B", "S", "A", "A1"]  # missing ones by code, then the others by code
    rows = codes(admin_client.get(list_url(world.province, "missing=registered&ordering=-code")))
    assert rows == ["S", "B", "A2", "A1", "A"]


def test_missing_held_by_level(world, admin_client):
    assert codes(admin_client.get(list_url(world.province, "level=grassroots&missing=held"))) == ["A2", "A1"]
    assert codes(admin_client.get(list_url(world.province, "pilot=yes&missing=held"))) == ["B", "A1"]


def test_missing_date_and_congress(world, admin_client):
    assert codes(admin_client.get(list_url(world.province, "missing=congress")))[0] == "A2"
    assert codes(admin_client.get(list_url(world.province, "missing=date")))[0] == "A2"


def test_missing_step_puts_the_units_that_have_not_done_it_first(world, admin_client):
    rows = codes(admin_client.get(list_url(world.province, "step=plan&missing=step&ordering=code")))
    assert rows == ["B", "S", "A", "A1"]
    # Without a step, `missing=step` has nothing to order by: the tree order.
    assert codes(admin_client.get(list_url(world.province, "missing=step"))) == codes(admin_client.get(list_url(world.province)))


def test_missing_steps_puts_the_fewest_done_first(world, admin_client):
    html = admin_client.get(list_url(world.province, "missing=steps")).content.decode()
    done = [int(n) for n in re.findall(r'class="num">(\d+)/\d+<', html)]
    assert done == sorted(done)
    assert codes(admin_client.get(list_url(world.province, "missing=steps")))[0] == "A2"  # nothing at all


# --- Sorting --------------------------------------------------------------------------------


@pytest.mark.parametrize(("ordering", "expected"), [
    ("code", ["A", "A1", "A2", "B", "S"]),
    ("-code", ["S", "B", "A2", "A1", "A"]),
    ("level", ["A", "B", "A1", "A2", "S"]),  # top down, not alphabetical
    ("-level", ["S", "A1", "A2", "A", "B"]),
    ("date", ["A1", "S", "A", "B", "A2"]),  # no date last
    ("-date", ["B", "A", "S", "A1", "A2"]),  # no date last either way
    ("status", ["A2", "A", "S", "B", "A1"]),  # no congress, preparing (in tree order), held
    ("-steps", ["A1", "A", "B", "S", "A2"]),
])
def test_ordering(world, admin_client, ordering, expected):
    rows = codes(admin_client.get(list_url(world.province, f"ordering={ordering}")))
    if ordering in ("-level", "-steps"):  # ties keep the tree order; compare the groups
        assert rows[0] == expected[0] and set(rows) == set(expected)
    else:
        assert rows == expected


def test_ordering_by_name_is_vietnamese_on_every_database(world, admin_client):
    rows = codes(admin_client.get(list_url(world.province, "ordering=name")))
    # Chi bộ thôn 1, Chi bộ thôn 2, Đảng bộ xã An Phú, Đảng bộ xã Bình Minh, Tổ đảng 1: "Đ"
    # after "D" and before "T" (committees.names), on SQLite as on PostgreSQL.
    assert rows == ["A1", "A2", "A", "B", "S"]


def test_ordering_by_overdue_descending(world, admin_client):
    html = admin_client.get(list_url(world.province, "ordering=-overdue")).content.decode()
    counts = [int(n or 0) for n in re.findall(r'data-label="Overdue">(?:<span class="tag late">)?(\d+)', html)]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_column_headers_link_to_their_ordering_and_keep_the_filters(world, admin_client):
    html = admin_client.get(list_url(world.province, "level=upper&ordering=code&page=1")).content.decode()
    links = {
        parse_qs(urlsplit(href.replace("&amp;", "&")).query)["ordering"][0]: parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        for href in re.findall(r'<a href="([^"]+)" class="sort"', html)
    }
    assert set(links) == {"name", "-code", "level", "date", "status", "steps", "-overdue"}
    assert all(q["level"] == ["upper"] and "page" not in q for q in links.values())
    assert 'aria-sort="ascending"' in html


# --- Pagination -----------------------------------------------------------------------------


def test_pagination_keeps_the_filters(world, admin_client, monkeypatch):
    monkeypatch.setattr(dashboard_views, "UNIT_LIST_PAGE_SIZE", 2)
    first = admin_client.get(list_url(world.province, "missing=registered&ordering=code"))
    assert codes(first) == ["A2", "B"]
    html = first.content.decode()
    assert "5 units" in html and "Page 1 of 3" in html
    nxt = re.search(r'<a href="\?([^"]+)">Next', html).group(1).replace("&amp;", "&")
    assert parse_qs(nxt) == {"missing": ["registered"], "ordering": ["code"], "page": ["2"]}
    second = admin_client.get(list_url(world.province, nxt))
    assert codes(second) == ["S", "A"]
    # The exports link to every row, not the page.
    assert "page=" not in re.search(r'id="export-xlsx" href="([^"]+)"', second.content.decode()).group(1)
    assert codes(admin_client.get(list_url(world.province, "missing=registered&ordering=code&page=3"))) == ["A1"]


# --- Every count of the dashboard links to the units behind it -----------------------------


def _link(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}" href="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_dashboard_counts_link_to_the_units_behind_them(world, admin_client):
    d = unit_dashboard(unit=world.province, terms=current_terms(), today=TODAY)
    t = d.totals
    html = admin_client.get(reverse("dashboards:unit_dashboard", args=[world.province.pk])).content.decode()
    statuses = dict(Congress.objects.values_list("unit__code", "status"))
    registered = set(Congress.objects.filter(registered_on__isnull=False).values_list("unit__code", flat=True))

    rows = codes(admin_client.get(_link(html, "count-units")))
    assert len(rows) == t.units_total == 5

    rows = codes(admin_client.get(_link(html, "count-registered")))
    missing, rest = _split(rows, {"A", "A1", "A2", "B", "S"} - registered)
    assert len(rows) == t.units_total and len(missing) == t.units_total - t.registered == 3
    assert not set(missing) & registered and set(rest) == registered

    rows = codes(admin_client.get(_link(html, "count-held")))
    held = {code for code, status in statuses.items() if status == "held"}
    assert len(rows) == t.units_total and set(rows[t.units_total - t.held:]) == held == {"A1"}

    rows = codes(admin_client.get(_link(html, "count-pilots-held")))
    assert len(rows) == t.pilots == 2 and rows[t.pilots - t.pilots_held:] == ["A1"]

    for level_row in t.by_level():
        rows = codes(admin_client.get(_link(html, f"count-held-{level_row['level']}")))
        assert len(rows) == level_row["units"]
        assert len([r for r in rows if statuses.get(r) != "held"]) == level_row["units"] - level_row["held"]

    for step_row in d.steps:
        rows = codes(admin_client.get(_link(html, f"count-step-{step_row.step.code}")))
        assert len(rows) == step_row.total  # the units whose congress has the step
        not_done = set(
            Milestone.objects.filter(step=step_row.step).exclude(status=MilestoneStatus.DONE)
            .values_list("congress__unit__code", flat=True)
        )
        assert set(rows[: step_row.total - step_row.done]) == not_done

    overdue_page = admin_client.get(_link(html, "count-overdue")).content.decode()
    counts = [int(n) for n in re.findall(r'data-label="Overdue"><span class="tag late">(\d+)', overdue_page)]
    assert sum(counts) == t.overdue > 0 and counts == sorted(counts, reverse=True)

    rows = codes(admin_client.get(_link(html, "count-steps")))
    assert rows[0] == "A2"

    # The checks.
    assert len(codes(admin_client.get(list_url(world.province, "check=before_subordinates")))) == t.before_subordinates == 1
    assert len(codes(admin_client.get(list_url(world.province, "check=after_deadline")))) == d.after_deadline == 1
    assert f'href="{list_url(world.province)}?check=before_subordinates"' in html
    assert f'href="{list_url(world.province)}?check=after_deadline"' in html


def test_child_rows_link_to_the_childs_list(world, admin_client):
    html = admin_client.get(reverse("dashboards:unit_dashboard", args=[world.province.pk])).content.decode()
    href = f'{list_url(world.commune_a)}?missing=held'
    assert f'href="{href}"' in html
    rows = codes(admin_client.get(href))
    d = unit_dashboard(unit=world.commune_a, terms=current_terms(), today=TODAY)
    assert len(rows) == d.totals.units_total == 3
    assert rows[d.totals.units_total - d.totals.held:] == ["A1"]
    assert f'href="{list_url(world.commune_a)}?missing=steps"' in html


# --- Scope ----------------------------------------------------------------------------------


def test_login_required(world, client_for):
    response = client_for(None).get(list_url(world.province))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_out_of_scope_users_get_404(world, client_for, secretary_b, secretary_cell, viewer):
    assert client_for(secretary_b).get(list_url(world.commune_a)).status_code == 404
    assert client_for(secretary_b).get(list_url(world.province)).status_code == 404
    assert client_for(secretary_cell).get(list_url(world.commune_a)).status_code == 404
    outsider = ViewerFactory(username="outsider", unit=world.commune_b)
    assert client_for(outsider).get(list_url(world.province)).status_code == 404
    nobody = ViewerFactory(username="nobody", unit=None)
    assert client_for(nobody).get(list_url(world.province)).status_code == 404
    # In scope: their own subtree.
    assert sorted(codes(client_for(secretary_cell).get(list_url(world.cell_a1)))) == ["S"]
    assert sorted(codes(client_for(viewer).get(list_url(world.province)))) == ["A", "A1", "A2", "B", "S"]


def test_breadcrumbs_link_only_within_scope(world, client_for, secretary_a):
    html = client_for(secretary_a).get(list_url(world.cell_a1)).content.decode()
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', html, re.S).group(0)
    assert reverse("dashboards:unit_dashboard", args=[world.province.pk]) not in crumbs
    assert reverse("dashboards:unit_dashboard", args=[world.commune_a.pk]) in crumbs


# --- Cost -----------------------------------------------------------------------------------


def _big_tree(size: int, term, user) -> Unit:
    """A root, a few upper units and `size` units in all, a congress for most of them."""
    rows = [Row(2, "R", "", "Root", "province", "")]
    uppers = max(1, size // 100)
    for p in range(uppers):
        rows.append(Row(len(rows) + 2, f"TU{p}", "R", f"Upper {p}", "upper", "commune"))
    i = 0
    while len(rows) < size:
        rows.append(Row(len(rows) + 2, f"TG{i}", f"TU{i % uppers}", f"Cell {i}", "grassroots", "cell"))
        i += 1
    assert import_units(rows).ok
    root = Unit.objects.get(code="R")
    specs = [
        services.CongressSpec(unit=u, planned_date=TODAY + dt.timedelta(days=n % 90 - 20), is_pilot=n % 17 == 0,
                              registered_on=TODAY - dt.timedelta(days=30) if n % 3 else None)
        for n, u in enumerate(Unit.objects.exclude(pk=root.pk).order_by("pk")) if n % 7
    ]
    services.congresses_bulk_create(term=term, specs=specs, user=user)
    rollups.rebuild()
    return root


LIST_QUERIES = 9  # user, unit, term, its steps, count, rows, breadcrumbs; the menu's notifications;
# the working groups and members the "working group" and "followed by" filters offer (one query, issue 11)

QUERIES = [
    "",
    "missing=registered&ordering=-date",
    "overdue=yes&ordering=-overdue",
    "step=plan&missing=step&level=grassroots",
    "check=after_deadline&status=preparing&q=cell&page=2",
    "check=after_deadline",
]


@pytest.mark.parametrize("size", [8, 400])
def test_list_costs_a_fixed_number_of_queries(term, admin_user, client_for, django_assert_max_num_queries, size):
    root = _big_tree(size, term, admin_user)
    client = client_for(admin_user)
    for query in QUERIES:
        with django_assert_max_num_queries(LIST_QUERIES):
            response = client.get(list_url(root, query))
        assert response.status_code == 200
        if size > 100 and "page" not in query:  # rows found: the rows' query ran too
            assert codes(response)
    assert f"{size - 1} units" in client.get(list_url(root)).content.decode()
