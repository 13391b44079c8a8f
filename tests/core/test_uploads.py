"""Hostile uploads (issue 15, point 7): a body too large is refused before it is read; a
spreadsheet that would unpack to an absurd size or row count is refused before openpyxl
opens it; a CSV with a 128 KB line gets a named error; every upload is checked by its
content (HTML named .pdf is refused); a replaced evidence file leaves the storage."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from committees import services as committee_services
from committees.importing import ImportFileError, read_csv, read_xlsx
from committees.models import ImportStatus
from congresses.models import Milestone, MilestoneStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _milestone(congress, code="plan") -> Milestone:
    return Milestone.objects.get(congress=congress, step__code=code)


def _tick(client, milestone, evidence):
    data = {"status": MilestoneStatus.DONE, "done_on": "05/03/2025", "evidence_number": "", "note": "",
            "evidence_file": evidence}
    return client.post(reverse("congresses:milestone_update", args=[milestone.pk]),
                       {f"m{milestone.pk}-{k}": v for k, v in data.items()})


# --- The body cap ------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client_for, secretary_a, congress_a, settings):
    settings.PORTAL_MAX_REQUEST_BYTES = 1000
    milestone = _milestone(congress_a)
    response = _tick(client_for(secretary_a), milestone, SimpleUploadedFile("a.pdf", b"%PDF-1.4 " + b"x" * 2000))

    assert response.status_code == 413
    assert "File too large" in response.content.decode()
    assert "errors/413.html" in [t.name for t in response.templates]
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.NOT_STARTED


# --- Content, not name ----------------------------------------------------------------------------


def test_html_named_pdf_is_refused_as_evidence(client_for, secretary_a, congress_a, settings):
    milestone = _milestone(congress_a)
    response = _tick(client_for(secretary_a), milestone, SimpleUploadedFile("bien-ban.pdf", HTML))

    assert response.status_code == 400
    assert "is not a document this portal accepts" in response.content.decode()
    milestone.refresh_from_db()
    assert not milestone.evidence_file


def test_html_named_pdf_is_refused_by_the_service_too(secretary_a, congress_a):
    from django.core.exceptions import ValidationError

    from congresses.services import milestone_update

    with pytest.raises(ValidationError) as caught:
        milestone_update(milestone=_milestone(congress_a), user=secretary_a, status=MilestoneStatus.DONE,
                         done_on=__import__("datetime").date(2025, 3, 5),
                         evidence_file=SimpleUploadedFile("bien-ban.pdf", HTML))
    assert "evidence_file" in caught.value.message_dict


def test_replacing_evidence_deletes_the_old_file_once_committed(client_for, secretary_a, congress_a, settings,
                                                                django_capture_on_commit_callbacks):
    milestone = _milestone(congress_a)
    client = client_for(secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _tick(client, milestone, SimpleUploadedFile("first.pdf", b"%PDF-1.4 first")).status_code == 302
    milestone.refresh_from_db()
    first = Path(milestone.evidence_file.path)
    assert first.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert _tick(client, milestone, SimpleUploadedFile("second.pdf", b"%PDF-1.4 second")).status_code == 302
    milestone.refresh_from_db()

    assert Path(milestone.evidence_file.path).read_bytes() == b"%PDF-1.4 second"
    assert not first.exists()


# --- Spreadsheets and CSV to import -------------------------------------------------------------


def _xlsx_declaring(rows: int, *, padding: int = 0) -> bytes:
    """A minimal workbook whose sheet declares `rows` rows (as Excel writes <dimension>),
    with `padding` bytes of highly compressible filler in the sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml",
                         f'<worksheet><dimension ref="A1:E{rows}"/><sheetData>' + " " * padding + "</sheetData></worksheet>")
    return out.getvalue()


def test_an_xlsx_with_absurd_rows_is_refused_before_openpyxl(settings):
    settings.IMPORT_MAX_ROWS = 1000
    with pytest.raises(ImportFileError, match="500.000 rows; an import takes at most 1.000"):
        read_xlsx(_xlsx_declaring(500_000))


def test_an_xlsx_that_unpacks_too_large_is_refused(settings):
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 1_000_000
    data = _xlsx_declaring(10, padding=5_000_000)
    assert len(data) < 100_000  # small on disk
    with pytest.raises(ImportFileError, match="unpacks to"):
        read_xlsx(data)


def test_a_csv_with_a_128_kb_header_line_gets_a_named_error(admin_user):
    data = ("code," + "x" * 128 * 1024 + "\n").encode()
    with pytest.raises(ImportFileError, match="Line 1 of the file is 131.077 characters long"):
        read_csv(data)
    job = committee_services.import_job_create(upload=SimpleUploadedFile("u.csv", data), dry_run=True, user=admin_user)
    committee_services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Line 1 of the file" in job.error and "unexpectedly" not in job.error


def test_too_many_csv_rows_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = "".join(f"C{i},,Chi bộ {i},grassroots,\n" for i in range(5))
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_csv(("code,parent_code,name,level,kind\n" + rows).encode())
