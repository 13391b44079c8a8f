"""What an uploaded file really is, read from its content, never from its name — for every
upload of the portal: congress documents, milestone evidence, working groups' decisions and
follow-up attachments (issue 12, point 6; issue 15, point 7).

The allow-list: Word (.docx, .doc), PDF, Excel (.xlsx, .xls), OpenDocument (.odt, .ods) and
images (PNG, JPEG, GIF, WebP). A .docx, .xlsx, .odt or .ods is a zip archive with the
members of its format; a PDF starts with "%PDF-"; a .doc or .xls is an OLE compound file;
images by their signature. The name's extension must agree with the content, so an HTML
page renamed "bao-cao.pdf" is refused with a message saying what was found.

Also here: `check_xlsx`, which refuses a spreadsheet whose unpacked size or row count is
absurd before openpyxl opens it, and `delete_replaced`, which removes a file from storage
once the transaction that replaced it has committed.
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
    (OLE_HEADER, "ole"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
]
# The extensions each type may carry.
EXTENSIONS = {
    # An OLE compound file is a .doc or an .xls (or another Office 97 file): which one,
    # only its directory says; both are allowed, the name decides how it opens.
    "pdf": {"pdf"}, "ole": {"doc", "xls"}, "docx": {"docx"}, "xlsx": {"xlsx"}, "odt": {"odt"}, "ods": {"ods"},
    "png": {"png"}, "jpg": {"jpg", "jpeg"}, "gif": {"gif"}, "webp": {"webp"},
}
ALLOWED_LABEL = ".docx, .doc, .pdf, .xlsx, .xls, .odt, .ods, .png, .jpg, .gif, .webp"
OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def max_bytes() -> int:
    """The largest file accepted (EVIDENCE_MAX_BYTES, 20 MB by default)."""
    return getattr(settings, "DOCUMENT_MAX_BYTES", None) or settings.EVIDENCE_MAX_BYTES


def _zip_kind(upload) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                return OPENDOCUMENT.get(archive.read("mimetype").strip())
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
    """The file's type (a key of EXTENSIONS), or a ValidationError that says why not.
    Every upload of the portal goes through here (forms' clean_* and the services)."""
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
        ) % {"name": name, "ext": ext or "?", "kind": "/.".join(sorted(EXTENSIONS[kind]))}, code="mismatch")
    # An OLE file is what its name says among those it may be (.doc or .xls).
    return ext if kind == "ole" else kind


# --- Spreadsheets to import -------------------------------------------------------------------


def check_xlsx(upload, *, max_unpacked: int | None = None, max_rows: int | None = None) -> None:
    """Refuse an .xlsx that would cost a worker too much, before openpyxl opens it.

    A spreadsheet is a zip: 1.5 MB on disk can unpack to hundreds of MB and half a million
    rows (issue 15: a worker busy for 49 s, grown to 406 MB). So, from the zip's directory
    and the first bytes of each sheet, without unpacking anything else:

    1. the members' uncompressed sizes summed must stay under IMPORT_XLSX_MAX_UNPACKED_BYTES;
    2. each worksheet's declared dimension (<dimension ref="A1:E500000"/>, written by Excel,
       LibreOffice and openpyxl) must have at most IMPORT_MAX_ROWS rows.

    A sheet without a dimension is left to the reader's own row count (committees.importing
    stops at IMPORT_MAX_ROWS too). Raises ValidationError with a named message.
    """
    import re

    max_unpacked = max_unpacked or settings.IMPORT_XLSX_MAX_UNPACKED_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > max_unpacked:
                raise ValidationError(_(
                    "The spreadsheet unpacks to %(size)s, more than the %(max)s an import may hold: "
                    "split it, or save it again without empty formatted rows."
                ) % {"size": filesizeformat(unpacked), "max": filesizeformat(max_unpacked)}, code="xlsx_too_big")
            dimension = re.compile(rb'<dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
            for info in members:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                with archive.open(info) as sheet:
                    head = sheet.read(4096)
                found = dimension.search(head)
                rows = int(found.group(1)) if found and found.group(1) else 0
                if rows > max_rows:
                    raise ValidationError(_(
                        "The spreadsheet has %(rows)s rows; an import takes at most %(max)s."
                    ) % {"rows": f"{rows:,}".replace(",", "."), "max": f"{max_rows:,}".replace(",", ".")},
                        code="xlsx_too_many_rows")
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the reader says the file is not a workbook
    finally:
        upload.seek(0)


# A line of a CSV to import longer than this is refused by name: the longest honest line
# (a code, its parent's, a 255-character name, a level, a kind, quoted) is far shorter, and
# Python's csv module stops at 128 KB a field with an error that names nothing.
CSV_MAX_LINE_CHARS = 4096


def check_csv_lines(text: str, *, max_chars: int = CSV_MAX_LINE_CHARS) -> None:
    """Refuse CSV text with an absurdly long line (ValidationError naming its number)."""
    if len(text) <= max_chars:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > max_chars:
            raise ValidationError(_(
                "Line %(line)d of the file is %(length)s characters long; a line may have at most %(max)s. "
                "Is this the right file, saved as CSV?"
            ) % {"line": number, "length": f"{len(line):,}".replace(",", "."),
                 "max": f"{max_chars:,}".replace(",", ".")}, code="csv_line_too_long")


def check_row_count(line: int, *, max_rows: int | None = None) -> None:
    """Called with each record's line number while reading: refuse the file past
    IMPORT_MAX_ROWS lines, so a sheet without a declared dimension stops early too."""
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    if line > max_rows + 1:  # + the header
        raise ValidationError(_("The file has more than %(max)s rows; an import takes at most %(max)s.")
                              % {"max": f"{max_rows:,}".replace(",", ".")}, code="too_many_rows")


# --- Replaced files ----------------------------------------------------------------------------


def delete_replaced(instance, field: str) -> None:
    """Call before giving `instance.<field>` a new file: once the current transaction
    commits, the file it names now is deleted from the storage, unless the row still names
    it. A rollback keeps the old file, which the row still names then."""
    from django.db import transaction

    old = getattr(instance, field)
    old_name, storage = old.name or "", old.storage
    if not old_name:
        return

    def delete() -> None:
        current = type(instance)._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first()
        if current != old_name:
            storage.delete(old_name)

    transaction.on_commit(delete)
