"""`manage.py restore DIR --database-url URL --media-root PATH` (core.backups)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import backups
from core.commands import english_output


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a fresh database (create it first: createdb NAME) "
        "and a fresh media folder, then compare the row count of every table and every file with the "
        "backup's manifest; exit status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path, help="the backup's folder")
        parser.add_argument("--database-url", required=True,
                            help="the empty database to restore into, e.g. postgres://user@host:5432/portal_restored")
        parser.add_argument("--media-root", type=Path, default=None,
                            help="an empty or new folder for the files (default: MEDIA_ROOT, which must be empty)")

    @english_output
    def handle(self, *args, dir: Path, database_url: str, media_root: Path | None, **options):
        try:
            result = backups.restore(dir, database_url=database_url, media_root=media_root or Path(settings.MEDIA_ROOT))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for difference in result.differences:
            self.stderr.write(difference)
        if result.differences:
            raise CommandError(f"The restored data differs from the backup's manifest ({len(result.differences)} differences).")
        self.stdout.write(f"Restored {result.rows} rows in {result.tables} tables and {result.files} files; "
                          "they match the manifest.")
