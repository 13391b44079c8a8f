"""Shared fixtures: a small tree, the current term, the standard users, and the rules for
tests that need PostgreSQL, Redis or a browser.

The tree::

    province (Tỉnh ủy)
    ├── commune_a (Đảng bộ xã An Phú)
    │   ├── cell_a1 (Chi bộ thôn 1)
    │   └── cell_a2 (Chi bộ thôn 2)
    └── commune_b (Đảng bộ xã Bình Minh)

Tests marked `postgres`, `redis` or `browser` skip, with the reason, when that backend is
missing. CI sets PORTAL_REQUIRE_ALL=1: then a missing backend, or any other skip, fails the
test instead, so a green CI run proves the whole suite ran.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told it is safe (it is: the loop only drives the
# browser). Set before any test runs, for the browser tests and the live server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from committees.models import Level  # noqa: E402  (after the environment is set)
from tests.factories import (  # noqa: E402
    AdminFactory,
    CongressFactory,
    SecretaryFactory,
    TermFactory,
    UnitFactory,
    ViewerFactory,
)

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ALL = os.environ.get("PORTAL_REQUIRE_ALL") == "1"

REASON_POSTGRES = "needs PostgreSQL: set DATABASE_URL"
REASON_REDIS = "needs Redis: set REDIS_URL"
REASON_BROWSER = "needs Chromium: apt-get install chromium"
# axe-core from npm (package.json): bin/test runs `npm ci` when it is missing.
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
REASON_AXE = "needs axe-core: npm ci (bin/test runs it when npm is installed: apt-get install nodejs npm)"


# --- Backends a test needs ------------------------------------------------------------------


def _missing_backends(item: pytest.Item) -> list[str]:
    missing = []
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            missing.append(REASON_POSTGRES)
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        missing.append(REASON_REDIS)
    if item.get_closest_marker("browser") and not (CHROMIUM.exists() and shutil.which(str(CHROMIUM))):
        missing.append(REASON_BROWSER)
    if item.get_closest_marker("axe") and not AXE.exists():
        missing.append(REASON_AXE)
    if item.get_closest_marker("deployment"):
        from tests.deployment.cluster import missing_tools

        missing.extend(f"needs {tool}" for tool in missing_tools())
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A skip marker (rather than pytest.skip() at setup) makes -rs name the test itself.
    if REQUIRE_ALL:
        return
    for item in items:
        missing = _missing_backends(item)
        if missing:
            item.add_marker(pytest.mark.skip(reason="; ".join(missing)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if not REQUIRE_ALL:
        return
    missing = _missing_backends(item)
    if missing:
        pytest.fail(f"{'; '.join(missing)} (PORTAL_REQUIRE_ALL=1: nothing may be skipped)", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under PORTAL_REQUIRE_ALL=1 any other skip (a skipif, a pytest.skip() in a test)
    fails too; an expected failure (xfail) stays what it is."""
    report = yield
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but PORTAL_REQUIRE_ALL=1 forbids skipping: {reason}"
    return report


# What the authorization sweep (tests/access) covered, from the `user_properties` of its test
# reports: this hook sees the reports in the controller under pytest-xdist too, where the
# test itself ran in a worker.
SWEEP_PROPERTY = "authorization_sweep"  # tests.access.sweep.PROPERTY
_sweeps: list[dict] = []
# The figures of the deployment test (tests/deployment/test_faults.py), printed whether it
# passed or failed.
DEPLOYMENT_PROPERTY = "deployment_figures"
_deployments: list[dict] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _sweeps.extend(value for name, value in report.user_properties if name == SWEEP_PROPERTY)
        _deployments.extend(value for name, value in report.user_properties if name == DEPLOYMENT_PROPERTY)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    for sweep in _sweeps:
        terminalreporter.write_line(
            f"authorization sweep: {sweep['patterns']} patterns, {sweep['requests']} requests, "
            f"{sweep['findings']} findings"
        )
    for figures in _deployments:
        terminalreporter.section("deployment test (2 web processes, 2 workers, beat; PostgreSQL and Redis)")
        terminalreporter.write_line(deployment_summary(figures))
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section("skipped tests and why (PORTAL_REQUIRE_ALL=1 makes them fail)")
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        terminalreporter.write_line(f"{report.nodeid}: {reason.removeprefix('Skipped: ')}")


