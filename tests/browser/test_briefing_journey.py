"""A commune secretary files the quarter's report with a difficulty and a proposal and
submits it; the province's secretary finds the proposal among those awaiting an answer and
answers it; the commune's secretary sees the answer on her report. axe-core checks the
report, the answer form and the pack on a phone.

One journey, deliberately: `live_server` empties the database after each test."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.journeys import axe_violations, log_out as _log_out
from tests.browser.journeys import log_in as _log_in
from tests.factories import SecretaryFactory

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]


def _axe(page: Page) -> None:
    # Run on the page as it arrives, flash messages included (one role="status" region).
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def test_secretary_files_a_proposal_superior_answers_secretary_sees_it(page: Page, live_server, tree, term,
                                                                       congress_a, secretary_a):
    SecretaryFactory(username="province_secretary", full_name="Bí thư Tỉnh ủy", unit=tree.province)
    base = live_server.url
    _log_in(page, base, "secretary_a")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/briefings/")
    page.locator(f"#start-report-{tree.commune_a.pk}").click()
    page.locator("#open-report button[type=submit]").click()
    page.select_option("#id_d-theme", "facilities")
    page.fill("#id_d-text", "Hội trường xuống cấp")
    page.locator("#difficulty-form button[type=submit]").click()
    page.select_option("#id_p-theme", "personnel")
    page.fill("#id_p-text", "Đề nghị bổ sung một phó bí thư")
    page.locator("#proposal-form button[type=submit]").click()
    expect(page.locator("#proposals li")).to_contain_text("Đề nghị bổ sung một phó bí thư")
    _axe(page)
    page.locator("#submit-form button[type=submit]").click()
    expect(page.locator("#proposal-form")).to_have_count(0)
    report_url = page.url
    page.set_viewport_size({"width": 1366, "height": 800})
    _log_out(page)

    _log_in(page, base, "province_secretary")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/briefings/proposals/")
    expect(page.locator("#open-proposals")).to_contain_text("Đề nghị bổ sung một phó bí thư")
    page.locator("#open-proposals a[id^=answer-]").first.click()
    _axe(page)
    page.check("input[name=status][value=answered]")
    page.fill("#id_answer", "Đồng ý, Ban Tổ chức hướng dẫn")
    page.locator("#answer-form button[type=submit]").click()
    expect(page.locator("#open-proposals")).to_have_count(0)
    expect(page.locator("main .empty")).to_be_visible()
    page.goto(f"{base}/units/{tree.province.pk}/briefing-pack/")
    expect(page.locator("#pack-proposals")).to_contain_text("Đồng ý, Ban Tổ chức hướng dẫn")
    _axe(page)
    page.set_viewport_size({"width": 1366, "height": 800})
    _log_out(page)

    _log_in(page, base, "secretary_a")
    page.goto(report_url)
    expect(page.locator("#proposals .answer")).to_contain_text("Đồng ý, Ban Tổ chức hướng dẫn")
