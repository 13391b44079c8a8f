"""`manage.py bench_reminders`: the daily reminder scan and its emails, end to end, through
real Celery workers, on the national-shape tree of `manage.py bench_dashboard`.

See the command's help (HELP below) for what it measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format

from devdata import national
from devdata.management.commands.bench_dashboard import _marker, bench_database, bench_target

TARGET_END_TO_END_S = 30.0
POLL_S = 0.1  # how often the command looks at the database while it waits
FINAL_STATES = ("sent", "skipped", "failed")

HELP = """Benchmark the daily reminders end to end (PostgreSQL and Redis only).

The data are the national-shape tree of `manage.py bench_dashboard` (devdata.national: 60,000
units, about 1.2 million milestones, a secretary per unit, a viewer per province) in that
command's own database, found, built or rebuilt exactly as bench_dashboard does with the
same options (default name: the portal database's name plus "_bench"), so the two
benchmarks share one tree. The day scanned is the day the tree was built (its due dates
are laid out around that day), or --date.

Before the timed part (not timed): the reminder rows of that day (messages, their lines,
the runs) are deleted and the reminder tables vacuumed, so every run does the same work;
the Celery queue is purged; --workers Celery workers are started as subprocesses (each
`celery worker --pool prefork --concurrency 1`: one process executing tasks per worker),
on the benchmark database and the Redis broker of REDIS_URL, with Django's file email
backend writing every message, fully rendered, into a temporary folder (deleted
afterwards, or kept with --keep-outbox); the command waits until they are ready.

Timed, end to end: the command publishes `reminders.daily_scan` for the day through the
broker; a worker runs the scan (one set-based SELECT over all the term's milestones, two
INSERT … SELECT) and on commit queues the emails in send tasks of REMINDERS_BATCH_SIZE;
both workers send them. The clock stops when the command, polling the database every
0.1 s, sees every email of that run in a final state (sent, skipped or failed). Reported:
the scan's own time (the run's started/finished times, written by the worker), the time
until the scan's commit was seen, the messages (email and in-app), the lines, the
milestones of the term the scan went over, the send tasks' times (from the workers'
logs), failures. Then the same scan once more through the broker (it must write nothing:
the idempotency key), timed the same way; then the workers are stopped (warm shutdown).

The last line is

  scan_s=… end_to_end_s=… messages=… lines=… milestones=… workers=…

Target (issue 15, point 3; issue 4 asked for 60): end_to_end_s < 30 with two worker processes on a
2-core machine.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter, DjangoHelpFormatter):
    """Django's option order, and the help text's paragraphs as written."""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, formatter_class=_Formatter, **kwargs)

    def add_arguments(self, parser):
        # The tree's options are bench_dashboard's, with its defaults: same options, same tree.
        parser.add_argument("--database-name", help="The benchmark's own database (default: <NAME>_bench, "
                                                    "bench_dashboard's).")
        parser.add_argument("--units", type=int, default=national.DEFAULT_UNITS, help="Units in the tree (60,000).")
        parser.add_argument("--provinces", type=int, help="Provinces (default: 34 at full size, scaled below).")
        parser.add_argument("--communes", type=int, help="Communes and blocs (default: 3,300 at full size, scaled).")
        parser.add_argument("--steps", type=int, default=national.DEFAULT_STEPS, help="Plan steps (20).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generated tree.")
        parser.add_argument("--rebuild", action="store_true", help="Drop and rebuild the benchmark database.")
        parser.add_argument("--keep", action="store_true",
                            help="Reuse the database as built, even with other parameters.")
        parser.add_argument("--date", type=_date, default=None,
                            help="The day to scan (YYYY-MM-DD); default: the day the tree was built.")
        parser.add_argument("--workers", type=int, default=2,
                            help="Celery worker processes (2), each `--pool prefork --concurrency 1`.")
        parser.add_argument("--timeout", type=float, default=900,
                            help="Give up when a run is not over after this many seconds (900).")
        parser.add_argument("--keep-outbox", action="store_true",
                            help="Keep the folder of written emails and worker logs (printed) instead of deleting it.")

    def handle(self, *args, **o):
        if connection.vendor != "postgresql" or not settings.REDIS_URL or not os.environ.get("DATABASE_URL"):
            raise CommandError(
                "bench_reminders measures the production setup, PostgreSQL and Redis: it needs "
                "DATABASE_URL=postgres://… and REDIS_URL=redis://… "
                f"(this is {connection.vendor}, REDIS_URL {'set' if settings.REDIS_URL else 'unset'})."
            )
        if o["workers"] < 1 or o["timeout"] <= 0:
            raise CommandError("--workers must be at least 1 and --timeout positive.")
        name, params = bench_target(o)
        out = self.stdout.write
        with bench_database(name, params, rebuild=o["rebuild"], keep=o["keep"], log=out):
            day = o["date"] or _built_on(name) or timezone.localdate()
            bench = ReminderBench(database=name, day=day, workers=o["workers"], timeout=o["timeout"],
                                  keep_outbox=o["keep_outbox"], out=out)
            result = bench.run()
        out(result.last_line())
        if result.second_rows:
            raise CommandError(f"The second scan of the same day wrote {result.second_rows} rows: "
                               "the scan is not idempotent.")


