"""`manage.py backup DIR`: the database and the uploaded files, together (core.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups
from core.commands import english_output


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump's custom format on PostgreSQL, SQLite's backup API on SQLite) and "
        "MEDIA_ROOT into DIR, a new or empty folder, with manifest.json: the row count of every table and "
        "every file with its size and sha256. Restore with `manage.py restore DIR --database-url URL`."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path, help="a new or empty folder")

    @english_output
    def handle(self, *args, dir: Path, **options):
        try:
            result = backups.backup(dir)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        tables = manifest["database"]["tables"]
        files = manifest["media"]["files"]
        self.stdout.write(
            f"Backed up {sum(tables.values())} rows in {len(tables)} tables ({manifest['engine']}) and "
            f"{len(files)} files ({sum(f['size'] for f in files)} bytes) into {result.folder}"
        )
