"""The text of a .docx or .pdf, paragraph by paragraph, and what changed between two
versions (issue 12, point 2: "what changed since the draft we commented on").

The text is read once, at upload, and stored on the version: comparing two versions and
searching documents never open a file again.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


def _docx_paragraphs(upload) -> list[str]:
    import docx

    document = docx.Document(upload)
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.extend(cell.text for cell in row.cells)
    return paragraphs


def _pdf_paragraphs(upload) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(upload)
    lines: list[str] = []
    for page in reader.pages:
        lines.extend((page.extract_text() or "").splitlines())
    return lines


def extract_paragraphs(upload, file_type: str) -> list[str]:
    """Non-empty paragraphs of a .docx or .pdf; nothing for other types or an unreadable
    file (a damaged file is still stored as uploaded, it just cannot be compared)."""
    readers = {"docx": _docx_paragraphs, "pdf": _pdf_paragraphs}
    if file_type not in readers:
        return []
    upload.seek(0)
    try:
        paragraphs = readers[file_type](upload)
    except Exception:  # noqa: BLE001 — any parser error means "no text", not a failed upload
        logger.warning("could not read the text of an uploaded %s", file_type, exc_info=True)
        paragraphs = []
    finally:
        upload.seek(0)
    return [" ".join(p.split()) for p in paragraphs if p and p.strip()]


@dataclass
class Comparison:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # (tag, text) in reading order: "=" kept, "+" added, "-" removed.
    lines: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed


def compare(old_text: str, new_text: str) -> Comparison:
    """Paragraphs added and removed from `old_text` to `new_text` (one paragraph a line)."""
    old, new = old_text.splitlines(), new_text.splitlines()
    out = Comparison()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.lines.extend(("=", p) for p in old[i1:i2])
            continue
        if tag in ("delete", "replace"):
            out.removed.extend(old[i1:i2])
            out.lines.extend(("-", p) for p in old[i1:i2])
        if tag in ("insert", "replace"):
            out.added.extend(new[j1:j2])
            out.lines.extend(("+", p) for p in new[j1:j2])
    return out