def _built_on(name: str) -> dt.date | None:
    with connection.cursor() as cursor:
        marker = _marker(cursor, name) or {}
    try:
        return dt.date.fromisoformat(marker.get("built_on", ""))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# The workers


class Workers:
    """`n` Celery workers as subprocesses (each in its own process group), on the
    benchmark database and the broker, writing emails into `outbox`."""

    def __init__(self, n: int, *, database: str, folder: Path):
        self.n = n
        self.database = database
        self.folder = folder
        self.outbox = folder / "outbox"
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.logs = [folder / f"worker-{i + 1}.log" for i in range(n)]

    def env(self) -> dict[str, str]:
        url = urlsplit(os.environ["DATABASE_URL"])
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE or os.environ["DJANGO_SETTINGS_MODULE"],
            "DATABASE_URL": urlunsplit(url._replace(path="/" + self.database)),
            "REDIS_URL": settings.REDIS_URL,
            # The test settings run tasks inline unless told otherwise: the worker's scan
            # must queue its sends on the broker like production does.
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # Workers as deployed: never with DEBUG (the development settings default to it,
            # which logs every query of the run in each worker).
            "DJANGO_DEBUG": "0",
            # The file backend, whatever the settings module: base reads EMAIL_URL, the
            # test settings EMAIL_BACKEND and EMAIL_FILE_PATH.
            "EMAIL_URL": f"filemail:///{self.outbox}",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.outbox),
        })
        return env

    def command(self, i: int) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "congress_portal", "worker", "--pool", "prefork",
            "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"bench-reminders-{i + 1}-{os.getpid()}@%h",
        ]

    def describe(self) -> str:
        return (f"{self.n} × `celery -A congress_portal worker --pool prefork --concurrency 1` "
                f"({self.n} processes executing tasks)")

    def start(self, timeout: float = 120) -> float:
        started = time.perf_counter()
        env = self.env()
        for i, log in enumerate(self.logs):
            with open(log, "wb") as f:
                self.processes.append(subprocess.Popen(
                    self.command(i), cwd=settings.BASE_DIR, env=env, stdout=f, stderr=subprocess.STDOUT,
                    start_new_session=True,
                ))
        deadline = time.monotonic() + timeout
        while not all(b"ready." in log.read_bytes() for log in self.logs):
            self.check_alive()
            if time.monotonic() > deadline:
                raise CommandError(f"The workers were not ready after {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.1)
        return time.perf_counter() - started

    def check_alive(self) -> None:
        for p, log in zip(self.processes, self.logs, strict=True):
            if p.poll() is not None:
                raise CommandError(f"A worker exited with status {p.returncode}:\n{self.tail(log)}")

    def stop(self, timeout: float = 60) -> float:
        """Warm shutdown (SIGTERM to each worker's main process: it finishes its task and
        exits); SIGKILL to its process group after `timeout`."""
        started = time.perf_counter()
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for p in self.processes:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        return time.perf_counter() - started

    def tail(self, log: Path | None = None, lines: int = 30) -> str:
        logs = [log] if log else self.logs
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:]) for p in logs if p.exists()
        )

    def task_times(self) -> dict[str, list[float]]:
        """Seconds each task took, by task name, from the workers' INFO logs."""
        pattern = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s")
        times: dict[str, list[float]] = {}
        for log in self.logs:
            for m in pattern.finditer(log.read_text(errors="replace")):
                times.setdefault(m.group(1), []).append(float(m.group(2)))
        return times

    def errors(self) -> int:
        pattern = re.compile(r"Task [\w.]+\[[^\]]+\] (raised|retry)")
        return sum(len(pattern.findall(log.read_text(errors="replace"))) for log in self.logs)

    def outbox_messages(self) -> tuple[int, int]:
        """(messages, bytes) the file backend wrote: one file per connection, one
        Message-ID header per message."""
        messages = size = 0
        for path in self.outbox.iterdir():
            data = path.read_bytes()
            messages += data.count(b"\nMessage-ID: ")
            size += len(data)
        return messages, size


