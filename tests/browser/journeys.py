"""Steps the browser journeys share."""

from playwright.sync_api import Page, expect

from tests.conftest import AXE
from tests.factories import PASSWORD

# axe-core's critical and serious violations of the page, in words ([] when none).
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
}"""


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is. Evaluated through the devtools protocol, which the
    Content-Security-Policy does not govern (an injected <script> would be refused)."""
    page.evaluate(AXE.read_text())
    return page.evaluate(AXE_RUN)


def log_out(page: Page) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    expect(page.locator("#id_username")).to_be_visible()


def log_in(page: Page, base_url: str, username: str) -> None:
    """Sign in through the login form, as a user would."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("header .who")).to_be_visible()