def deployment_summary(figures: dict) -> str:
    """One line per fault, then the totals: what CI shows of the deployment test."""
    lines = []
    if "web" in figures:
        f = figures["web"]
        lines.append(f"web process killed: {f['errors']} errors, {f['served_by_other']} requests served by the "
                     f"other meanwhile, back in {f['recovery_s']} s")
    if "worker" in figures:
        f = figures["worker"]
        lines.append(f"worker SIGKILLed mid-batch: {f['sent_at_kill']}/{f['emails']} emails sent at the kill, "
                     f"{f['batches_redelivered']}/{f['batches_in_hand']} batches in hand delivered again")
    for name, title in (("redis", "Redis restarted"), ("postgres", "PostgreSQL restarted")):
        if name in figures:
            f = figures[name]
            lines.append(f"{title}: {f['errors']} errors, /healthz non-200 {f['healthz_non_200']} times, "
                         f"200 again {f['recovery_s']} s after the restart")
    if "requests" in figures:
        lines.append(f"requests: {figures['requests']} ({figures['reads']} reads, {figures['writes']} writes, "
                     f"{figures['writes_acknowledged']} acknowledged), errors {figures['errors']} "
                     f"({figures['errors_in_outages']} during the outages); setup {figures['setup_s']} s, "
                     f"load {figures['load_s']} s, in all {figures['total_s']} s")
    if "logs" in figures:
        lines.append(f"logs of the processes: {figures['logs']}")
    return "\n".join(lines) or f"incomplete: {figures}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Backstop for skips the hooks above cannot turn into failures (a whole module
    # skipped at collection): CI must never go green with something left out.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_ALL and reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Environment ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _one_broker_test_at_a_time(request):
    """Tests on the Redis broker (marked `redis`) run one at a time across the pytest-xdist
    processes: they purge the one "celery" queue and start workers consuming it, so two at
    once take each other's tasks (seen in CI: one test's worker ran the other's scan). An
    exclusive lock on a file named after the broker, held for the whole test. (The
    xdist_group marker this replaces was added too late for xdist to read it.)"""
    if request.node.get_closest_marker("redis") is None:
        yield
        return
    import fcntl
    import hashlib
    import tempfile

    name = hashlib.sha256(os.environ.get("REDIS_URL", "").encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"portal-tests-broker-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded evidence goes to a throwaway folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (cached dashboards, versions, progress)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the portal's language (vi). A request leaves the language it
    chose active in its thread (LocaleMiddleware does not switch back), so without this a
    test would see the language of whichever test ran before it in the same worker."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def english():
    """Code outside a request runs in LANGUAGE_CODE (vi); tests that compare English
    messages switch explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- The tree and the term ------------------------------------------------------------------


@pytest.fixture
def province(db):
    return UnitFactory(code="T", name="Tỉnh ủy Thử nghiệm", level=Level.PROVINCE, kind="province")


@pytest.fixture
def commune_a(province):
    return UnitFactory(code="A", name="Đảng bộ xã An Phú", level=Level.UPPER, kind="commune", parent=province)


@pytest.fixture
def commune_b(province):
    return UnitFactory(code="B", name="Đảng bộ xã Bình Minh", level=Level.UPPER, kind="commune", parent=province)


@pytest.fixture
def cell_a1(commune_a):
    return UnitFactory(code="A1", name="Chi bộ thôn 1", level=Level.GRASSROOTS, kind="cell", parent=commune_a)


@pytest.fixture
def cell_a2(commune_a):
    return UnitFactory(code="A2", name="Chi bộ thôn 2", level=Level.GRASSROOTS, kind="cell", parent=commune_a)


@pytest.fixture
def tree(province, commune_a, commune_b, cell_a1, cell_a2):
    return SimpleNamespace(
        province=province, commune_a=commune_a, commune_b=commune_b, cell_a1=cell_a1, cell_a2=cell_a2
    )


@pytest.fixture
def term(db):
    """The current term 2025–2030 with the default plan (11 steps) and the deadlines of
    tests.factories.default_deadlines (grassroots 30/06/2025, upper 31/08/2025)."""
    return TermFactory(start_year=2025)


# Congress dates that respect the bottom-up order and every deadline.
CELL_DATE = dt.date(2025, 6, 10)
COMMUNE_DATE = dt.date(2025, 7, 15)


@pytest.fixture
def congress_a(term, commune_a):
    return CongressFactory(unit=commune_a, term=term, planned_date=COMMUNE_DATE)


@pytest.fixture
def congress_b(term, commune_b):
    return CongressFactory(unit=commune_b, term=term, planned_date=COMMUNE_DATE + dt.timedelta(days=5))


@pytest.fixture
def congress_cell(term, cell_a1):
    return CongressFactory(unit=cell_a1, term=term, planned_date=CELL_DATE)


# --- Standard users -------------------------------------------------------------------------


@pytest.fixture
def viewer(province):
    return ViewerFactory(username="viewer", full_name="Trần Thị Xem", unit=province)


@pytest.fixture
def secretary_a(commune_a):
    return SecretaryFactory(username="secretary_a", full_name="Lê Văn An", unit=commune_a)


@pytest.fixture
def secretary_b(commune_b):
    return SecretaryFactory(username="secretary_b", full_name="Phạm Thị Bình", unit=commune_b)


@pytest.fixture
def secretary_cell(cell_a1):
    return SecretaryFactory(username="secretary_cell", full_name="Hoàng Văn Chi", unit=cell_a1)


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin", full_name="Quản Trị Viên")


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client signed in as `user` (None: anonymous), with English
    chosen in the language switcher (its cookie) so assertions read in English whatever the
    translations say. The browser's Accept-Language would not do: the portal ignores it."""
    from django.conf import settings
    from django.test import Client

    def make(user=None, *, language: str = "en") -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            # The first backend is axes's, which cannot load a user from a session.
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
