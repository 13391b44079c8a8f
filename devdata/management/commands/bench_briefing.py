"""`manage.py bench_briefing`: how long the quarterly briefing pack takes at the root of
the national tree (issue 14, point 8), to decide whether it needs a background task.

It uses bench_dashboard's database and tree (devdata.national, built on first use; same
options), and inside one transaction that it rolls back at the end, so the tree is left as
it was:
  1. every commune and bloc (the upper-grassroots units) files a submitted report for the
     previous quarter with a difficulty and three proposals, one of them answered;
  2. the previous quarter's snapshot is taken (briefings.snapshots.take, timed: one
     INSERT … SELECT per counter);
  3. the pack of the root is built (briefings.pack.build) and written as .docx
     (briefings.exports.pack_docx), --requests times each, for the previous quarter (from
     the snapshot) and the current one (live); queries counted once.
The last line is

  snapshot_s=… snapshot_rows=… pack_past_p50_ms=… pack_past_max_ms=… pack_live_p50_ms=…
  docx_p50_ms=… queries=…
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devdata import national

from .bench_dashboard import bench_database, bench_target


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--database-name", help="The benchmark's own database (default: <NAME>_bench).")
        parser.add_argument("--units", type=int, default=national.DEFAULT_UNITS)
        parser.add_argument("--provinces", type=int)
        parser.add_argument("--communes", type=int)
        parser.add_argument("--steps", type=int, default=national.DEFAULT_STEPS)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=10, help="Timed packs per measurement (10).")
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--keep", action="store_true")

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError("bench_briefing measures PostgreSQL: set DATABASE_URL=postgres://… and run it again.")
        name, params = bench_target(o)
        with bench_database(name, params, rebuild=o["rebuild"], keep=o["keep"], log=self.stdout.write):
            line = ""
            try:
                with transaction.atomic():
                    line = self._measure(o["requests"])
                    raise _Rollback
            except _Rollback:
                pass
        self.stdout.write(line)

    def _measure(self, requests: int) -> str:
        from briefings import exports, snapshots
        from briefings.models import Difficulty, Proposal, ProposalStatus, QuarterlyReport, ReportStatus, Theme
        from briefings.pack import build
        from briefings.quarters import Quarter
        from committees.models import Level, Unit
        from congresses.selectors import current_terms

        out = self.stdout.write
        root = Unit.objects.filter(parent=None).order_by("pk").first()
        if root is None:
            raise CommandError("No bench tree in this database.")
        today = timezone.localdate()
        past = Quarter.of(today).previous
        now = timezone.now()
        started = time.perf_counter()
        communes = list(Unit.objects.filter(level=Level.UPPER).values_list("pk", flat=True))
        reports = QuarterlyReport.objects.bulk_create([
            QuarterlyReport(unit_id=pk, year=past.year, quarter=past.quarter, status=ReportStatus.SUBMITTED,
                            submitted_at=now) for pk in communes])
        Difficulty.objects.bulk_create([Difficulty(report=r, theme=Theme.FACILITIES, text="Khó khăn về kinh phí")
                                        for r in reports])
        themes = [Theme.PERSONNEL, Theme.DOCUMENTS, Theme.OTHER]
        Proposal.objects.bulk_create([
            Proposal(report=r, theme=t, text=f"Kiến nghị {i}",
                     **({"status": ProposalStatus.ANSWERED, "answer": "Đồng ý", "answered_at": now} if i == 0 else {}))
            for r in reports for i, t in enumerate(themes)])
        out(f"{len(reports):,} reports with {len(reports) * 3:,} proposals in {time.perf_counter() - started:.1f} s.")

        started = time.perf_counter()
        snapshot, _taken = snapshots.take(past, replace=True)
        snapshot_s = time.perf_counter() - started
        out(f"Snapshot of {past.key}: {snapshot.rows:,} rows in {snapshot_s:.2f} s.")

        terms = current_terms()

        def timed(action) -> list[float]:
            action()  # warm-up
            times = []
            for _i in range(requests):
                t0 = time.perf_counter()
                action()
                times.append(time.perf_counter() - t0)
            return times

        past_pack = timed(lambda: build(unit=root, quarter=past, terms=terms, today=today))
        live_pack = timed(lambda: build(unit=root, quarter=Quarter.of(today), terms=terms, today=today))
        docx = timed(lambda: exports.pack_docx(build(unit=root, quarter=past, terms=terms, today=today)))
        with CaptureQueriesContext(connection) as ctx:
            build(unit=root, quarter=past, terms=terms, today=today)

        def ms(values, f=statistics.median) -> str:
            return f"{1000 * f(values):.0f}"

        return (f"snapshot_s={snapshot_s:.2f} snapshot_rows={snapshot.rows} pack_past_p50_ms={ms(past_pack)} "
                f"pack_past_max_ms={ms(past_pack, max)} pack_live_p50_ms={ms(live_pack)} "
                f"docx_p50_ms={ms(docx)} queries={len(ctx.captured_queries)}")
