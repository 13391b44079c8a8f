"""Backups of the database and the uploaded files together (`manage.py backup`,
`manage.py restore`; README "Backups", docs/operations.md).

A backup is a folder:

- `database.dump`: PostgreSQL's own custom-format dump (`pg_dump -Fc`), or, on SQLite,
  `database.sqlite3`, a copy made with SQLite's online backup API;
- `media.tar.gz`: MEDIA_ROOT (evidence files, documents, imports);
- `manifest.json`: when, from which engine, the row count of every table, every file of
  MEDIA_ROOT with its size and sha256, and the sha256 of the two archives.

On PostgreSQL the counts and the dump are one snapshot: the backup opens a REPEATABLE READ
transaction, exports its snapshot, counts the rows in it and hands it to
`pg_dump --snapshot`, so that portal writes during the backup cannot make the manifest
disagree with the dump. The files are read after the snapshot: a file uploaded meanwhile
may be in the archive without its row, never a row without its file, since a file is
written before the row that names it commits.

A restore goes into a fresh (empty) database and a fresh media folder, then checks the
restored database's counts and the unpacked files against the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import environ
from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media.tar.gz"
FORMAT = 1


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[dict]:
    """Every file under `root`, relative path, size and sha256, sorted by path."""
    if not root.exists():
        return []
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files.append({"path": path.relative_to(root).as_posix(), "size": path.stat().st_size, "sha256": sha256(path)})
    return files


def _table_counts(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(db: dict) -> dict[str, str]:
    """libpq's variables for a database of settings.DATABASES: the password never goes on
    a command line (ps would show it)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{argv[0]} is not installed (PostgreSQL's client programs: apt-get install postgresql-client)") from exc
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


# --- Backup ---------------------------------------------------------------------------------


@dataclass
class Backup:
    folder: Path
    manifest: dict = field(default_factory=dict)


def backup(folder: Path) -> Backup:
    """Write a backup of the default database and MEDIA_ROOT into `folder` (new or empty).

    Steps:
    1. the database with the row count of every table, from one snapshot (see the module);
    2. MEDIA_ROOT into media.tar.gz, and the list of its files with their sha256;
    3. manifest.json, last: a folder without it is an unfinished backup.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    tables = connection.introspection.table_names()
    if vendor == "postgresql":
        dump = folder / PG_DUMP
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _table_counts(cursor, tables)
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={dump}"], _pg_env(connection.settings_dict))
    elif vendor == "sqlite":
        dump = folder / SQLITE_COPY
        connection.ensure_connection()
        with transaction.atomic(), connection.cursor() as cursor:
            counts = _table_counts(cursor, tables)
            target = sqlite3.connect(dump)
            try:
                # The online backup API: a consistent copy while others may be writing.
                connection.connection.backup(target)
            finally:
                target.close()
    else:
        raise BackupError(f"backups of a {vendor} database are not supported")

    media_root = Path(settings.MEDIA_ROOT)
    archive = folder / MEDIA
    files = media_files(media_root)
    with tarfile.open(archive, "w:gz") as tar:
        for item in files:
            tar.add(media_root / item["path"], arcname=item["path"], recursive=False)

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "engine": vendor,
        "database": {"file": dump.name, "sha256": sha256(dump), "tables": counts},
        "media": {"file": archive.name, "sha256": sha256(archive), "files": files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return Backup(folder=folder, manifest=manifest)


# --- Restore --------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} is missing: not a backup, or an unfinished one")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for part in ("database", "media"):
        file = Path(folder) / manifest[part]["file"]
        if not file.exists() or sha256(file) != manifest[part]["sha256"]:
            raise BackupError(f"{file} is missing or damaged (its sha256 differs from the manifest's)")
    return manifest


def database_counts(url: str) -> dict[str, int]:
    """The row count of every table of the database at `url` (postgres:// or sqlite://)."""
    db = environ.Env.db_url_config(url)
    if "sqlite" in db["ENGINE"]:
        conn = sqlite3.connect(db["NAME"])
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                "AND name NOT LIKE 'sqlite_%'")]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}
        finally:
            conn.close()
    import psycopg2

    conn = psycopg2.connect(dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                            host=db.get("HOST") or None, port=db.get("PORT") or None)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            names = sorted(r[0] for r in cursor.fetchall())
            counts = {}
            for name in names:
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                counts[name] = cursor.fetchone()[0]
            return counts
    finally:
        conn.close()


@dataclass
class Restore:
    tables: int
    rows: int
    files: int
    differences: list[str]


def restore(folder: Path, *, database_url: str, media_root: Path) -> Restore:
    """Restore the backup in `folder` into the empty database at `database_url` and the
    empty (or new) folder `media_root`, then compare both with the manifest.

    Steps:
    1. check the manifest and the sha256 of the archives;
    2. the database: pg_restore into the fresh PostgreSQL database, or a copy of the SQLite
       file (SQLite's backup API) to the file the URL names;
    3. unpack the files (only regular files and folders, never outside media_root);
    4. compare the counts of every table and the size and sha256 of every file.
    """
    folder, media_root = Path(folder), Path(media_root)
    manifest = read_manifest(folder)
    db = environ.Env.db_url_config(database_url)
    engine = "sqlite" if "sqlite" in db["ENGINE"] else ("postgresql" if "postgresql" in db["ENGINE"] else db["ENGINE"])
    if engine != manifest["engine"]:
        raise BackupError(f"the backup is of a {manifest['engine']} database; {database_url.split(':')[0]} given")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} is not empty: restore into a fresh folder")

    dump = folder / manifest["database"]["file"]
    if engine == "postgresql":
        if any(database_counts(database_url)):
            raise BackupError("the target database is not empty: restore into a fresh one (createdb)")
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={db['NAME']}", str(dump)], _pg_env(db))
    else:
        target_path = Path(db["NAME"])
        if target_path.exists() and target_path.stat().st_size:
            raise BackupError(f"{target_path} exists: restore into a fresh file")
        source, target = sqlite3.connect(dump), sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()

    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / manifest["media"]["file"], "r:gz") as tar:
        tar.extractall(media_root, filter="data")

    differences = []
    counts = database_counts(database_url)
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table) != expected:
            differences.append(f"table {table}: {counts.get(table)} rows, the backup had {expected}")
    restored = {f["path"]: f for f in media_files(media_root)}
    for item in manifest["media"]["files"]:
        got = restored.get(item["path"])
        if got != item:
            differences.append(f"file {item['path']}: {'missing' if got is None else 'different'}")
    return Restore(tables=len(counts), rows=sum(counts.values()), files=len(restored), differences=differences)
