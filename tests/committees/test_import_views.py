"""The import pages: upload (admins only), the job's status page and JSON, applying a
preview. Celery runs tasks inline in the tests (CELERY_TASK_ALWAYS_EAGER), once the
upload's transaction commits."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.factories import AdminFactory, ViewerFactory
from committees import services
from committees.models import ImportJob, ImportStatus, Level, Unit

pytestmark = pytest.mark.django_db

HEADER = "code,parent_code,name,level,kind\n"
GOOD = HEADER + "T,,Tỉnh ủy,province,\nX,T,Đảng bộ xã Tân Hòa,upper,commune\nC,X,Chi bộ thôn 1,grassroots,cell\n"
BAD = HEADER + "T,,Tỉnh ủy,province,\nX,NOPE,Xã,upper,\nY,T,,upper,\n"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def admin(client):
    user = AdminFactory(username="admin")
    client.force_login(user)
    return user


@pytest.fixture
def viewer():
    root = services.unit_create(code="R", name="Tỉnh ủy", level=Level.PROVINCE)
    return ViewerFactory(username="viewer", unit=root)


def upload(client, text, *, name="units.csv", dry_run=True, capture):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(reverse("committees:unit_import"), data)


def test_the_upload_page(client, admin):
    services.import_job_create(upload=SimpleUploadedFile("old.csv", GOOD.encode()), dry_run=True, user=admin)

    response = client.get(reverse("committees:unit_import"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "code,parent_code,name,level,kind" in page
    assert 'name="dry_run"' in page and "checked" in page
    assert 'enctype="multipart/form-data"' in page
    assert "old.csv" in page  # the recent jobs


def test_a_preview_runs_and_writes_nothing(client, admin, django_capture_on_commit_callbacks):
    response = upload(client, GOOD, capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == ImportStatus.DONE and job.dry_run and job.created_by == admin
    assert job.report["ok"] and job.report["created"] == 3
    assert job.finished_at is not None
    assert job.file.name.startswith("imports/") and job.original_name == "units.csv"
    assert not Unit.objects.exists()

    page = client.get(job.get_absolute_url()).content.decode()
    assert "Apply this file" in page
    assert reverse("committees:unit_import_apply", args=[job.pk]) in page
    assert "create X “Đảng bộ xã Tân Hòa” under T" in page


def test_applying_a_preview_imports_the_same_file(client, admin, django_capture_on_commit_callbacks):
    upload(client, GOOD, capture=django_capture_on_commit_callbacks)
    preview = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("committees:unit_import_apply", args=[preview.pk]))

    applied = ImportJob.objects.exclude(pk=preview.pk).get()
    assert response.status_code == 302 and response.url == applied.get_absolute_url()
    assert not applied.dry_run and applied.source == preview and applied.file.name == preview.file.name
    assert applied.status == ImportStatus.DONE and applied.report["created"] == 3
    assert Unit.objects.get(code="C").parent.code == "X"
    assert "The file has been imported." in client.get(applied.get_absolute_url()).content.decode()
    # The preview now links to its import instead of offering it again.
    page = client.get(preview.get_absolute_url()).content.decode()
    assert "Apply this file" not in page and applied.get_absolute_url() in page

    # Applying twice (a double click) does not import twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("committees:unit_import_apply", args=[preview.pk]))
    assert again.url == applied.get_absolute_url()
    assert ImportJob.objects.count() == 2


def test_a_real_import_without_preview(client, admin, django_capture_on_commit_callbacks):
    upload(client, GOOD, dry_run=False, capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert not job.dry_run and job.status == ImportStatus.DONE
    assert Unit.objects.count() == 3
    assert "Apply this file" not in client.get(job.get_absolute_url()).content.decode()


def test_bad_rows_are_listed_with_their_line_numbers(client, admin, django_capture_on_commit_callbacks):
    upload(client, BAD, dry_run=False, capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and not job.report["ok"]
    assert [(e["line"], e["code"]) for e in job.report["errors"]] == [(3, "X"), (4, "Y")]
    assert not Unit.objects.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "2 rows are wrong: nothing was written." in page
    assert "unknown parent “NOPE”" in page and "the name is empty" in page
    assert '<td data-label="Line">3</td>' in page and '<td data-label="Line">4</td>' in page
    assert "Apply this file" not in page

    response = client.post(reverse("committees:unit_import_apply", args=[job.pk]))
    assert response.status_code == 302 and ImportJob.objects.count() == 1


def test_an_unreadable_file_fails_the_job(client, admin, django_capture_on_commit_callbacks):
    upload(client, "ma,ten\nT,Tỉnh\n", capture=django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "code,parent_code,name,level,kind" in job.error
    assert "code,parent_code,name,level,kind" in client.get(job.get_absolute_url()).content.decode()


def test_an_xlsx_upload(client, admin, django_capture_on_commit_callbacks):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in GOOD.splitlines():
        workbook.active.append(row.split(","))
    data = io.BytesIO()
    workbook.save(data)

    upload(client, data.getvalue(), name="Danh sách.xlsx", dry_run=False, capture=django_capture_on_commit_callbacks)

    assert ImportJob.objects.get().report["created"] == 3
    assert Unit.objects.count() == 3


@pytest.mark.parametrize(("name", "content", "message"), [
    ("units.xls", GOOD, "Only .xlsx and .csv files can be imported."),
    ("units.csv", "", "The submitted file is empty."),
])
def test_refused_uploads(client, admin, django_capture_on_commit_callbacks, name, content, message):
    response = upload(client, content, name=name, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_too_large(client, admin, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_BYTES = 20

    response = upload(client, GOOD, capture=django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "The file is larger than 20" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_status_json(client, admin, django_capture_on_commit_callbacks):
    # Queued: the task has not run (the commit callbacks are not executed).
    job = services.import_job_create(upload=SimpleUploadedFile("u.csv", GOOD.encode()), dry_run=True, user=admin)
    url = reverse("committees:unit_import_job_status", args=[job.pk])

    data = client.get(url).json()
    assert (data["status"], data["finished"], data["phase"], data["percent"]) == ("pending", False, "queued", 0)
    assert "no-cache" in client.get(url)["Cache-Control"]

    # Running: the progress comes from the cache.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    cache.set(job.progress_key, {"phase": "write", "done": 30, "total": 120})
    data = client.get(url).json()
    assert (data["status"], data["phase"], data["done"], data["total"], data["percent"]) == (
        "running", "write", 30, 120, 25)
    assert data["phase_display"] == "Writing the units"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "js/import.js" in page and 'aria-valuenow="25"' in page and url in page

    # Finished: the counts, and the progress is gone from the cache.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PENDING)
    services.import_job_run(job=job)
    data = client.get(url).json()
    assert data["finished"] and data["status"] == "done" and data["percent"] == 100
    assert data["report"] == {"ok": True, "total": 3, "created": 3, "updated": 0, "moved": 0,
                              "unchanged": 0, "dry_run": True, "errors": 0}
    assert cache.get(job.progress_key) is None
    assert "js/import.js" not in client.get(job.get_absolute_url()).content.decode()


def test_a_finished_job_is_not_run_again(admin):
    job = services.import_job_create(upload=SimpleUploadedFile("u.csv", GOOD.encode()), dry_run=False, user=admin)
    services.import_job_run(job=job)
    finished_at = ImportJob.objects.get(pk=job.pk).finished_at

    services.import_job_run(job=job)

    assert ImportJob.objects.get(pk=job.pk).finished_at == finished_at


def test_a_missing_stored_file_fails_the_job(admin):
    job = services.import_job_create(upload=SimpleUploadedFile("u.csv", GOOD.encode()), dry_run=True, user=admin)
    job.file.storage.delete(job.file.name)

    services.import_job_run(job=job)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error


def test_non_admins_get_404(client, admin, viewer):
    job = services.import_job_create(upload=SimpleUploadedFile("u.csv", GOOD.encode()), dry_run=True, user=admin)
    client.force_login(viewer)

    assert client.get(reverse("committees:unit_import")).status_code == 404
    assert client.post(reverse("committees:unit_import"), {"file": SimpleUploadedFile("u.csv", b"x")}).status_code == 404
    assert client.get(reverse("committees:unit_import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("committees:unit_import_job_status", args=[job.pk])).status_code == 404
    assert client.post(reverse("committees:unit_import_apply", args=[job.pk])).status_code == 404
    assert ImportJob.objects.count() == 1


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("committees:unit_import"))

    assert response.status_code == 302 and reverse("login") in response.url


def test_the_unit_list_links_to_the_import_for_admins(client, admin):
    page = client.get(reverse("committees:unit_list")).content.decode()

    assert reverse("committees:unit_import") in page
