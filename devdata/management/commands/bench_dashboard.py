"""`manage.py bench_dashboard`: how fast the dashboards are on a national-shape tree.

See the command's help (HELP below) for what it measures and how it keeps its data apart
from the portal's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from core.startup import freeze_loaded_objects
from dashboards import cache as dashboard_cache
from devdata import national

BENCH_URLCONF = "devdata.bench_urls"
MARKER = "bench_dashboard"  # the key of the database comment that says the database is ours
TREE_APPS = {"accounts", "committees", "congresses", "progress"}  # what devdata.national writes
TARGETS = {
    "root_p95_ms": 50.0, "queries": 12, "ratio_p50": 3.0, "update_p95_ms": 30.0,
    "cold_root_p95_ms": 30.0, "cold_province_p95_ms": 30.0, "json_p95_ms": 15.0, "mixed_read_p95_ms": 50.0,
}

HELP = """Benchmark the unit dashboard on a national-shape tree (PostgreSQL only).

The tree (devdata.national: the central committee, 34 provinces, about 3,300 communes and
blocs, grassroots and sub-grassroots units, 60,000 in all, about 20 milestones each) lives
in a database of its own, never the portal's: by default the portal database's name plus
"_bench" (--database-name to choose). The command creates it if missing, migrates it, and
builds the tree (about a minute at full size). Later runs reuse it when it was built with
the same parameters (units, provinces, communes, steps, seed), so a rerun only measures
(--keep reuses it even when built with other parameters); other parameters, a pending
migration of an app the tree is written to, or --rebuild drop and rebuild it. The command
only ever drops a database it created (it marks it with a database comment).

Then, in one run, through the whole Django stack (django.test.Client, signed in as an
admin, DEBUG off, cached templates; requests sent as HTTPS through a proxy, to the first
of ALLOWED_HOSTS, so that it runs under the production settings too), interleaved
request by request:
  root       the root dashboard (/units/<root>/dashboard/), served as most requests are,
  province   the dashboard of the province with the most children,
  … cold     both again right after a change below them, as a milestone ticked in a random
             child's subtree leaves them: the version tokens of the unit and of that child
             replaced, their quiet tokens kept (dashboards.cache), so the headline and that
             child's row are rendered afresh, the calendar, documents, petitions and
             personnel sections taken from the cache,
  … JSON     the dashboard JSON of both, warm and cold alike,
  bare       the floor: a view rendering as many rows as the root dashboard has child rows
             from one query through a plain HTML template (devdata/bench_urls.py),
and afterwards
  update     congresses.services.milestone_update toggling random grassroots and
             sub-grassroots milestones done / not done and back, each call in
             transaction.atomic(): the time includes the commit and the roll-up upkeep;
  mixed      --writers threads ticking random deep milestones through milestone_update
             (committed, so the real signal invalidates the dashboards on their path) while
             --readers threads, each with its own client, read the root and province
             dashboards, for --mixed-seconds; every toggled milestone is set back after.
The process's objects are frozen out of the garbage collector once loaded, as wsgi.py
does for a web process (core.startup), and so are the benchmark's own lists. Server
time is the wall time of Client.get: URL resolution, middleware (sessions, auth,
locale, CSRF, history), the view, its SQL and the template rendering, plus the test
client's own small overhead; no network or HTTP parsing. Queries are counted (and their
SQL time summed) on extra requests after the timed ones, and a few more requests with
timers around the view's selector, its charts and the template rendering say where the
dashboards' time goes. The last line is

  root_p95_ms=… province_p95_ms=… bare_p95_ms=… ratio_p50=… queries=… update_p95_ms=…
  cold_root_p95_ms=… cold_province_p95_ms=… json_p95_ms=… mixed_read_p95_ms=… mixed_write_p95_ms=…

(one line) with ratio_p50 = root p50 / bare p50, queries = the root dashboard's query
count (cold), json_p95_ms = the worst p95 of the four JSON measurements (root and
province, warm and cold). Targets on a 2-core machine: root p95 ≤ 50 ms, queries ≤ 12,
ratio ≤ 3, update p95 ≤ 30 ms, cold root and province p95 ≤ 30 ms, JSON p95 ≤ 15 ms,
mixed-load reader p95 ≤ 50 ms.