# ---------------------------------------------------------------------------------------
# The benchmark


@dataclass
class RunResult:
    run_id: int
    seen_s: float  # from publishing the scan to seeing its run committed
    scan_s: float  # the run's finished_at - started_at (the worker's clock)
    deliveries: int
    items: int
    emails: int = 0
    end_s: float = 0.0  # from publishing to every email of the run in a final state
    states: dict[str, int] = field(default_factory=dict)


@dataclass
class Result:
    first: RunResult
    second: RunResult
    milestones: int
    workers: int
    second_rows: int

    def last_line(self) -> str:
        return (
            f"scan_s={self.first.scan_s:.2f} end_to_end_s={self.first.end_s:.2f} "
            f"messages={self.first.deliveries} lines={self.first.items} milestones={self.milestones} "
            f"workers={self.workers}"
        )


class ReminderBench:
    def __init__(self, *, database: str, day: dt.date, workers: int, timeout: float, keep_outbox: bool, out):
        self.database = database
        self.day = day
        self.n_workers = workers
        self.timeout = timeout
        self.keep_outbox = keep_outbox
        self.out = out

    def run(self) -> Result:
        from congress_portal.celery import app
        from congresses.selectors import current_term

        term = current_term()
        if term is None or term.name != national.TERM_NAME:
            raise CommandError("No bench tree in this database (devdata.national.build_national_tree).")
        milestones = self._describe(term)
        self._clear()
        purged = app.control.purge()
        self.out(f"Celery queue purged ({purged} waiting messages dropped).")

        folder = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
        workers = Workers(self.n_workers, database=self.database, folder=folder)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False  # publish to the broker, even under the test settings
        try:
            ready = workers.start()
            self.out(f"Workers: {workers.describe()}; broker {_hide_password(settings.REDIS_URL)}, "
                     f"database {self.database}, emails written by Django's file backend into {workers.outbox}; "
                     f"ready after {ready:.1f} s (not timed).")
            first = self._timed_scan(workers, after_run=0)
            self._report_first(first, workers)
            second = self._timed_scan(workers, after_run=first.run_id)
            second_rows = self._report_second(first, second)
        finally:
            app.conf.task_always_eager = eager
            stopped = workers.stop()
            purged = app.control.purge()
            self.out(f"Workers stopped (warm shutdown) in {stopped:.1f} s"
                     + (f"; {purged} messages left in the queue were purged." if purged else "."))
            if self.keep_outbox:
                self.out(f"Emails and worker logs kept in {folder}.")
            else:
                shutil.rmtree(folder, ignore_errors=True)

        ok = first.end_s < TARGET_END_TO_END_S
        self.out(f"Target: end_to_end_s {first.end_s:.2f} {'<' if ok else '≥'} {TARGET_END_TO_END_S:g} "
                 f"with {self.n_workers} worker processes: {'ok' if ok else 'MISSED'}")
        return Result(first=first, second=second, milestones=milestones, workers=self.n_workers,
                      second_rows=second_rows)

    # --- before the clock -------------------------------------------------------------------

    def _describe(self, term) -> int:
        from accounts.models import Grant
        from committees.models import Unit
        from congresses.models import Milestone, MilestoneStatus
        from reminders.services import policy_get

        milestones = Milestone.objects.filter(congress__term=term)
        total = milestones.count()
        open_dated = milestones.exclude(status=MilestoneStatus.DONE).filter(due_date__isnull=False).count()
        users = (Grant.objects.filter(user__is_active=True).values("role")
                 .annotate(n=Count("user", distinct=True)).order_by("role"))
        self.out(f"Tree: {Unit.objects.count():,} units, {total:,} milestones in term {term.name!r} "
                 f"({open_dated:,} open with a due date); active users: "
                 + ", ".join(f"{u['role']} {u['n']:,}" for u in users) + ".")
        policy = policy_get(create=False)
        rules = []
        if policy.due_soon_enabled:
            rules.append("due soon " + "/".join(str(d) for d in sorted(policy.days_before, reverse=True)) + " days before")
        if policy.overdue_enabled:
            rules.append("first overdue day")
        if policy.escalation_enabled:
            rules.append(f"escalation after {policy.escalate_after_days} days")
        self.out(f"Day scanned: {date_format(self.day, 'SHORT_DATE_FORMAT')} ({self.day.isoformat()}); "
                 f"policy{'' if type(policy).objects.filter(pk=policy.pk).exists() else ' (defaults, no row yet)'}: "
                 + ", ".join(rules or ["nothing enabled"]) + ".")
        return total

    def _clear(self) -> None:
        """Delete the day's reminder rows (set-based: the lines, the messages, the runs),
        recount the unread notifications of their recipients, vacuum the tables."""
        from reminders.models import Channel, Delivery, DeliveryItem, ReminderRun
        from reminders.services import unread_refresh

        D, I, R = Delivery._meta.db_table, DeliveryItem._meta.db_table, ReminderRun._meta.db_table  # noqa: E741
        started = time.perf_counter()
        readers = list(Delivery.objects.filter(day=self.day, channel=Channel.INAPP)
                       .values_list("recipient_id", flat=True).distinct())
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {I} WHERE delivery_id IN (SELECT id FROM {D} WHERE day = %s)", [self.day])
            items = cursor.rowcount
            cursor.execute(f"DELETE FROM {D} WHERE day = %s", [self.day])
            deliveries = cursor.rowcount
            cursor.execute(f"DELETE FROM {R} WHERE day = %s", [self.day])
            runs = cursor.rowcount
        if readers:
            unread_refresh(readers)
        with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
            cursor.execute(f"VACUUM ANALYZE {D}, {I}, {R}")
        self.out(f"Cleared the day's earlier reminder rows: {deliveries:,} messages, {items:,} lines, {runs} runs; "
                 f"tables vacuumed ({time.perf_counter() - started:.1f} s, not timed).")

    # --- the clock --------------------------------------------------------------------------

    def _timed_scan(self, workers: Workers, *, after_run: int) -> RunResult:
        from reminders.models import Channel, Delivery, DeliveryState, Kind, ReminderRun
        from reminders.tasks import daily_scan

        runs = ReminderRun.objects.filter(day=self.day, kind=Kind.DAILY, pk__gt=after_run, finished_at__isnull=False)
        started = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        daily_scan.apply_async(args=[self.day.isoformat()])
        while (run := runs.order_by("pk").first()) is None:
            self._wait(workers, deadline, "the scan")
        seen = time.perf_counter() - started
        result = RunResult(
            run_id=run.pk, seen_s=seen, scan_s=(run.finished_at - run.started_at).total_seconds(),
            deliveries=run.deliveries_created, items=run.items_created,
        )
        emails = Delivery.objects.filter(run=run, channel=Channel.EMAIL)
        while emails.filter(state=DeliveryState.PENDING).exists():
            self._wait(workers, deadline, "the emails", emails)
        result.end_s = time.perf_counter() - started
        result.states = dict(emails.values_list("state").annotate(n=Count("pk")).order_by())
        result.emails = sum(result.states.values())
        return result

    def _wait(self, workers: Workers, deadline: float, what: str, emails=None) -> None:
        workers.check_alive()
        if time.monotonic() > deadline:
            progress = ""
            if emails is not None:
                progress = " Emails by state: " + ", ".join(
                    f"{s} {n:,}" for s, n in emails.values_list("state").annotate(n=Count("pk")).order_by())
            raise CommandError(f"Gave up waiting for {what} after {self.timeout:.0f} s.{progress}\n{workers.tail()}")
        time.sleep(POLL_S)

    # --- reporting --------------------------------------------------------------------------

    def _report_first(self, r: RunResult, workers: Workers) -> None:
        from reminders.models import Channel, Delivery, DeliveryItem

        by_channel = dict(Delivery.objects.filter(run_id=r.run_id).values_list("channel")
                          .annotate(n=Count("pk")).order_by())
        recipients = Delivery.objects.filter(run_id=r.run_id).values("recipient_id").distinct().count()
        by_reason = dict(DeliveryItem.objects.filter(delivery__run_id=r.run_id).values_list("reason")
                         .annotate(n=Count("pk")).order_by())
        times = workers.task_times()
        sends = times.get("reminders.send_deliveries", [])
        written, size = workers.outbox_messages()
        sent = r.states.get("sent", 0)
        self.out("Run 1, timed from publishing reminders.daily_scan to the last email in a final state:")
        rows = [
            ("scan", f"{r.scan_s:.2f} s in the worker (the run's started → finished), task "
                     + (f"{times['reminders.daily_scan'][0]:.2f} s" if times.get("reminders.daily_scan") else "?")
                     + f" (the worker's log), committed and seen after {r.seen_s:.2f} s"),
            ("messages", f"{r.deliveries:,} (email {by_channel.get(Channel.EMAIL, 0):,}, "
                         f"in-app {by_channel.get(Channel.INAPP, 0):,}) to {recipients:,} recipients"),
            ("lines", f"{r.items:,} (" + ", ".join(f"{k} {v:,}" for k, v in sorted(by_reason.items())) + ")"),
            ("emails", f"{r.emails:,}: " + ", ".join(f"{s} {r.states.get(s, 0):,}" for s in FINAL_STATES)),
            ("send tasks", (f"{len(sends)}, median {statistics.median(sends):.2f} s, max {max(sends):.2f} s, "
                            f"{sum(sends):.1f} s in all ({1000 * sum(sends) / max(sent, 1):.1f} ms an email)")
                           if sends else "none"),
            ("written", f"{written:,} messages by the file backend, {size / 1e6:.1f} MB "
                        f"({size / max(written, 1) / 1000:.1f} kB each)"),
            ("all final after", f"{r.end_s:.2f} s (sending {r.end_s - r.seen_s:.2f} s after the scan, "
                                f"{sent / max(r.end_s - r.seen_s, 1e-9):.0f} emails/s)"),
            ("failures", f"{r.states.get('failed', 0)} failed emails, {workers.errors()} task errors or retries"),
        ]
        for label, text in rows:
            self.out(f"  {label:<16} {text}")
        if written != sent:
            self.out(f"  WARNING: {sent:,} emails marked sent but {written:,} found in the outbox.")

    def _report_second(self, first: RunResult, second: RunResult) -> int:
        """Report the second run; return the rows it wrote (there must be none)."""
        second_rows = max(self._rows_of_day() - (first.deliveries + first.items), second.deliveries + second.items)
        verdict = "nothing written: idempotent" if second_rows == 0 else f"{second_rows} ROWS WRITTEN: NOT IDEMPOTENT"
        self.out(f"Run 2, the same scan again: scan {second.scan_s:.2f} s, committed and seen after "
                 f"{second.seen_s:.2f} s, over after {second.end_s:.2f} s; "
                 f"{second.deliveries} messages, {second.items} lines ({verdict}).")
        return second_rows

    def _rows_of_day(self) -> int:
        from reminders.models import Delivery, DeliveryItem

        return (Delivery.objects.filter(day=self.day).count()
                + DeliveryItem.objects.filter(delivery__day=self.day).count())


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
