"""Folding Vietnamese text for accent-insensitive search: "Báo cáo chính trị" and
"bao cao chinh tri" fold to the same string.

One function, so every search of the portal folds alike (documents' stored search text,
the SQLite fallback's `portal_fold()` SQL function); PostgreSQL's `unaccent` does the same
in the database. đ/Đ are letters of their own in Unicode, not d with a mark, so NFD
leaves them: they are mapped by hand.
"""

from __future__ import annotations

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Lower case, without diacritics, whitespace collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
