"""`manage.py backup` and `manage.py restore`: the database and the uploaded files
together, restored into a fresh PostgreSQL database and a fresh media folder, with the
same row in every table and the same bytes in every file."""

import json
import uuid

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from congresses import services
from congresses.models import Milestone, MilestoneStatus
from core.backups import database_counts, sha256


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _server(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


@pytest.fixture
def fresh_database(db):
    """A new, empty database on the same server (createdb), dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_server("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _server(name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _tick_with_evidence(milestone, user, content: bytes, name: str):
    return services.milestone_update(
        milestone=milestone, user=user, status=MilestoneStatus.DONE, done_on=milestone.congress.planned_date,
        evidence_number="05-KH/ĐU", evidence_file=SimpleUploadedFile(name, content), note="",
    )


@pytest.mark.postgres
def test_a_backup_restores_into_a_fresh_database_with_the_same_counts_and_files(
    transactional_db, tmp_path, settings, congress_cell, congress_a, secretary_cell, secretary_a, fresh_database,
):
    first, second = congress_cell.milestones.order_by("step__order")[:2]
    _tick_with_evidence(first, secretary_cell, PDF, "ke-hoach.pdf")
    _tick_with_evidence(second, secretary_cell, PDF + b"% v2\n", "tieu-ban.pdf")
    _tick_with_evidence(congress_a.milestones.order_by("step__order").first(), secretary_a, b"\x89PNG\r\n\x1a\n", "anh.png")

    call_command("backup", str(tmp_path / "backup"))

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    live = database_counts(_server(connection.settings_dict["NAME"]))
    assert manifest["database"]["tables"] == live
    assert manifest["database"]["tables"]["congresses_milestone"] == Milestone.objects.count() > 0
    assert manifest["database"]["tables"]["congresses_historicalmilestone"] > 0
    files = {f["path"]: f for f in manifest["media"]["files"]}
    evidence = [m.evidence_file.name for m in Milestone.objects.exclude(evidence_file="").order_by("pk")]
    assert sorted(files) == sorted(evidence) and len(evidence) == 3
    for name in evidence:
        assert files[name]["sha256"] == sha256(settings.MEDIA_ROOT / name)

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "backup"), database_url=fresh_database, media_root=restored_media)

    # The restored database, read directly: the same rows in every table, the same files.
    assert database_counts(fresh_database) == live
    with psycopg2.connect(fresh_database) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT evidence_file FROM congresses_milestone WHERE evidence_file <> '' ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == evidence
    restored.close()
    for name in evidence:
        assert (restored_media / name).read_bytes() == (settings.MEDIA_ROOT / name).read_bytes()

    # The restore refuses a database or a folder that is not fresh, and a damaged backup.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "backup"), database_url=fresh_database, media_root=tmp_path / "other")
    with open(tmp_path / "backup" / "database.dump", "ab") as dump:
        dump.write(b"x")
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path / "backup"), database_url=fresh_database, media_root=tmp_path / "other")


def test_a_backup_goes_into_a_new_folder_only(transactional_db, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))


def test_a_backup_round_trips_on_the_database_the_suite_runs_on(transactional_db, tmp_path, settings, congress_cell,
                                                                 secretary_cell, request):
    """SQLite (the embedded default: its backup API) or PostgreSQL, whichever the suite runs on."""
    first = congress_cell.milestones.order_by("step__order").first()
    _tick_with_evidence(first, secretary_cell, PDF, "ke-hoach.pdf")
    if connection.vendor == "postgresql":
        target = request.getfixturevalue("fresh_database")
    else:
        target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    call_command("backup", str(tmp_path / "backup"))
    call_command("restore", str(tmp_path / "backup"), database_url=target, media_root=tmp_path / "restored-media")

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert database_counts(target) == manifest["database"]["tables"]
    assert manifest["database"]["tables"]["congresses_congress"] == 1
    name = Milestone.objects.get(pk=first.pk).evidence_file.name
    assert (tmp_path / "restored-media" / name).read_bytes() == PDF
