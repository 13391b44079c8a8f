"""Acceptance: seed 001's numbers (Đảng bộ Khối các cơ quan tỉnh, 10/04/2020) are all
readable on the bloc's dashboard without a filter, in the HTML and the JSON:

- "60/60 chi, đảng bộ cơ sở trực thuộc đã đăng ký thời gian tổ chức đại hội": registered
  grassroots units of all grassroots units (not of every level below: 70 units);
- "8/10 đảng bộ bộ phận đã tổ chức đại hội": sub-grassroots congresses held, on their own
  shorter term 2020–2022 while the bloc is on 2020–2025;
- "lựa chọn 3 cơ sở để chỉ đạo đại hội điểm … 100% đơn vị đã hoàn thành tổ chức đại hội
  điểm": 3/3 pilot congresses held;
- "Đại hội Đảng bộ Khối … trước ngày 15/8/2020": the bloc's own deadline.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from committees import services as unit_services
from committees.models import Level
from congresses import services
from tests.dashboards.test_lists import codes
from tests.factories import AdminFactory, TermFactory

TODAY = dt.date(2020, 4, 10)  # the article's date
ABOVE_SUB = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS]


@pytest.fixture
def bloc(db):
    user = AdminFactory(username="admin")
    main = TermFactory(name="2020–2025", start_year=2020, end_year=2025, is_current=True, levels=ABOVE_SUB,
                       deadlines={Level.GRASSROOTS: dt.date(2020, 6, 30), Level.UPPER: dt.date(2020, 8, 15),
                                  Level.PROVINCE: dt.date(2020, 10, 31)})
    cells = TermFactory(name="2020–2022", start_year=2020, end_year=2022, is_current=True, levels=[Level.SUB],
                        deadlines={Level.SUB: dt.date(2020, 4, 30)})
    province = unit_services.unit_create(code="T", name="Tỉnh ủy", level=Level.PROVINCE)
    bloc = unit_services.unit_create(code="K", name="Đảng bộ Khối các cơ quan tỉnh", level=Level.UPPER,
                                     parent=province)
    grassroots = [
        unit_services.unit_create(code=f"G{i:02d}", name=f"Đảng bộ cơ sở {i:02d}", level=Level.GRASSROOTS,
                                  parent=bloc)
        for i in range(60)
    ]
    subs = [
        unit_services.unit_create(code=f"S{i}", name=f"Đảng bộ bộ phận {i}", level=Level.SUB,
                                  parent=grassroots[i % 3])
        for i in range(10)
    ]
    services.congress_create(unit=bloc, term=main, user=user, planned_date=dt.date(2020, 8, 5), ordinal=9)
    for i, unit in enumerate(grassroots):
        pilot = i < 3
        congress = services.congress_create(
            unit=unit, term=main, user=user, is_pilot=pilot, registered_on=dt.date(2020, 2, 20),
            planned_date=dt.date(2020, 3, 10 + 5 * i) if pilot else dt.date(2020, 6, 1),
        ).congress
        if pilot:  # 10/3, 15/3, 20/3 … the pilot of Sở LĐ-TB&XH on 25/3 is the article's
            services.congress_update(congress=congress, user=user,
                                     data={"held_on": congress.planned_date, "status": "held"})
    for i, unit in enumerate(subs):
        congress = services.congress_create(unit=unit, term=cells, user=user,
                                            planned_date=dt.date(2020, 3, 1 + i)).congress
        if i < 8:
            services.congress_update(congress=congress, user=user,
                                     data={"held_on": congress.planned_date, "status": "held"})
    return user, bloc


def _number(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}"[^>]*>([^<]+)<', html).group(1).strip()


def test_the_blocs_dashboard_shows_seed_001s_numbers_without_a_filter(bloc, client):
    user, unit = bloc
    client.force_login(user)
    with time_machine.travel(dt.datetime(2020, 4, 10, 9, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("dashboards:unit_dashboard", args=[unit.pk])).content.decode()
    assert _number(html, "count-registered-grassroots") == "60/60"
    assert _number(html, "count-held-sub") == "8/10"
    assert _number(html, "count-pilots-held") == "3/3"
    assert _number(html, "count-pilots-held-grassroots") == "3/3"
    assert _number(html, "own-deadline") == "15/08/2020"
    assert "127" in html[html.index('id="own-deadline"'):][:200]  # days left on 10/04/2020


def test_the_blocs_json_has_seed_001s_numbers(bloc, client):
    user, unit = bloc
    client.force_login(user)
    with time_machine.travel(dt.datetime(2020, 4, 10, 9, tzinfo=dt.UTC), tick=False):
        data = client.get(reverse("dashboards:unit_dashboard_json", args=[unit.pk])).json()
    by_level = data["subtree"]["by_level"]
    assert (by_level["grassroots"]["registered"], by_level["grassroots"]["units"]) == (60, 60)
    assert (by_level["sub"]["held"], by_level["sub"]["units"]) == (8, 10)
    assert (data["subtree"]["pilots_held"], data["subtree"]["pilots"]) == (3, 3)
    assert data["deadline"] == {"level": "upper", "date": "2020-08-15", "days_left": 127}
    assert data["congress"]["date"] == "2020-08-05"
    assert [t["name"] for t in data["terms"]] == ["2020–2025", "2020–2022"]


def test_each_of_seed_001s_numbers_links_to_its_units(bloc, client):
    user, unit = bloc
    client.force_login(user)
    with time_machine.travel(dt.datetime(2020, 4, 10, 9, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("dashboards:unit_dashboard", args=[unit.pk])).content.decode()
        base = reverse("dashboards:unit_units", args=[unit.pk])
        link = re.search(r'id="count-registered-grassroots" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert link == f"{base}?level=grassroots&missing=registered"
        rows = codes(client.get(link))
        assert len(rows) == 50 and all(code.startswith("G") for code in rows)  # the first page of 60
        link = re.search(r'id="count-held-sub" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        assert link == f"{base}?level=sub&missing=held"
        rows = codes(client.get(link))
    # The two sub-grassroots units not held come first: their congresses are in the cells' term.
    assert len(rows) == 10 and set(rows[:2]) == {"S8", "S9"}
