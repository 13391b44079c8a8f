"""The briefing's annex (dashboards.briefing): every unit below missing something or late,
worst first, ranked in the query; at most ANNEX_MAX named, the rest counted and pointed to
the unit list, on the page and in the Word file."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.urls import reverse

from committees.models import Level
from congresses.selectors import current_terms
from dashboards import briefing
from dashboards.selectors import unit_dashboard
from tests.factories import CongressFactory, UnitFactory

pytestmark = pytest.mark.django_db

# The `term` fixture's deadlines: grassroots 30/06/2025, upper 31/08/2025.
TODAY = dt.date(2025, 8, 1)


@pytest.fixture
def province_briefing(tree, term):
    """Below the province: a commune without a congress; communes with steps overdue
    (their dates are near, so some steps are due), one not registered, one dated after
    its deadline; cells in every state."""
    communes = [UnitFactory(code=f"K{i}", name=f"Đảng bộ xã Kiểm {i}", level=Level.UPPER, kind="commune",
                            parent=tree.province) for i in range(6)]
    CongressFactory(unit=communes[1], term=term, planned_date=dt.date(2025, 8, 5), registered_on=dt.date(2025, 3, 1))
    CongressFactory(unit=communes[2], term=term, planned_date=dt.date(2025, 8, 20))  # not registered
    CongressFactory(unit=communes[3], term=term, planned_date=dt.date(2025, 9, 20),  # after 31/08
                    registered_on=dt.date(2025, 3, 1))
    CongressFactory(unit=communes[4], term=term, planned_date=dt.date(2025, 12, 1), registered_on=dt.date(2025, 3, 1))
    CongressFactory(unit=tree.cell_a1, term=term, planned_date=dt.date(2025, 6, 10), registered_on=dt.date(2025, 3, 1))
    CongressFactory(unit=tree.cell_a2, term=term, planned_date=dt.date(2025, 7, 20))
    return unit_dashboard(unit=tree.province, terms=current_terms(), today=TODAY)


def _python_rank(row: briefing.AnnexRow) -> tuple:
    """The order the annex promises, computed in Python from the row's own columns."""
    u = row.unit
    after = bool(u.congress_date and u.level_deadline and u.congress_date > u.level_deadline)
    return (u.congress_pk is not None, -(u.steps_overdue or 0), u.registered_on is not None, not after, u.path)


def test_the_annex_is_ranked_worst_first_and_counts_what_it_does_not_name(province_briefing, monkeypatch, english):
    whole = briefing.unit_briefing(province_briefing)
    ranks = [_python_rank(r) for r in whole.annex]
    assert ranks == sorted(ranks) and len(whole.annex) >= 5
    assert not whole.annex_cut and whole.annex_total == len(whole.annex)
    assert whole.annex[0].problems == ["no congress opened"]
    assert whole.not_registered == sum(r.unit.registered_on is None for r in whole.annex)

    monkeypatch.setattr(briefing, "ANNEX_MAX", 3)
    cut = briefing.unit_briefing(province_briefing)
    assert [r.unit.pk for r in cut.annex] == [r.unit.pk for r in whole.annex[:3]]
    assert (cut.annex_total, cut.not_registered, cut.annex_cut) == (whole.annex_total, whole.not_registered, True)


def test_a_cut_annex_says_so_on_the_page_and_in_word(province_briefing, tree, viewer, client_for, monkeypatch):
    monkeypatch.setattr(briefing, "ANNEX_MAX", 2)
    client = client_for(viewer)
    total = briefing.unit_briefing(province_briefing).annex_total
    page = client.get(reverse("dashboards:unit_briefing", args=[tree.province.pk])).content.decode()
    annex = page[page.index('id="annex"'):]
    assert annex.count("<tr>") == 1 + 2  # the header, then the two worst
    assert 'id="annex-cut"' in annex and f'<span class="count">{total}</span>' in annex
    assert reverse("dashboards:unit_units", args=[tree.province.pk]) in annex[annex.index('id="annex-cut"'):]
    response = client.get(reverse("dashboards:unit_briefing_docx", args=[tree.province.pk]))
    document = docx.Document(io.BytesIO(response.content))
    assert len(document.tables[-1].rows) == 1 + 2
    assert any(f"of these {total} units" in p.text or f"{total} đơn vị" in p.text for p in document.paragraphs)
