"""`manage.py import_units PATH [--dry-run]`: import the unit tree from a .xlsx or .csv file.

All or nothing: when any row is wrong, every bad row is printed ("line N: message") to
stderr, nothing is written and the command exits with a non-zero status.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from committees.importing import ImportFileError, import_units, read_file
from core.commands import english_output

LARGE_FILE_ROWS = 1000  # progress is printed for files with at least this many rows
LARGE_FILE_BYTES = 1024 * 1024


class ProgressPrinter:
    """Writes "phase: NN%" to a command's OutputWrapper: rewriting one line on a terminal,
    otherwise one line every 10% of each phase (logs stay short)."""

    def __init__(self, stream):
        self.stream, self.tty = stream, stream.isatty()
        self.phase: str | None = None
        self.shown = -1

    def __call__(self, phase: str, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if phase != self.phase:
            self.end_line()
            self.phase, self.shown = phase, -1
        step = 1 if self.tty else 10
        if percent // step == self.shown // step and self.shown >= 0:
            return
        self.shown = percent
        text = f"{phase}: {percent:3d}% ({done}/{total})"
        self._write("\r" + text if self.tty else text + "\n")

    def end_line(self) -> None:
        if self.tty and self.phase is not None:
            self._write("\n")
            self.phase = None

    def _write(self, text: str) -> None:
        self.stream.write(text, style_func=lambda s: s, ending="")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import units from a .xlsx or .csv file with the header code,parent_code,name,level,kind."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .xlsx or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change; write nothing.")

    @english_output
    def handle(self, *args, path: str, dry_run: bool, verbosity: int, **options):
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}) from exc
        started = time.monotonic()
        if verbosity >= 1 and len(data) >= LARGE_FILE_BYTES:
            self.stderr.write(_("Reading %(path)s…") % {"path": path}, style_func=lambda s: s)
        try:
            rows = read_file(file.name, data)
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc

        printer = None
        if verbosity >= 1 and len(rows) >= LARGE_FILE_ROWS:
            printer = ProgressPrinter(self.stderr)
        report = import_units(rows, dry_run=dry_run, progress=printer)
        if printer:
            printer.end_line()

        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            bad_rows = len({error.line for error in report.errors})
            raise CommandError(
                _("%(n)d bad rows in %(path)s: nothing was written.") % {"n": bad_rows, "path": path}
            )
        summary = _(
            "%(rows)d rows: %(created)d created, %(updated)d updated (%(moved)d moved), %(unchanged)d unchanged."
        ) % {"rows": report.total, "created": report.created, "updated": report.updated,
             "moved": report.moved, "unchanged": report.unchanged}
        if dry_run:
            self.stdout.write(_("Dry run, nothing was written. %(summary)s") % {"summary": summary})
            if verbosity >= 1:
                for change in report.changes:
                    self.stdout.write("  " + change)
        else:
            self.stdout.write(self.style.SUCCESS(summary))
        if verbosity >= 2:
            self.stdout.write(_("Took %(s).1f s.") % {"s": time.monotonic() - started})