Under the production settings: PORTAL_BENCHMARKS=1 adds this command's app, and the
static files must have been collected (manage.py collectstatic), as on a deployment:

  PORTAL_BENCHMARKS=1 SECRET_KEY=… FIELD_ENCRYPTION_KEYS=… DATABASE_URL=… REDIS_URL=… \
    manage.py bench_dashboard --settings=congress_portal.settings.production
"""


class _Formatter(argparse.RawDescriptionHelpFormatter, DjangoHelpFormatter):
    """Django's option order, and the help text's paragraphs as written."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, formatter_class=_Formatter, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--database-name", help="The benchmark's own database (default: <NAME>_bench).")
        parser.add_argument("--units", type=int, default=national.DEFAULT_UNITS, help="Units in the tree (60,000).")
        parser.add_argument("--provinces", type=int, help="Provinces (default: 34 at full size, scaled below).")
        parser.add_argument("--communes", type=int, help="Communes and blocs (default: 3,300 at full size, scaled).")
        parser.add_argument("--steps", type=int, default=national.DEFAULT_STEPS, help="Plan steps (20).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generated tree and of the sampling.")
        parser.add_argument("--requests", type=int, default=200, help="Timed requests per measurement (200).")
        parser.add_argument("--warmup", type=int, default=20, help="Untimed requests first (20).")
        parser.add_argument("--readers", type=int, default=2, help="Reader threads of the mixed load (2).")
        parser.add_argument("--writers", type=int, default=2, help="Writer threads of the mixed load (2).")
        parser.add_argument("--mixed-seconds", type=float, default=20.0, help="Length of the mixed load (20 s).")
        parser.add_argument("--writer-pause", type=float, default=0.1,
                            help="Seconds each writer waits between two ticks (0.1: ~10 ticks a second each).")
        parser.add_argument("--rebuild", action="store_true", help="Drop and rebuild the benchmark database.")
        parser.add_argument("--keep", action="store_true",
                            help="Reuse the database as built, even with other parameters (the default "
                                 "reuses it only when built with the same ones).")

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_dashboard measures PostgreSQL, the production database; this is {connection.vendor}. "
                "Set DATABASE_URL=postgres://… and run it again."
            )
        if o["requests"] < 1 or o["warmup"] < 0:
            raise CommandError("--requests must be at least 1 and --warmup at least 0.")
        name, params = bench_target(o)
        with bench_database(name, params, rebuild=o["rebuild"], keep=o["keep"], log=self.stdout.write):
            result = run_benchmark(requests=o["requests"], warmup=o["warmup"], seed=o["seed"], out=self.stdout.write,
                                   mixed=MixedLoad(readers=o["readers"], writers=o["writers"],
                                                   seconds=o["mixed_seconds"], pause=o["writer_pause"]))
        self.stdout.write(result.last_line())


# ---------------------------------------------------------------------------------------
# The benchmark's database


def _marker(cursor, name: str) -> dict | None:
    """None if the database does not exist; {} if it exists and is not ours; else our
    marker ({"bench_dashboard": 1, "params": … or None while unbuilt, …})."""
    cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    row = cursor.fetchone()
    if row is None:
        return None
    try:
        marker = json.loads(row[0] or "")
    except ValueError:
        return {}
    return marker if isinstance(marker, dict) and marker.get(MARKER) else {}


def _set_marker(cursor, name: str, marker: dict) -> None:
    text = json.dumps({MARKER: 1, **marker}, ensure_ascii=True).replace("'", "''")
    cursor.execute(f"COMMENT ON DATABASE {connection.ops.quote_name(name)} IS '{text}'")


