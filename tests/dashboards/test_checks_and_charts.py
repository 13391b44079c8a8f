"""The bottom-up and deadline checks, the server-drawn pictures and the briefing report."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import AdminFactory, SecretaryFactory
from committees import services as unit_services
from committees.models import Level
from congresses import services
from congresses.models import Congress, LevelDeadline, Term
from dashboards import charts
from congresses.selectors import current_terms
from dashboards.selectors import unit_dashboard

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def tree(db):
    user = AdminFactory(username="admin")
    term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True)
    services.plan_apply_default(term=term)
    LevelDeadline.objects.create(term=term, level=Level.GRASSROOTS, deadline=dt.date(2026, 7, 1))
    LevelDeadline.objects.create(term=term, level=Level.UPPER, deadline=dt.date(2026, 8, 1))
    root = unit_services.unit_create(code="P", name="Province", level=Level.PROVINCE)
    bloc = unit_services.unit_create(code="K", name="Bloc", level=Level.UPPER, parent=root)
    cells = [unit_services.unit_create(code=f"G{i}", name=f"Cell {i}", level=Level.GRASSROOTS, parent=bloc)
             for i in range(3)]
    return user, term, root, bloc, cells


def _open(user, term, unit, day, pilot=False):
    return services.congress_create(unit=unit, term=term, user=user, planned_date=day, is_pilot=pilot).congress


def test_bottom_up_check_counts_a_superior_dated_before_its_subordinates(tree):
    user, term, root, bloc, cells = tree
    upper = _open(user, term, bloc, dt.date(2026, 6, 20))
    _open(user, term, cells[0], dt.date(2026, 6, 10))
    assert unit_dashboard(unit=root, terms=current_terms(), today=TODAY).totals.before_subordinates == 0
    late_cell = _open(user, term, cells[1], dt.date(2026, 6, 25))  # after its superior: wrong order
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    assert d.totals.before_subordinates == 1
    with translation.override("en"):
        early = unit_dashboard(unit=root, terms=current_terms(), today=dt.date(2025, 12, 1))  # nothing overdue yet
    assert (early.children[0].light, early.children[0].reason) == ("at_risk", "dated before a subordinate unit's congress")
    # The bloc's own dashboard says it about itself.
    with translation.override("en"):
        own = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
        assert any("before one of its subordinate" in issue for issue in own.own_issues)
    # Moving the superior's date after every subordinate clears it.
    services.congress_update(congress=upper, user=user, data={"planned_date": dt.date(2026, 6, 30)})
    assert unit_dashboard(unit=root, terms=current_terms(), today=TODAY).totals.before_subordinates == 0
    # So does moving the late subordinate's date back.
    services.congress_update(congress=upper, user=user, data={"planned_date": dt.date(2026, 6, 20)})
    assert unit_dashboard(unit=root, terms=current_terms(), today=TODAY).totals.before_subordinates == 1
    services.congress_update(congress=late_cell, user=user, data={"planned_date": dt.date(2026, 6, 15)})
    assert unit_dashboard(unit=root, terms=current_terms(), today=TODAY).totals.before_subordinates == 0


def test_deadline_check_counts_congresses_after_their_levels_deadline(tree):
    user, term, root, bloc, cells = tree
    _open(user, term, cells[0], dt.date(2026, 6, 30))  # on the last day: fine
    c1 = _open(user, term, cells[1], dt.date(2026, 7, 2))  # grassroots deadline 01/07
    _open(user, term, bloc, dt.date(2026, 7, 20))  # upper deadline 01/08: fine
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    assert d.after_deadline == 1
    # Held earlier than planned: the held date is what counts.
    services.congress_update(congress=c1, user=user, data={"held_on": dt.date(2026, 6, 28), "status": "held"})
    assert unit_dashboard(unit=root, terms=current_terms(), today=TODAY).after_deadline == 0
    assert unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY).checks == 0


def test_calendar_counts_congresses_per_week_with_pilots_and_deadlines(tree):
    user, term, root, bloc, cells = tree
    _open(user, term, cells[0], dt.date(2026, 6, 8), pilot=True)  # Monday
    _open(user, term, cells[1], dt.date(2026, 6, 14))  # Sunday of the same week
    _open(user, term, cells[2], dt.date(2026, 6, 22))
    cal = charts.calendar_chart(unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY))
    weeks = {c.start: (c.pilots, c.others) for c in cal.columns if c.total}
    assert weeks == {dt.date(2026, 6, 8): (1, 1), dt.date(2026, 6, 22): (0, 1)}
    assert not cal.by_month
    labels = [line["label"] for line in cal.lines]
    assert any("01/07/2026" in label for label in labels)  # the grassroots deadline is drawn
    assert any("01/08/2026" in label for label in labels)  # the bloc's own (upper) deadline too
    # Bars are scaled to the busiest week.
    tallest = max(b["h"] for b in cal.bars if b["cls"] == "others")
    assert any(b["cls"] == "pilots" and b["h"] == tallest for b in cal.bars)


def test_calendar_switches_to_months_over_a_long_span(tree):
    user, term, root, bloc, cells = tree
    _open(user, term, cells[0], dt.date(2026, 1, 5))
    _open(user, term, cells[1], dt.date(2028, 3, 1))
    cal = charts.calendar_chart(unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY))
    assert cal.by_month and len(cal.columns) == 27
    assert sum(c.total for c in cal.columns) == 2


def test_no_calendar_without_dates_or_deadlines_and_children_bars_split_done_open_overdue(tree):
    user, term, root, bloc, cells = tree
    LevelDeadline.objects.filter(term=term).delete()
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    assert charts.calendar_chart(d) is None
    _open(user, term, cells[0], TODAY + dt.timedelta(days=3))  # steps due before it are overdue
    d = unit_dashboard(unit=root, terms=current_terms(), today=TODAY)
    (bar,) = charts.children_chart(d)["bars"]
    counts = {s["cls"]: s["n"] for s in bar.segments}
    congress = Congress.objects.get(unit=cells[0])
    assert counts["late"] == congress.milestones.filter(due_date__lt=TODAY).count() > 0
    assert sum(counts.values()) == congress.milestones.count()


def test_calendar_draws_the_deadlines_of_the_levels_below_before_any_date(tree, english):
    user, term, root, bloc, cells = tree
    cal = charts.calendar_chart(unit_dashboard(unit=root, terms=current_terms(), today=TODAY))
    labels = [line["label"] for line in cal.lines]
    assert any("01/07/2026" in label and "Grassroots" in label for label in labels)
    assert any("01/08/2026" in label for label in labels)
    assert sum(c.total for c in cal.columns) == 0


def test_dashboard_and_briefing_render_the_pictures(tree, client):
    user, term, root, bloc, cells = tree
    _open(user, term, cells[0], dt.date(2026, 6, 8), pilot=True)
    _open(user, term, bloc, dt.date(2026, 6, 1))
    client.force_login(user)
    page = client.get(reverse("dashboards:unit_dashboard", args=[root.pk])).content.decode()
    for chart in ('class="chart chart-calendar chart-wide"', 'class="chart chart-calendar chart-narrow"',
                  'id="children-table"', 'id="children-legend"'):
        assert chart in page
    assert f'href="{reverse("dashboards:unit_dashboard", args=[bloc.pk])}"' in page  # each child row's links
    assert f'href="{reverse("dashboards:unit_units", args=[bloc.pk])}?missing=held"' in page
    briefing = client.get(reverse("dashboards:unit_briefing", args=[root.pk]))
    assert briefing.status_code == 200
    text = briefing.content.decode()
    assert "chart-calendar" in text and "data-print" in text  # static/js/actions.js prints
    assert "Bloc" in text  # the bloc is dated before its cell: it needs attention


def test_briefing_is_scoped(tree, client):
    user, term, root, bloc, cells = tree
    outsider = SecretaryFactory(username="sec", unit=cells[2])
    client.force_login(outsider)
    assert client.get(reverse("dashboards:unit_briefing", args=[bloc.pk])).status_code == 404
    assert client.get(reverse("dashboards:unit_briefing", args=[cells[2].pk])).status_code == 200


def test_json_carries_the_checks_and_the_calendar(tree, client):
    user, term, root, bloc, cells = tree
    _open(user, term, bloc, dt.date(2026, 6, 20))
    _open(user, term, cells[0], dt.date(2026, 7, 5), pilot=True)  # after the bloc and after its deadline
    client.force_login(user)
    data = client.get(reverse("dashboards:unit_dashboard_json", args=[root.pk])).json()
    assert data["checks"]["before_subordinates"] == 1 and data["checks"]["after_deadline"] == 1
    assert data["subtree"]["before_subordinates"] == 1
    assert {"level": "grassroots", "date": "2026-07-05", "congresses": 1, "pilots": 1} in data["calendar"]
    assert data["deadlines"]["grassroots"] == "2026-07-01"


def test_svg_numbers_use_a_dot_in_vietnamese_and_names_are_escaped(tree, client):
    user, term, root, bloc, cells = tree
    bloc.name = "Bloc <script>alert(1)</script>"
    bloc.save()
    for i, cell in enumerate(cells):
        _open(user, term, cell, dt.date(2026, 6, 8) + dt.timedelta(days=9 * i), pilot=i == 0)
    client.force_login(user)
    with translation.override("vi"):
        page = client.get(reverse("dashboards:unit_dashboard", args=[root.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    import re

    text = page.content.decode()
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    assert len(svgs) == 2  # the calendar, wide and narrow
    for svg in svgs:
        for value in re.findall(r'\s(?:x|y|width|height|x1|x2|y1|y2|cx|cy)="([^"]*)"', svg):
            assert re.fullmatch(r"-?[0-9.]+", value), value
    # The children's bars: width classes, no style attribute (the Content-Security-Policy).
    bars = re.findall(r'<span class="stack"[^>]*><span class="seg-done w-(\d+)"></span><span class="seg-late w-(\d+)">', text)
    assert bars and all(int(done) + int(late) <= 100 for done, late in bars)
    assert ' style="' not in text
    assert "<script>alert(1)</script>" not in text


def test_children_are_listed_once_worst_first_each_a_link(tree, client):
    user, term, root, bloc, cells = tree
    late = _open(user, term, cells[1], dt.date(2026, 7, 20))  # after the grassroots deadline 01/07
    _open(user, term, cells[2], dt.date(2026, 6, 20))
    d = unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY)
    rows = charts.children_chart(d)["bars"]
    # Both dated cells are late (steps overdue, or after the deadline); the cell without a
    # congress is only at risk while its deadline is ahead: it comes last, though first by name.
    assert rows[-1].row.unit == cells[0] and rows[-1].light == "at_risk"
    assert [b.light for b in rows] == sorted((b.light for b in rows), key=lambda light: {"late": 0, "at_risk": 1, "on_track": 2}[light])
    client.force_login(user)
    page = client.get(reverse("dashboards:unit_dashboard", args=[bloc.pk])).content.decode()
    for cell in cells:  # once each, and a link to its dashboard
        assert page.count(f">{cell.name}<") == 1
        assert f'<a href="{reverse("dashboards:unit_dashboard", args=[cell.pk])}">{cell.name}</a>' in page
    assert page.index(f">{late.unit.name}<") < page.index(f">{cells[0].name}<")
    assert 'id="children-legend"' in page


def test_calendar_ticks_fall_on_the_first_of_the_month_and_today_sits_above_the_bars(tree):
    user, term, root, bloc, cells = tree
    _open(user, term, cells[0], dt.date(2026, 5, 13))
    _open(user, term, cells[1], dt.date(2026, 6, 24))
    for kwargs in ({}, {"width": charts.NARROW_WIDTH, "font": 13}):
        cal = charts.calendar_chart(unit_dashboard(unit=bloc, terms=current_terms(), today=TODAY), **kwargs)
        assert not cal.by_month
        week = next(c for c in cal.columns if c.start <= dt.date(2026, 6, 1) < c.start + dt.timedelta(days=7))
        tick = next(t for t in cal.ticks if t["label"] == "06/2026")
        # 01/06/2026 is a Monday: the tick is where its day is, not a week late or early.
        assert abs(tick["x"] - (week.x + week.w * (dt.date(2026, 6, 1) - week.start).days / 7)) < 0.1
        today = next(line for line in cal.lines if line["cls"] == "today")
        assert today["label_y"] < cal.plot_top  # in the band above the plot, not on a bar
        ys = [line["label_y"] for line in cal.lines]
        assert len(ys) == len(set(ys))  # one row per label: none on another
