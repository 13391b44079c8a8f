"""The province's briefing prints its summary on at most two A4 pages, then an annex on
pages of its own that names the units missing something or late, each once; and it
downloads as a .docx that python-docx opens (issue 10, point 8). Measured with Chromium's
own PDF output, as a clerk would print it."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from committees.models import Level
from tests.browser.journeys import log_in
from tests.factories import CongressFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILDREN = 40


def _pages(page: Page) -> int:
    return len(PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True))).pages)


def test_province_briefing_prints_two_pages_then_the_annex_and_downloads_as_docx(
    page: Page, live_server, province, term, viewer, tmp_path
):
    # Forty communes: every fourth without a congress, the others dated, so that many are
    # late or missing (a real province has about 135 children).
    for i in range(CHILDREN):
        unit = UnitFactory(code=f"X{i:02}", name=f"Đảng bộ xã Số {i:02}", level=Level.UPPER, kind="commune",
                           parent=province)
        if i % 4:
            CongressFactory(unit=unit, term=term, planned_date=dt.date(2025, 8, 1) + dt.timedelta(days=i))
    log_in(page, live_server.url, "viewer")
    page.goto(f"{live_server.url}/units/{province.pk}/briefing/")
    page.emulate_media(media="print")
    annex_rows = page.locator("#annex tbody tr").count()
    assert annex_rows >= CHILDREN // 4  # at least those without a congress
    names = page.locator("#annex tbody tr td:first-child").all_inner_texts()
    assert len(names) == len(set(names))  # each unit once
    assert all(name.startswith("Đảng bộ xã Số") for name in names[: CHILDREN // 4])  # no congress: worst first
    whole = _pages(page)
    # Through the CSSOM: the Content-Security-Policy refuses an injected <style>.
    page.evaluate("document.querySelectorAll('.annex').forEach(e => e.style.setProperty('display', 'none', 'important'))")
    summary = _pages(page)
    assert summary <= 2
    assert whole > summary  # the annex starts on a page of its own

    page.emulate_media(media="screen")  # the print view hides its buttons
    with page.expect_download() as info:
        page.locator("#briefing-docx").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".docx"
    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    assert province.name in text
    annex_table = document.tables[-1]
    assert len(annex_table.rows) == annex_rows + 1  # the header, then the annex's units