@contextmanager
def _connected_to(name: str):
    """Point the default connection at database `name`, as Django's test database
    creation does (connection.settings_dict is the dict of settings.DATABASES), and back."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@contextmanager
def bench_database(name: str, params: dict, *, rebuild: bool, keep: bool, log):
    """Create (or reuse) the benchmark database `name`, migrate it, build the tree unless
    built already with `params`, and keep the default connection on it meanwhile."""
    quoted = connection.ops.quote_name(name)
    with connection._nodb_cursor() as cursor:
        marker = _marker(cursor, name)
        if marker == {}:
            raise CommandError(
                f"The database {name!r} exists and was not created by bench_dashboard: it is left alone. "
                "Choose another --database-name, or drop it yourself."
            )
        built = (marker or {}).get("params")
        reason = None
        if marker is None:
            reason = "creating it"
        elif rebuild:
            reason = "--rebuild"
        elif built is None:
            reason = "it was never completely built"
        elif built != params and not keep:
            reason = f"it was built with {built}"
        if reason and marker is not None:
            log(f"Benchmark database {name}: dropping it ({reason}).")
            cursor.execute(f"DROP DATABASE {quoted}")
        if reason:
            cursor.execute(f"CREATE DATABASE {quoted}")
            _set_marker(cursor, name, {"params": None})
            built = None
    with _connected_to(name):
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        touching = sorted({m.app_label for m, _backwards in pending} & TREE_APPS)
        if touching and built is not None:
            # The generated rows or the roll-ups may depend on the new schema: start afresh.
            log(f"Benchmark database {name}: migrations of {', '.join(touching)} to apply since the build; "
                "rebuilding.")
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE {quoted}")
                cursor.execute(f"CREATE DATABASE {quoted}")
                _set_marker(cursor, name, {"params": None})
            built = None
        if pending or touching or built is None:
            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            log(f"Benchmark database {name}: migrated in {time.perf_counter() - started:.1f} s.")
        if built is None:
            log(f"Building the national tree in {name} ({', '.join(f'{k}={v}' for k, v in params.items())}):")
            tree = national.build_national_tree(
                units=params["units"], provinces=params["provinces"], communes=params["communes"],
                steps=params["steps"], seed=params["seed"], log=log,
            )
            with connection.cursor() as cursor:
                _set_marker(cursor, name, {
                    "params": params, "built_on": tree.today.isoformat(),
                    "timings": {k: round(v, 1) for k, v in tree.timings.items()},
                })
        else:
            with connection.cursor() as cursor:
                marker = _marker(cursor, name)
            timings = marker.get("timings", {})
            log(f"Benchmark database {name}: reusing the tree built on {marker.get('built_on')} with "
                f"{', '.join(f'{k}={v}' for k, v in built.items())} (build took {timings.get('total', '?')} s; "
                "--rebuild to build it again).")
        yield


# ---------------------------------------------------------------------------------------
# Measuring


@dataclass
class Measurement:
    label: str
    times: list[float] = field(default_factory=list)  # seconds
    queries: int | None = None
    sql_ms: float | None = None

    def pct(self, p: float) -> float:
        """The p-th percentile (nearest rank), in ms; nan when nothing was measured."""
        if not self.times:
            return math.nan
        ordered = sorted(self.times)
        return 1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.times) if self.times else math.nan

    @property
    def p95(self) -> float:
        return self.pct(95)

    @property
    def max(self) -> float:
        return 1000 * max(self.times) if self.times else math.nan


@dataclass
class MixedLoad:
    readers: int = 2
    writers: int = 2
    seconds: float = 20.0
    pause: float = 0.1


@dataclass
class Result:
    root: Measurement
    province: Measurement
    bare: Measurement
    update: Measurement
    root_cold: Measurement
    province_cold: Measurement
    json: list[Measurement]
    mixed_read: Measurement
    mixed_write: Measurement

    @property
    def ratio(self) -> float:
        return self.root.p50 / self.bare.p50

    def values(self) -> dict[str, float]:
        return {
            "root_p95_ms": self.root.p95, "province_p95_ms": self.province.p95, "bare_p95_ms": self.bare.p95,
            "ratio_p50": self.ratio, "queries": max(self.root.queries, self.root_cold.queries), "update_p95_ms": self.update.p95,
            "cold_root_p95_ms": self.root_cold.p95, "cold_province_p95_ms": self.province_cold.p95,
            "json_p95_ms": max(m.p95 for m in self.json), "mixed_read_p95_ms": self.mixed_read.p95,
            "mixed_write_p95_ms": self.mixed_write.p95,
        }

    def last_line(self) -> str:
        v = self.values()
        return (
            f"root_p95_ms={v['root_p95_ms']:.1f} province_p95_ms={v['province_p95_ms']:.1f} "
            f"bare_p95_ms={v['bare_p95_ms']:.1f} ratio_p50={v['ratio_p50']:.2f} queries={v['queries']} "
            f"update_p95_ms={v['update_p95_ms']:.1f} cold_root_p95_ms={v['cold_root_p95_ms']:.1f} "
            f"cold_province_p95_ms={v['cold_province_p95_ms']:.1f} json_p95_ms={v['json_p95_ms']:.1f} "
            f"mixed_read_p95_ms={v['mixed_read_p95_ms']:.1f} mixed_write_p95_ms={v['mixed_write_p95_ms']:.1f}"
        )


def _host() -> str:
    """The host the requests name: the first of ALLOWED_HOSTS that is a name (production
    refuses any other), else the test client's own."""
    for host in settings.ALLOWED_HOSTS:
        if host and "*" not in host:
            return host.lstrip(".")
    return "testserver"


