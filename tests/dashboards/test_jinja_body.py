"""The dashboard's body and child rows are Jinja templates (templates/jinja2/, core.jinja):
they are translated with the DTL msgids, escape what the data say, print the charts as
markup, and the DTL briefing and quarterly pack still show the tiles they share with them
(core.templatetags.shared_markup)."""

import datetime as dt

import pytest
import time_machine
from django.template import engines
from django.urls import reverse

from committees.models import Level
from core.markup import progress
from tests.factories import CongressFactory, UnitFactory

NOW = dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
HOSTILE = "Xã <script>alert(1)</script>"
ESCAPED = "Xã &lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(tree, term, admin_user):
    """The conftest tree, commune A's congress planned (so the calendar has a chart) with
    its first steps overdue, and a commune whose name is markup, with a cell below it."""
    CongressFactory(unit=tree.commune_a, term=term, planned_date=dt.date(2025, 7, 15))
    hostile = UnitFactory(code="H", name=HOSTILE, level=Level.UPPER, kind="commune", parent=tree.province)
    UnitFactory(code="H1", name="Chi bộ 1", level=Level.GRASSROOTS, kind="cell", parent=hostile)
    return hostile


def _page(client_for, admin_user, name, unit, language="en"):
    response = client_for(admin_user, language=language).get(reverse(name, args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("language", "labels"), [
    ("en", ["Term 2025–2030 · as of 01/05/2025", "<h2>Units below", "<h2>Subordinate units",
            "Upper-grassroots deadline: 31/08/2025"]),
    ("vi", ["Nhiệm kỳ 2025–2030 · số liệu đến ngày 01/05/2025", "<h2>Đơn vị cấp dưới", "<h2>Đơn vị trực thuộc",
            "Thời hạn của"]),
])
def test_the_body_is_translated_with_the_dtl_msgids(world, tree, admin_user, client_for, language, labels):
    page = _page(client_for, admin_user, "dashboards:unit_dashboard", tree.province, language)
    for label in labels:
        assert label in page


def test_a_units_name_is_escaped_in_the_body_and_in_its_row(world, tree, admin_user, client_for):
    parent = _page(client_for, admin_user, "dashboards:unit_dashboard", tree.province)
    own = _page(client_for, admin_user, "dashboards:unit_dashboard", world)
    assert f'<a href="{reverse("dashboards:unit_dashboard", args=[world.pk])}">{ESCAPED}</a>' in parent
    assert f"<h1>{ESCAPED}</h1>" in own
    assert "<script>alert" not in parent + own


def test_the_calendar_chart_and_the_rows_are_markup_not_text(world, tree, admin_user, client_for):
    page = _page(client_for, admin_user, "dashboards:unit_dashboard", tree.province)
    assert '<div class="chart-wrap"><svg' in page
    assert f'<tr id="child-{tree.commune_a.pk}" data-risk=' in page
    assert "&lt;svg" not in page and "&lt;tr" not in page


def test_the_overdue_plural_is_counted_in_both_languages(tree, term, admin_user, client_for):
    CongressFactory(unit=tree.commune_a, term=term, planned_date=dt.date(2025, 7, 15))
    with time_machine.travel(dt.datetime(2025, 7, 1, 3, tzinfo=dt.UTC), tick=False):
        en = _page(client_for, admin_user, "dashboards:unit_dashboard", tree.commune_a)
        vi = _page(client_for, admin_user, "dashboards:unit_dashboard", tree.commune_a, "vi")
    assert 'id="own-steps"' in en and " overdue</span>" in en.split('id="own-steps"')[1].split("</dd>")[0]
    assert " bước quá hạn</span>" in vi.split('id="own-steps"')[1].split("</dd>")[0]


def test_the_briefing_and_the_pack_show_the_shared_tiles_through_the_jinja_tag(world, tree, admin_user,
                                                                                 client_for):
    briefing = _page(client_for, admin_user, "dashboards:unit_briefing", tree.province)
    pack = _page(client_for, admin_user, "briefings:pack", tree.province)
    units_url = reverse("dashboards:unit_units", args=[tree.province.pk])
    assert f'<a id="count-units-upper" href="{units_url}?level=upper">3</a>' in briefing  # links=True
    assert 'id="by-level"' in pack and 'id="count-units-upper"' not in pack  # links=False
    assert '<td data-label="Units">3</td>' in pack
    assert '<td data-label="Followed by a working group">0/3</td>' in briefing  # units_url="": no links
    assert 'id="count-followed-upper"' not in briefing


def test_the_progress_bar_rounds_like_widthratio():
    assert progress(1, 3) == ('<span class="progress" title="1/3"><span class="bar"><span class="w-33"></span></span>'
                              ' <span class="num">1/3</span></span>')
    assert 'class="w-0"' in progress(0, 0) and 'class="w-100"' in progress(5, 5)
    assert 'class="w-67"' in engines["django"].from_string("{% load shared_markup %}{% progress 2 3 %}").render({})
    assert 'class="w-67"' in engines["jinja2"].from_string("{{ progress(2, 3) }}").render({})


def test_the_texts_kept_per_language_follow_the_active_language():
    from django.utils import translation

    template = engines["jinja2"].from_string('{{ _("Units below") }}|{{ _("Congress calendar") }}')
    with translation.override("vi"):
        vi = template.render({})
    with translation.override("en"):
        en = template.render({})
    with translation.override("vi"):
        assert template.render({}) == vi
    assert en == "Units below|Congress calendar"
    assert vi.startswith("Đơn vị cấp dưới|") and vi != en
