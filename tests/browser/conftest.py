"""Playwright drives Debian's Chromium: `playwright install` cannot download browsers here,
so the launch points at /usr/bin/chromium (see STACK-NOTES.md "Browser tests")."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI containers
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}



@pytest.fixture
def context(context):
    """Every page of a journey runs under the portal's Content-Security-Policy
    (core.middleware): a script, handler or style the policy blocks is a console error
    ("Refused to … because it violates the following Content Security Policy directive"),
    and such an error fails the journey, so no inline code creeps back into a template."""
    violations: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.text} ({message.location.get('url', '')})")

    context.on("console", on_console)
    yield context
    assert not violations, "CSP violations:\n" + "\n".join(violations)