def _client(admin) -> Client:
    """A client signed in as `admin` whose requests come as HTTPS through the proxy
    (X-Forwarded-Proto, SECURE_PROXY_SSL_HEADER), to the deployment's host: what the
    production settings expect; the development settings ignore both. Where
    administrators need a second factor (PORTAL_REQUIRE_ADMIN_OTP, the production
    settings), the session has verified the admin's TOTP device, created in the benchmark's
    database if missing, as an administrator's session has after the second-factor page."""
    from accounts.otp import needs_second_factor

    client = Client(HTTP_HOST=_host(), HTTP_X_FORWARDED_PROTO="https")
    client.force_login(admin)
    if needs_second_factor(admin):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=admin, confirmed=True).first() or TOTPDevice.objects.create(
            user=admin, name="bench_dashboard", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _timed_get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}"
                           + (f" (to {response.get('Location')})" if response.get("Location") else "") + ".")
    return elapsed


class _SqlClock:
    """The queries sent through Django's cursors while it is installed, and their time
    by perf_counter (Django's own query log rounds each time to the millisecond, and the
    dashboard's queries take a fraction of one)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def _count(m: Measurement, action, repeat: int = 5) -> None:
    """Queries of one call of `action`, and the median SQL time over `repeat` calls."""
    counts, sql = [], []
    for _ in range(repeat):
        with _SqlClock() as clock:
            action()
        counts.append(clock.count)
        sql.append(clock.seconds * 1000)
    m.queries, m.sql_ms = max(counts), statistics.median(sql)


def bench_target(o: dict) -> tuple[str, dict]:
    """The benchmark database's name and the tree's parameters, from the command's options
    (shared with bench_reminders, so both benchmarks measure the same tree)."""
    provinces, communes = national.default_shape(o["units"])
    params = {
        "version": national.BUILD_VERSION, "units": o["units"],
        "provinces": o["provinces"] or provinces, "communes": o["communes"] or communes,
        "steps": o["steps"], "seed": o["seed"],
    }
    portal_db = connection.settings_dict["NAME"]
    name = o["database_name"] or f"{portal_db}_bench"
    if name == portal_db:
        raise CommandError("The benchmark never runs in the portal's own database: choose another --database-name.")
    return name, params


def run_benchmark(*, requests: int, warmup: int, seed: int = 1, out=print, mixed: MixedLoad | None = None) -> Result:
    """Measure the current database's bench tree (devdata.national): see HELP."""
    from accounts.models import User
    from committees.models import Unit
    from congresses.models import Milestone, MilestoneStatus
    from congresses.selectors import current_term
    from congresses.services import milestone_update

    mixed = mixed or MixedLoad()
    term = current_term()
    root = Unit.objects.filter(parent=None, congresses__term=term).order_by("pk").first()
    if term is None or root is None:
        raise CommandError("No bench tree in this database (devdata.national.build_national_tree).")
    province = (
        Unit.objects.filter(parent=root).alias(n=_children_count()).order_by("-n", "pk").first()
    )
    admin = User.objects.get(username=national.ADMIN_USERNAME)
    rows = Unit.objects.filter(parent=root).count()
    by_level = dict(Unit.objects.filter(path__startswith=root.path).values_list("level").annotate(n=_count_all()).order_by())
    out(f"Tree: {sum(by_level.values()):,} units ({', '.join(f'{k} {v:,}' for k, v in by_level.items())}), "
        f"{Milestone.objects.filter(congress__term=term).count():,} milestones; term {term.name!r}.")
    out(f"Root: {root.name} ({rows} child rows); province: {province.name} "
        f"({Unit.objects.filter(parent=province).count()} child rows).")
    out(f"Settings: {settings.SETTINGS_MODULE}; requests as HTTPS to {_host()!r}.")

    def url(name, unit):
        return reverse(f"dashboards:{name}", args=[unit.pk], urlconf=BENCH_URLCONF)

    units = {"root": root, "province": province}
    children = {key: list(Unit.objects.filter(parent=u).values_list("pk", flat=True)) for key, u in units.items()}
    # Per unit, in this order: a change below it (its token and a random child's replaced,
    # as the domain's signal does for a milestone ticked in that child's subtree), the page
    # and the JSON cold, then both again warm, as the next readers get them.
    plan = []
    for key, unit in units.items():
        plan += [(f"{key}_cold", url("unit_dashboard", unit), key), (f"{key}_json_cold", url("unit_dashboard_json", unit), None),
                 (key, url("unit_dashboard", unit), None), (f"{key}_json", url("unit_dashboard_json", unit), None)]
    plan.append(("bare", reverse("bench_rows", args=[rows], urlconf=BENCH_URLCONF), None))
    labels = {"root": "root dashboard", "province": "province dashboard", "bare": "bare view (floor)",
              "root_cold": "root, cold", "province_cold": "province, cold",
              "root_json": "root JSON", "province_json": "province JSON",
              "root_json_cold": "root JSON, cold", "province_json_cold": "province JSON, cold"}
    result = {k: Measurement(labels[k]) for k, _url, _bump in plan}
    rng = random.Random(seed)

    def change_below(key):
        # What the domain's signal does for a milestone ticked there: counters that every
        # rebuild reads again changed (dashboards.selectors.REBUILT_COUNTERS), so the
        # unit's quiet sections (calendar, documents, petitions, personnel) stay valid.
        dashboard_cache.replace_tokens([units[key].pk, rng.choice(children[key])], with_quiet=False)

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ROOT_URLCONF=BENCH_URLCONF, ALLOWED_HOSTS=hosts), _frozen():
        client = _client(admin)
        # As a web process does once loaded (wsgi.py): what is alive now, the benchmark's
        # own lists included, is left out of later garbage collections.
        freeze_loaded_objects()
        try:
            for i in range(warmup + requests):
                for key, link, bump in plan:  # interleaved: drift hits all alike
                    if bump:
                        change_below(bump)
                    elapsed = _timed_get(client, link)
                    if i >= warmup:
                        result[key].times.append(elapsed)
        except ValueError as e:
            if "manifest" in str(e):
                raise CommandError(f"{e}: run manage.py collectstatic first, as a deployment does.") from e
            raise
        for key, link, bump in plan:
            if bump or key.endswith("_json_cold"):
                unit_key = key.split("_")[0]
                _count(result[key], lambda link=link, k=unit_key: (change_below(k), client.get(link, secure=True)))
            else:
                client.get(link, secure=True)  # the cold ones above left it to be cached again
                _count(result[key], lambda link=link: client.get(link, secure=True))
        breakdowns = {
            key: _breakdown(client, url("unit_dashboard", units[key]), repeat=max(5, min(requests, 30)),
                            before=lambda key=key: change_below(key))
            for key in units
        }
        update = _measure_updates(admin, term, requests, warmup, seed, milestone_update, Milestone, MilestoneStatus)
        mixed_read, mixed_write = _measure_mixed(
            admin, term, [url("unit_dashboard", root), url("unit_dashboard", province)], mixed, seed,
            milestone_update, Milestone, MilestoneStatus, out)

    res = Result(root=result["root"], province=result["province"], bare=result["bare"], update=update,
                 root_cold=result["root_cold"], province_cold=result["province_cold"],
                 json=[result[k] for k in ("root_json", "province_json", "root_json_cold", "province_json_cold")],
                 mixed_read=mixed_read, mixed_write=mixed_write)
    out("")
    out("Server time = wall time of django.test.Client.get (URL resolution, middleware, view, SQL, template")
    out("rendering); update = milestone_update in transaction.atomic() including the commit and roll-ups;")
    out("cold = right after a change below (the unit's and one random child's tokens replaced).")
    out(f"{'measurement':<22}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'SQL ms':>8}")
    for m in (res.root, res.province, res.root_cold, res.province_cold, *res.json, res.bare, res.update):
        out(f"{m.label:<22}{len(m.times):>6}{m.p50:>9.1f}{m.p95:>9.1f}{m.max:>9.1f}{m.queries:>9}{m.sql_ms:>8.1f}")
    for m in (res.mixed_read, res.mixed_write):
        out(f"{m.label:<22}{len(m.times):>6}{m.p50:>9.1f}{m.p95:>9.1f}{m.max:>9.1f}{'':>9}{'':>8}")
    out(f"root/bare p50 ratio: {res.ratio:.2f}")
    for key, spans in breakdowns.items():
        out(f"{labels[key]} (cold), where the time goes (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in spans.items()))
    v = res.values()
    verdicts = []
    for key, target in TARGETS.items():
        ok = v[key] <= target  # nan (not measured) is never ok
        verdicts.append(f"{key} {v[key]:.1f} {'≤' if ok else '>'} {target:g} {'ok' if ok else 'MISSED'}")
    out("Targets: " + "; ".join(verdicts))
    return res


@contextmanager
def _frozen():
    """Objects frozen meanwhile (core.startup) are given back to the collector after: the
    command may run inside a longer process (the tests)."""
    import gc

    try:
        yield
    finally:
        gc.unfreeze()


def _breakdown(client: Client, url: str, repeat: int, before=lambda: None) -> dict[str, float]:
    """Median time per request in the dashboard's selector (its SQL included), the rows
    read from the cache, the calendar's drawing, the template rendering, all SQL, and the
    rest (URL resolution, middleware, sessions, the view's own code), over `repeat`
    requests with timers wrapped around those functions and the SQL captured (which adds a
    little)."""
    from unittest import mock

    from django.template.backends.django import Template
    from django.template.backends.jinja2 import Template as JinjaTemplate

    from dashboards import bodies

    samples: dict[str, list[float]] = {}
    for _ in range(repeat):
        spans: dict[str, float] = {}
        patches = []
        for owner, attr, label in ((bodies, "unit_dashboard", "selector"), (bodies, "_rows", "rows from the cache"),
                                   (bodies, "calendar_charts", "charts"), (Template, "render", "page template"),
                                   (JinjaTemplate, "render", "body template")):
            original = getattr(owner, attr, None)
            if original is None:
                continue

            def timed(*args, _original=original, _label=label, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spans[_label] = spans.get(_label, 0.0) + time.perf_counter() - started

            patches.append(mock.patch.object(owner, attr, timed))
        before()
        for p in patches:
            p.start()
        try:
            with _SqlClock() as clock:
                total = _timed_get(client, url)
        finally:
            for p in patches:
                p.stop()
        spans["sql"] = clock.seconds
        spans["rest"] = total - sum(v for k, v in spans.items() if k != "sql")
        spans["total"] = total
        for k, v in spans.items():
            samples.setdefault(k, []).append(v)
    return {k: 1000 * statistics.median(v) for k, v in samples.items()}


def _measure_mixed(admin, term, urls, load: MixedLoad, seed, milestone_update, Milestone,
                   MilestoneStatus, out) -> tuple[Measurement, Measurement]:
    """Writers tick random deep milestones through the service (each tick committed, so the
    domain's signal replaces the tokens on its path) while readers read `urls` in turn,
    for `load.seconds`; then every milestone ticked is set back to what it was."""
    import threading

    from django.db import connections

    reads, writes = Measurement("mixed: reads"), Measurement("mixed: writes")
    if load.readers < 1 or load.writers < 0 or load.seconds <= 0:
        return reads, writes
    today = timezone.localdate()
    deep = Milestone.objects.filter(congress__term=term, congress__unit__depth__gte=3)
    bounds = deep.order_by("pk").values_list("pk", flat=True)
    lo, hi = bounds.first(), bounds.last()
    rng = random.Random(seed + 1)
    ids = list({rng.randint(lo, hi) for _ in range(20000)})
    pool = list(deep.filter(pk__in=ids).order_by("pk"))
    rng.shuffle(pool)
    shares = [pool[i::max(load.writers, 1)] for i in range(max(load.writers, 1))]  # no milestone twice
    # The writers' milestones are the benchmark's, not the server's: out of the collector's
    # way like the process's own objects (wsgi.py), or each full collection scans them.
    freeze_loaded_objects()
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []
    ticked: list = []

    def writer(share):
        try:
            for m in share:
                if stop.is_set():
                    break
                m.original = (m.status, m.done_on)
                status, done_on = ((MilestoneStatus.IN_PROGRESS, None) if m.status == MilestoneStatus.DONE
                                   else (MilestoneStatus.DONE, today))
                started = time.perf_counter()
                with transaction.atomic():
                    milestone_update(milestone=m, user=admin, status=status, done_on=done_on)
                elapsed = time.perf_counter() - started
                with lock:
                    writes.times.append(elapsed)
                    ticked.append(m)
                stop.wait(load.pause)
        except BaseException as e:  # noqa: BLE001  (reported below, after the threads stop)
            errors.append(e)
            stop.set()
        finally:
            connections.close_all()

    def reader(offset):
        try:
            client = _client(admin)
            i = offset
            while not stop.is_set():
                elapsed = _timed_get(client, urls[i % len(urls)])
                with lock:
                    reads.times.append(elapsed)
                i += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            stop.set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(shares[i],)) for i in range(load.writers)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(load.readers)]
    for t in threads:
        t.start()
    stop.wait(load.seconds)
    stop.set()
    for t in threads:
        t.join()
    for m in ticked:  # set back, untimed
        with transaction.atomic():
            milestone_update(milestone=m, user=admin, status=m.original[0], done_on=m.original[1])
    if errors:
        raise CommandError(f"The mixed load stopped: {errors[0]!r}")
    out(f"Mixed load: {load.writers} writers ({len(writes.times)} ticks, {len(writes.times) / load.seconds:.1f}/s), "
        f"{load.readers} readers ({len(reads.times)} reads, {len(reads.times) / load.seconds:.1f}/s) for {load.seconds:g} s.")
    return reads, writes


