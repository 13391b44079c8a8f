"""Every page type, for each role, at 390 px (a phone) and 1366 px (a laptop) in Chromium
(issue 10, acceptance): no horizontal scroll, no SVG text under 11 px on screen, a header
of one compact row with tap targets of 44 px, the error of a failed form in view, and no
critical or serious axe-core violation.

One test per role, each visiting every page at both widths: `live_server` empties the
database after each test, so fewer tests are faster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from congresses import services
from tests.browser.journeys import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": (390, 844), "laptop": (1366, 800)}

# Rendered size of every visible SVG text: its font size times the SVG's scale on screen.
SMALL_SVG_TEXT = """() => [...document.querySelectorAll('svg text')].flatMap(t => {
  const r = t.getBoundingClientRect();
  if (!r.width && !r.height) return [];
  const m = t.getScreenCTM();
  const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  return px < 11 ? [`${t.textContent} ${px.toFixed(1)}px`] : [];
})"""

# Boxes whose content spills out of them (the "7000/10764" tile), and the page's own width.
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - window.innerWidth,
  tiles: [...document.querySelectorAll('.facts > div')].filter(d => d.scrollWidth > d.clientWidth + 1)
           .map(d => d.textContent.trim().slice(0, 40)),
})"""

SMALL_TARGETS = """() => [...document.querySelectorAll('.topbar a, .topbar button, .topbar select')].flatMap(e => {
  const r = e.getBoundingClientRect();
  if (!r.width || !r.height) return [];
  return r.height < 44 || r.width < 44 ? [`${e.textContent.trim() || e.id} ${r.width}x${r.height}`] : [];
})"""

def _check(page: Page, url: str, width: str) -> list[str]:
    """What is wrong with the page at `url`, in words; [] when nothing."""
    response = page.goto(url)
    assert response is not None
    problems = []
    overflow = page.evaluate(OVERFLOW)
    if overflow["page"] > 0:
        problems.append(f"scrolls sideways by {overflow['page']} px")
    if overflow["tiles"]:
        problems.append(f"tiles spill: {overflow['tiles']}")
    if small := page.evaluate(SMALL_SVG_TEXT):
        problems.append(f"SVG text under 11 px: {small[:5]}")
    if small := page.evaluate(SMALL_TARGETS):
        problems.append(f"header targets under 44 px: {small}")
    if width == "phone":
        header = page.locator("header.topbar").bounding_box()
        if header["height"] > 64:
            problems.append(f"header {header['height']} px high")
    if violations := axe_violations(page):
        problems.append(f"axe: {violations}")
    return [f"{width} {url}: {p}" for p in problems]


def _sweep(page: Page, urls: list[str]) -> list[str]:
    problems = []
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        for url in urls:
            problems += _check(page, url, width)
    return problems


def _pages(base: str, tree, *, congress=None, dashboard_unit=None) -> list[str]:
    unit = dashboard_unit or tree.province
    pages = [
        reverse("home"),
        reverse("committees:unit_list"),
        reverse("committees:unit_detail", args=[unit.pk]),
        reverse("dashboards:unit_dashboard", args=[unit.pk]),
        reverse("dashboards:unit_units", args=[unit.pk]) + "?missing=registered",
        reverse("dashboards:unit_briefing", args=[unit.pk]),
        reverse("reminders:notification_list"),
        reverse("accounts:profile"),
        reverse("committees:unit_detail", args=[999_999]),  # the portal's 404 page
    ]
    if congress is not None:
        pages += [reverse("congresses:my_unit"), congress.get_absolute_url()]
    return [base + p for p in pages]


@pytest.fixture
def dated(tree, term, congress_a, congress_b, congress_cell, admin_user):
    """Congresses with dates, so that the calendar and the bars have something to draw."""
    for congress, day in ((congress_a, dt.date(2025, 7, 15)), (congress_b, dt.date(2025, 8, 20)),
                          (congress_cell, dt.date(2025, 6, 10))):
        services.congress_update(congress=congress, user=admin_user, data={"planned_date": day})
    return tree


def test_viewer_pages_fit_a_phone_and_a_laptop(page: Page, live_server, dated, viewer):
    log_in(page, live_server.url, "viewer")
    assert _sweep(page, _pages(live_server.url, dated)) == []


def test_admin_pages_fit_a_phone_and_a_laptop(page: Page, live_server, dated, congress_a, admin_user):
    log_in(page, live_server.url, admin_user.username)
    assert _sweep(page, _pages(live_server.url, dated, congress=None) + [live_server.url + congress_a.get_absolute_url()]) == []


def test_secretary_pages_fit_and_a_failed_save_shows_its_error_in_view(
    page: Page, live_server, dated, congress_a, secretary_a
):
    log_in(page, live_server.url, "secretary_a")
    problems = _sweep(page, _pages(live_server.url, dated, congress=congress_a, dashboard_unit=dated.commune_a))
    assert problems == []
    # A milestone saved as done on a day still to come: the page comes back with the error, which
    # is in view without scrolling, at both widths. The last milestone: the farthest down.
    milestone = congress_a.milestones.order_by("-step__order").first()
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.goto(live_server.url + congress_a.get_absolute_url())
        item = page.locator(f"#milestone-{milestone.pk}")
        item.locator("summary").click()
        item.locator("select[name$='status']").select_option("done")
        item.locator("input[name$='done_on']").fill("2099-01-01")
        item.locator("button[name=save]").click()
        page.wait_for_load_state()
        error = page.locator(f"#milestone-{milestone.pk} .has-error .errors")
        assert error.count() == 1, width
        box = error.bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= h, (width, box)
