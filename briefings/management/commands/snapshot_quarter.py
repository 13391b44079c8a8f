"""Take the quarter-end snapshot of the roll-ups (briefings.snapshots) by hand: the quarter
that has just ended by default, or `--quarter 2026-Q3`; an existing one is kept unless
`--replace`. Beat does the same on the first day after each quarter."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from briefings import snapshots
from briefings.quarters import Quarter


class Command(BaseCommand):
    help = "Take the quarter-end snapshot of the roll-up numbers (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="e.g. 2026-Q3; default: the quarter that has just ended")
        parser.add_argument("--replace", action="store_true", help="take it again if it exists")

    def handle(self, *args, quarter=None, replace=False, **options):
        today = timezone.localdate()
        if quarter:
            period = Quarter.parse(quarter)
            if period is None:
                raise CommandError(f"not a quarter: {quarter!r} (write 2026-Q3)")
        else:
            period = Quarter.of(today).previous
        if period.end >= today:
            raise CommandError(f"{period.key} is not over: its snapshot is taken after {period.end:%d/%m/%Y}")
        snapshot, taken = snapshots.take(period, replace=replace)
        verb = "taken" if taken else "already taken (use --replace to take it again)"
        self.stdout.write(f"{period.key}: {verb}, {snapshot.rows} rows")