def _children_count():
    from django.db.models import Count

    return Count("children")


def _count_all():
    from django.db.models import Count

    return Count("pk")


def _measure_updates(admin, term, requests, warmup, seed, milestone_update, Milestone, MilestoneStatus) -> Measurement:
    """Toggle random deep milestones (grassroots and sub-grassroots) done / not done, then
    back to exactly what they were, each call timed with its commit."""
    rng = random.Random(seed)
    today = timezone.localdate()
    deep = Milestone.objects.filter(congress__term=term, congress__unit__depth__gte=3)
    bounds = deep.order_by("pk").values_list("pk", flat=True)
    lo, hi = bounds.first(), bounds.last()
    wanted = (warmup + requests + 1) // 2 + 1
    picked: list = []
    while len(picked) < wanted:
        ids = {rng.randint(lo, hi) for _ in range(3 * wanted)} - {m.pk for m in picked}
        picked += list(deep.filter(pk__in=ids).order_by("pk")[: wanted - len(picked)])
    rng.shuffle(picked)

    def toggle(m, back: bool = False):
        if back:
            status, done_on = m.original
        elif m.status == MilestoneStatus.DONE:
            status, done_on = MilestoneStatus.IN_PROGRESS, None
        else:
            status, done_on = MilestoneStatus.DONE, today
        started = time.perf_counter()
        with transaction.atomic():
            milestone_update(milestone=m, user=admin, status=status, done_on=done_on)
        return time.perf_counter() - started

    m = Measurement("milestone update")
    for m_ in picked:
        m_.original = (m_.status, m_.done_on)
    calls = [(x, back) for x in picked[:-1] for back in (False, True)]
    for i, (milestone, back) in enumerate(calls[: warmup + requests]):
        elapsed = toggle(milestone, back)
        if i >= warmup:
            m.times.append(elapsed)
    if (warmup + requests) % 2:  # the last toggle was not undone
        toggle(calls[warmup + requests - 1][0], back=True)
    last = picked[-1]
    last.original = (last.status, last.done_on)
    counts, sql = [], []
    for back in (False, True):
        with _SqlClock() as clock:
            toggle(last, back)
        counts.append(clock.count)
        sql.append(clock.seconds * 1000)
    m.queries, m.sql_ms = max(counts), statistics.median(sql)
    return m
