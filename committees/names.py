"""Unit names as Vietnamese readers sort and search them (issue 10, point 4).

Two columns derived from `Unit.name` and written with it by every writer of names
(`committees.services.unit_create`/`unit_update`, the import's bulk write):

- `name_key`, a sort key whose plain code-point order is the Vietnamese dictionary order:
  the letters a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z where the
  Latin alphabet puts them), tones only breaking ties, in the order of Vietnamese
  dictionaries (none, huyền, hỏi, ngã, sắc, nặng). So "Cà Mau" < "Đà Nẵng" < "Gia Lai",
  and "Thành" < "Thuần". A key column rather than a collation, so the same rule holds on
  SQLite (which has no Vietnamese collation) and on PostgreSQL, where `name_order()`
  compares it byte-wise ("C") whatever the database's default collation is.
- `name_search`, the name folded for search: lower case, no tone or vowel marks, "đ" as
  "d", single spaces. `fold(query)` folded the same way finds "Thạnh Bình" for
  `thanh binh` and "Đà Nẵng" for `đa nang`, on both databases, with a plain LIKE.
"""

from __future__ import annotations

import unicodedata

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

from core.text import fold as core_fold

# The alphabet, with the Latin letters Vietnamese does not use where the Latin order puts
# them. Each letter sorts as one character from "A" (0x41) up, above the digits.
ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
            "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_LETTER = {letter: chr(0x41 + i) for i, letter in enumerate(ALPHABET)}
# Tones in the order of Vietnamese dictionaries; "0" is no tone.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
# Marks that make another letter of the alphabet (ă â ê ô ơ ư), kept with their base.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Spaces and punctuation sort before digits and letters; the end of the letters before all.
_GAP = '"'
_END = "!"
KEY_MAX_LENGTH = 520  # 255 letters, the separator, 255 tones and some room


def _letters(text: str):
    """(letter, tone) for each character of `text`, letters lower-cased with their vowel
    marks (ă, ơ…) and the tone apart."""
    letter, tone = None, "0"
    for ch in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.combining(ch):
            if ch in _TONES:
                tone = _TONES[ch]
            elif ch in _LETTER_MARKS and letter is not None:
                letter = unicodedata.normalize("NFC", letter + ch)
            continue
        if letter is not None:
            yield letter, tone
        letter, tone = ch, "0"
    if letter is not None:
        yield letter, tone


def sort_key(name: str) -> str:
    """The key of `name` in Vietnamese order (see the module's docstring)."""
    primary, tones = [], []
    for letter, tone in _letters(name.strip()):
        if letter in _LETTER:
            primary.append(_LETTER[letter])
        elif letter.isdigit() and letter.isascii():
            primary.append(letter)
        elif letter.isalnum():
            primary.append(letter)  # another script: after the Vietnamese letters
        else:
            if primary and primary[-1] == _GAP:
                continue
            primary.append(_GAP)
        tones.append(tone)
    return ("".join(primary) + _END + "".join(tones))[:KEY_MAX_LENGTH]


# How names are searched: without case, tones or vowel marks, "đ" as "d" (core.text.fold,
# the portal's one folding, shared with the documents' search).
fold = core_fold


def name_order(prefix: str = ""):
    """An order_by() term for unit names in Vietnamese order; `prefix` reaches the unit
    through a relation ("unit__"). On PostgreSQL the key is compared byte-wise: the
    database's default collation (en_US…) would skip the key's punctuation."""
    expression = F(f"{prefix}name_key")
    if connection.vendor == "postgresql":
        return Collate(expression, "C")
    return expression


def name_fields(name: str) -> dict[str, str]:
    """The derived columns for `name`, to write with it."""
    return {"name_key": sort_key(name), "name_search": fold(name)}
