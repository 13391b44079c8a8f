"""A commune secretary uploads the draft political report and sends it to all subordinate
units; a cell secretary answers from "my unit"; the ledger and the dashboard show it.

One journey: `live_server` empties the database after each test."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import log_in
from tests.documents.conftest import docx_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def test_draft_sent_to_all_subordinates_answered_by_one_shown_in_ledger_and_dashboard(
    page: Page, live_server, tmp_path, tree, congress_a, congress_cell, secretary_a, secretary_cell
):
    base = live_server.url
    draft = tmp_path / "bao-cao-chinh-tri.docx"
    draft.write_bytes(docx_file("x.docx", ["Phần I. Kết quả nhiệm kỳ", "Phần II. Phương hướng"]).read())

    # The commune secretary adds the political report and uploads its first draft.
    log_in(page, base, "secretary_a")
    page.goto(f"{base}/congresses/{congress_a.pk}/documents/")
    page.select_option("#id_kind", "political_report")
    page.locator("#document-create button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/congress-documents/\d+/$"))
    page.set_input_files("#id_file", str(draft))
    page.locator("#version-form button[type=submit]").click()
    expect(page.locator("#versions tr[data-version='1']")).to_be_visible()

    # Sent to all subordinate units in one click, with a deadline.
    page.locator("#versions a.send").click()
    page.fill("#id_deadline", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    page.locator("#round-form button[type=submit]").click()
    expect(page.locator("#ledger tbody tr")).to_have_count(2)
    round_url = page.url
    _log_out(page)

    # A cell secretary sees the request on "my unit" and answers.
    log_in(page, base, "secretary_cell")
    page.locator("nav.nav a[href$='/my-unit/']").click()
    page.locator("#comment-requests li.comment-request a").click()
    page.fill("#id_text", "Đề nghị bổ sung số liệu mục 2")
    page.locator("#answer-form button[type=submit]").click()
    expect(page.locator("#answer")).to_contain_text("Đề nghị bổ sung số liệu mục 2")
    _log_out(page)

    # The commune secretary's ledger and dashboard show the answer.
    log_in(page, base, "secretary_a")
    page.goto(round_url)
    expect(page.locator("#answered-count")).to_contain_text("1/2")
    expect(page.locator("#ledger")).to_contain_text("Đề nghị bổ sung số liệu mục 2")
    page.goto(f"{base}/units/{tree.commune_a.pk}/dashboard/")
    expect(page.locator("#documents")).to_contain_text("1/2")
