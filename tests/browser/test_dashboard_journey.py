"""A provincial viewer drills down from a dashboard count to the units behind it, filters
the list with the form, and downloads it as XLSX; the workbook holds the rows on screen.

One journey, deliberately: `live_server` empties the database after each test."""

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from congresses import services
from tests.browser.journeys import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _codes(page: Page) -> list[str]:
    return page.locator("#units tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")


def test_viewer_follows_a_count_filters_the_list_and_downloads_it(
    page: Page, live_server, tree, term, congress_a, congress_b, congress_cell, viewer, admin_user, tmp_path
):
    # Registered: commune A and cell A1; commune B and cell A2 (no congress) are not.
    for congress, day in ((congress_a, dt.date(2025, 4, 1)), (congress_cell, dt.date(2025, 4, 2))):
        services.congress_update(congress=congress, user=admin_user, data={"registered_on": day})
    base = live_server.url
    province = tree.province

    _log_in(page, base, "viewer")
    page.goto(f"{base}/units/{province.pk}/dashboard/")
    expect(page.locator("#count-registered")).to_have_text("2/4")

    # The count leads to the four units below, the two unregistered first.
    page.locator("#count-registered").click()
    expect(page).to_have_url(re.compile(rf"/units/{province.pk}/units/\?missing=registered$"))
    expect(page.locator("#list-first")).to_be_visible()
    expect(page.locator("#units tbody tr")).to_have_count(4)
    codes = _codes(page)
    assert set(codes[:2]) == {"A2", "B"} and set(codes[2:]) == {"A", "A1"}

    # Filter by level with the form: the query string keeps the filter and the ordering.
    page.select_option("#id_level", "grassroots")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]level=grassroots(&|$)"))
    assert "missing=registered" in page.url
    expect(page.locator("#units tbody tr")).to_have_count(2)
    assert _codes(page) == ["A2", "A1"]

    # Download what is on screen.
    with page.expect_download() as download_info:
        page.locator("#export-xlsx").click()
    download = download_info.value
    assert re.fullmatch(r"t-units-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    sheet = load_workbook(target).active
    assert province.name in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in rows] == ["A2", "A1"]
    assert rows[1][0] == "Chi bộ thôn 1" and rows[1][6] == dt.datetime(2025, 4, 2)

    # The bookmark works on its own: the same URL in a new page gives the same list.
    bookmark = page.url
    other = page.context.new_page()
    other.goto(bookmark)
    assert _codes(other) == ["A2", "A1"]
