"""What an uploaded file really is, read from its content, never from its name.

The allow-list (issue 12, point 6): Word (.docx, .doc), PDF, Excel (.xlsx), OpenDocument
text (.odt) and images (PNG, JPEG, GIF, WebP). A .docx, .xlsx or .odt is a zip archive with
the members of its format; a PDF starts with "%PDF-"; a .doc is an OLE compound file;
images by their signature. The name's extension must agree with the content, so an HTML
page renamed "bao-cao.pdf" is refused with a message saying what was found.
"""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = [
    (b"%PDF-", "pdf"),
    (OLE_HEADER, "doc"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
]
# The extensions each type may carry.
EXTENSIONS = {
    "pdf": {"pdf"}, "doc": {"doc"}, "docx": {"docx"}, "xlsx": {"xlsx"}, "odt": {"odt"},
    "png": {"png"}, "jpg": {"jpg", "jpeg"}, "gif": {"gif"}, "webp": {"webp"},
}
ALLOWED_LABEL = ".docx, .doc, .pdf, .xlsx, .odt, .png, .jpg, .gif, .webp"


def max_bytes() -> int:
    return getattr(settings, "DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def sniff(upload) -> str | None:
    """The allowed type the content is, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def check_upload(upload) -> str:
    """The file's type (a key of EXTENSIONS), or a ValidationError that says why not."""
    if upload.size > max_bytes():
        raise ValidationError(_("The file is %(size)s; at most %(max)s is accepted.") % {
            "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes())}, code="too_big")
    kind = sniff(upload)
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None:
        raise ValidationError(_(
            "“%(name)s” is not a document this portal accepts: its content is not one of %(allowed)s."
        ) % {"name": name, "allowed": ALLOWED_LABEL}, code="type")
    if ext not in EXTENSIONS[kind]:
        raise ValidationError(_(
            "“%(name)s” is named as .%(ext)s but its content is a .%(kind)s file: rename it or upload the right file."
        ) % {"name": name, "ext": ext or "?", "kind": kind}, code="mismatch")
    return kind
