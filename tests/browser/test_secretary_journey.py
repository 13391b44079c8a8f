"""A cell secretary records progress in the browser; the superior reads it on the unit page
and in the audit history; another commune's secretary cannot open that congress.

One journey, deliberately: `live_server` empties the database after each test."""

import re

import pytest
from playwright.sync_api import Page, expect

from congresses.models import Milestone, MilestoneStatus
from tests.browser.journeys import log_in as _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def test_secretary_ticks_a_milestone_the_superior_sees_it_others_get_404(
    page: Page, live_server, tree, congress_a, congress_cell, secretary_cell, secretary_a, secretary_b
):
    base = live_server.url
    milestone = Milestone.objects.get(congress=congress_cell, step__code="plan")
    item = f"#milestone-{milestone.pk}"

    # The cell secretary signs in through the form and opens "my unit".
    _log_in(page, base, "secretary_cell")
    page.locator("nav.nav a[href$='/my-unit/']").click()
    expect(page.locator("h1")).to_contain_text("Chi bộ thôn 1")
    expect(page.locator(f"{item} .tick")).to_have_text("○")

    # Record progress: done, on 05/03/2025, with the plan's document number.
    page.locator(f"{item} details.ms-edit summary").click()
    page.select_option(f"#id_m{milestone.pk}-status", "done")
    page.fill(f"#id_m{milestone.pk}-done_on", "2025-03-05")  # a native date picker takes ISO
    page.fill(f"#id_m{milestone.pk}-evidence_number", "05-KH/ĐU")
    page.locator(f"{item} button[name=save]").click()

    expect(page).to_have_url(re.compile(rf"/congresses/{congress_cell.pk}/#milestone-{milestone.pk}$"))
    expect(page.locator(item)).to_have_class(re.compile(r"\bms-done\b"))
    expect(page.locator(f"{item} .tick")).to_have_text("✔")
    expect(page.locator(item)).to_contain_text("05/03/2025")
    expect(page.locator(item)).to_contain_text("05-KH/ĐU")
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.DONE

    # The commune's secretary sees the cell's completion on the commune's unit page…
    _log_out(page)
    _log_in(page, base, "secretary_a")
    page.goto(f"{base}/units/{tree.commune_a.pk}/")
    row = page.locator("table.list tbody tr", has_text="Chi bộ thôn 1")
    expect(row.locator(".progress .num")).to_have_text("1/11")
    expect(row).to_contain_text("10/06/2025")

    # …and, on the cell's congress page, who did it.
    row.locator(f"a[href$='/congresses/{congress_cell.pk}/']").click()
    history = page.locator("#history")
    expect(history.locator("li").first).to_contain_text("Hoàng Văn Chi")
    expect(history.locator("li").first).to_contain_text("05/03/2025")

    # Another commune's secretary: the congress does not exist for them.
    _log_out(page)
    _log_in(page, base, "secretary_b")
    response = page.goto(f"{base}/congresses/{congress_cell.pk}/")
    assert response is not None and response.status == 404
