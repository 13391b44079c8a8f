"""Versions are numbered and never overwritten; two .docx compare as text; files are
checked by content and served only as scope-checked attachments."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import files
from documents import services
from documents.models import DocumentKind
from tests.documents.conftest import docx_file
from tests.factories import CongressFactory


@pytest.fixture
def document(term, commune_a, secretary_a):
    congress = CongressFactory(unit=commune_a, term=term)
    return services.document_create(congress=congress, kind=DocumentKind.POLITICAL_REPORT, user=secretary_a)


def test_versions_are_numbered_and_comparison_shows_added_and_removed_paragraphs(document, secretary_a, client_for):
    v1 = services.version_upload(document=document, user=secretary_a, note="Dự thảo 1", upload=docx_file(
        "bctc.docx", ["Phần I. Kết quả", "Tăng trưởng 7%", "Phần II. Phương hướng"]))
    v2 = services.version_upload(document=document, user=secretary_a, upload=docx_file(
        "bctc.docx", ["Phần I. Kết quả", "Tăng trưởng 7,5%", "Phần II. Phương hướng", "Phần III. Giải pháp"]))
    assert (v1.number, v2.number) == (1, 2) and v1.file.name != v2.file.name
    response = client_for(secretary_a).get(reverse("documents:version_compare", args=[v2.pk]), {"with": v1.pk})
    comparison = response.context["comparison"]
    assert comparison.added == ["Tăng trưởng 7,5%", "Phần III. Giải pháp"]
    assert comparison.removed == ["Tăng trưởng 7%"]
    assert "Phần III. Giải pháp" in response.content.decode()


def test_html_renamed_pdf_is_refused_with_a_clear_message(document, secretary_a, client_for, english):
    fake = SimpleUploadedFile("bao-cao.pdf", b"<!doctype html><html><body>not a pdf</body></html>")
    with pytest.raises(ValidationError) as err:
        services.version_upload(document=document, upload=fake, user=secretary_a)
    assert "not a document this portal accepts" in str(err.value)
    response = client_for(secretary_a).post(reverse("documents:version_add", args=[document.pk]), {
        "file": SimpleUploadedFile("bao-cao.pdf", b"<html>x</html>")})
    assert response.status_code == 400 and not document.versions.exists()


def test_types_are_read_from_the_content():
    assert files.check_upload(docx_file("a.docx", ["x"])) == "docx"
    assert files.check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.7 ...")) == "pdf"
    assert files.check_upload(SimpleUploadedFile("a.doc", files.OLE_HEADER + b"...")) == "doc"
    assert files.check_upload(SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n....")) == "png"
    with pytest.raises(ValidationError):  # a .docx named .pdf
        files.check_upload(docx_file("a.pdf", ["x"]))
    with pytest.raises(ValidationError):  # a zip that is no office document
        import io
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("evil.html", "<html>")
        files.check_upload(SimpleUploadedFile("a.docx", out.getvalue()))


def test_size_limit(document, secretary_a, settings):
    settings.DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        services.version_upload(document=document, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 0123456789"),
                                user=secretary_a)


def test_downloads_are_attachments_and_another_units_file_is_a_404(document, secretary_a, secretary_b, client_for):
    version = services.version_upload(document=document, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
                                      user=secretary_a)
    response = client_for(secretary_a).get(reverse("documents:version_download", args=[version.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client_for(secretary_b).get(reverse("documents:version_download", args=[version.pk])).status_code == 404
    assert client_for(secretary_b).get(reverse("documents:document_detail", args=[document.pk])).status_code == 404
