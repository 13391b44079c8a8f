"""Writes to the unit tree. Every change of a unit's place in the tree goes through here,
so paths and depths stay consistent."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.rollups import Recount

from . import progress
from .importing import ImportFileError, import_units, read_file
from .names import name_fields
from .models import PATH_MAX_LENGTH, PATH_SEGMENT_WIDTH, ImportJob, ImportStatus, Unit, encode_segment
from .signals import send_tree_reshaped_on_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def unit_create(
    *, code: str, name: str, level: str, kind: str = "", parent: Unit | None = None,
    is_active: bool = True,
) -> Unit:
    """Create a unit under `parent` (a root when None).

    Steps: validate; insert with a placeholder path (the path contains the unit's own
    primary key, unknown before the insert); then write the real path.
    """
    unit = Unit(code=code, name=name, level=level, kind=kind, parent=parent, is_active=is_active, **name_fields(name))
    unit.path = f"~{code}"[:PATH_MAX_LENGTH]
    unit.depth = parent.depth + 1 if parent else 0
    unit.full_clean(exclude=["path"])
    if parent is not None and len(parent.path) + PATH_SEGMENT_WIDTH > PATH_MAX_LENGTH:
        raise ValidationError({"parent": _("The tree is too deep under this unit.")})
    unit.save()
    unit.path = (parent.path if parent else "") + encode_segment(unit.pk)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    progress.unit_created(unit)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name: str, level: str, kind: str, is_active: bool) -> Unit:
    old_level = Unit.objects.filter(pk=unit.pk).values_list("level", flat=True).get()
    unit.name, unit.level, unit.kind, unit.is_active = name, level, kind, is_active
    unit.name_key, unit.name_search = name_fields(name).values()
    unit.full_clean()
    # A new level moves the unit's own figures (its unit count, its congresses) to another
    # key in every ancestor's roll-ups; its subordinates' chains do not change.
    recount = Recount([unit.pk], subtrees=False) if old_level != level else None
    unit.save(update_fields=["name", "name_key", "name_search", "level", "kind", "is_active", "updated_at"])
    if recount is not None:
        recount.finish()
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    """Delete a unit created by mistake. Only a unit without subordinates, congresses or
    users can go (the rest is protected); its count leaves every ancestor's roll-ups."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.children.exists():
        raise ValidationError(_("A unit with subordinate units cannot be deleted; move or delete them first."))
    recount = Recount([unit.pk], subtrees=False)
    unit.delete()  # ProtectedError when congresses or users still refer to it
    recount.finish()


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit | None) -> Unit:
    """Move a unit, with its whole subtree, under `new_parent` (a root when None).

    One UPDATE rewrites the path prefix and depth of every unit of the subtree. No
    transient unique-path collision is possible: a path ends with its unit's own segment.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None:
        new_parent = Unit.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or its own subordinate.")})
    if (new_parent.pk if new_parent else None) == unit.parent_id:
        return unit
    old_prefix = unit.path
    new_prefix = (new_parent.path if new_parent else "") + encode_segment(unit.pk)
    depth_delta = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    subtree = Unit.objects.filter(path__startswith=old_prefix)
    deepest = max(len(p) for p in subtree.values_list("path", flat=True))
    if deepest - len(old_prefix) + len(new_prefix) > PATH_MAX_LENGTH:
        raise ValidationError({"parent": _("The tree is too deep under this unit.")})
    recount = Recount([unit.pk])
    subtree.update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    recount.finish()
    send_tree_reshaped_on_commit()  # the subtree's paths changed
    return unit


# ---------------------------------------------------------------------------------------
# Unit imports in the background (committees.importing does the work).

IMPORT_EXTENSIONS = (".csv", ".xlsx")
IMPORT_PROGRESS_TIMEOUT = 6 * 3600


def _enqueue_import(job: ImportJob) -> None:
    from .tasks import run_import_job

    # After the commit: the worker must find the job row and its file.
    transaction.on_commit(lambda: run_import_job.delay(job.pk))


@transaction.atomic
def import_job_create(*, upload, dry_run: bool, user) -> ImportJob:
    """Store an uploaded .csv/.xlsx file and queue its import (a preview when `dry_run`).

    Raises ValidationError on the file's extension or size; what is inside is the job's
    business (its report)."""
    name = Path(upload.name or "").name
    if Path(name).suffix.lower() not in IMPORT_EXTENSIONS:
        raise ValidationError({"file": _("Only .xlsx and .csv files can be imported.")})
    if not upload.size:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than %(size)s.") % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES)}})
    job = ImportJob(original_name=name[:255], dry_run=dry_run, created_by=user)
    job.file.save(name, upload, save=False)
    job.save()
    _enqueue_import(job)
    return job


@transaction.atomic
def import_job_apply(*, job: ImportJob, user) -> ImportJob:
    """Import for real the file of a successful preview: a new job on the same stored
    file. Applying the same preview twice returns the first application, unless it failed."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not (job.dry_run and job.succeeded):
        raise ValidationError(_("Only a preview without errors can be applied."))
    earlier = job.applications.exclude(status=ImportStatus.FAILED).order_by("pk").first()
    if earlier is not None:
        return earlier
    applied = ImportJob.objects.create(
        file=job.file.name, original_name=job.original_name, dry_run=False, source=job, created_by=user
    )
    _enqueue_import(applied)
    return applied


def import_job_progress(*, job: ImportJob) -> dict | None:
    """{"phase", "done", "total"} of a running job, from the cache (the import's writes
    are invisible to other connections until it commits); None when unknown."""
    return cache.get(job.progress_key)


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run an import job: read its file, import (or preview) it, store the report.

    Called by the Celery task. A job already finished is left alone; a job found "running"
    (its worker died before the end: the import's transaction was rolled back) runs again.
    Never raises for a bad file or a failed run: the job records it.
    """
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
    ).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    if not claimed:
        return job

    key = job.progress_key
    last = {"phase": None, "percent": -1, "at": 0.0}

    def progress(phase: str, done: int, total: int) -> None:
        # At most a few writes a second, but every change of phase and the end of each.
        percent = 100 * done // total if total else 100
        now = time.monotonic()
        if phase == last["phase"] and percent != 100 and (percent == last["percent"] or now - last["at"] < 0.25):
            return
        last.update(phase=phase, percent=percent, at=now)
        cache.set(key, {"phase": phase, "done": done, "total": total}, IMPORT_PROGRESS_TIMEOUT)

    job.error, job.report = "", {}
    try:
        progress("read", 0, 1)
        with job.file.open("rb") as handle:
            data = handle.read()
        rows = read_file(job.original_name, data)
        progress("read", 1, 1)
        report = import_units(rows, dry_run=job.dry_run, progress=progress)
    except ImportFileError as exc:
        job.status, job.error = ImportStatus.FAILED, str(exc)
    except OSError:
        logger.exception("Import job %s: cannot read %s", job.pk, job.file.name)
        job.status, job.error = ImportStatus.FAILED, _("The uploaded file cannot be found any more.")
    except Exception:  # noqa: BLE001 — recorded on the job, which is what the admin sees
        logger.exception("Import job %s failed", job.pk)
        job.status, job.error = ImportStatus.FAILED, _("The import failed unexpectedly; nothing was written.")
    else:
        job.status, job.report = ImportStatus.DONE, report.as_dict()
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "report", "finished_at"])
    cache.delete(key)
    return job
