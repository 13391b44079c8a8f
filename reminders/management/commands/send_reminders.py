"""`manage.py send_reminders [--dry-run] [--date YYYY-MM-DD] [--kind all|daily|weekly]`:
the scan beat runs every morning, by hand.

Without --dry-run it writes the day's messages and queues the emails, exactly as the
beat task does (running it twice sends nothing twice). --dry-run lists who would get
what and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from committees.models import Unit
from congresses.models import Milestone
from core.commands import english_output
from reminders import services
from reminders.models import Channel, Kind, Reason
from reminders.selectors import when_text


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would get what; send and write nothing.")
        parser.add_argument("--date", type=_date, default=None,
                            help="The day to scan for (YYYY-MM-DD); today in the portal's time zone by default.")
        parser.add_argument(
            "--kind", choices=["all", "daily", "weekly"], default="all",
            help="all (default): the daily reminders, and the weekly digest when the day is the policy's "
                 "digest day; daily or weekly: only that one (weekly: whatever the weekday).",
        )

    @english_output
    def handle(self, *args, dry_run: bool, date: dt.date | None, kind: str, **options):
        day = date or timezone.localdate()
        kinds = []
        if kind in ("all", "daily"):
            kinds.append(Kind.DAILY)
        if kind == "weekly" or (kind == "all" and services.weekly_digest_due(day)):
            kinds.append(Kind.WEEKLY)
        for k in kinds:
            result = services.reminders_scan(kind=k, day=day, source="command", dry_run=dry_run)
            label = f"{Kind(k).label} {date_format(day, 'SHORT_DATE_FORMAT')}"
            if result.skipped_reason:
                self.stdout.write(f"{label}: nothing to do ({result.skipped_reason}).")
            elif dry_run:
                self._print_dry_run(label, result)
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"{label}: {result.deliveries} messages, {result.items} lines; "
                    f"{result.emails_queued} emails queued in {result.tasks} tasks."
                ))

    def _print_dry_run(self, label: str, result: services.ScanResult) -> None:
        rows = result.rows
        users = User.objects.in_bulk({r.recipient_id for r in rows})
        units = Unit.objects.in_bulk({r.unit_id for r in rows})
        milestones = Milestone.objects.select_related("step").in_bulk({r.milestone_id for r in rows if r.milestone_id})
        messages = defaultdict(list)
        for row in rows:
            messages[(row.recipient_id, row.channel)].append(row)
        new = sum(1 for key_rows in messages.values() if not key_rows[0].delivered)
        self.stdout.write(self.style.MIGRATE_HEADING(
            f"{label} (dry run, nothing written): {len(messages)} messages to "
            f"{len({k[0] for k in messages})} recipients, {len(rows)} lines; "
            f"{len(messages) - new} of them were written by an earlier run today."
        ))
        for (recipient_id, channel), key_rows in messages.items():
            user = users[recipient_id]
            to = user.email if channel == Channel.EMAIL else "—"
            already = "  [already written today]" if key_rows[0].delivered else ""
            self.stdout.write(f"\n{user.get_username()} ({user}) · {Channel(channel).label} {to}{already}")
            for row in key_rows:
                unit = units[row.unit_id].name
                due = date_format(row.due_date, "SHORT_DATE_FORMAT") if row.due_date else ""
                if row.milestone_id:
                    what = f"{unit} — {milestones[row.milestone_id].step.title}"
                else:
                    what = f"{unit} — {row.overdue_count} overdue"
                self.stdout.write(f"  {str(Reason(row.reason).label):<45} {what}  {due} ({when_text(row.due_date, result.day)})")
        if not rows:
            self.stdout.write("  nobody")
