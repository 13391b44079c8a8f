"""The Vietnamese catalogue is complete and used: no message left untranslated or marked
fuzzy (msgfmt leaves a fuzzy message out of the compiled catalogue, so the Vietnamese page
showed it in English), and every placeholder of a message is in its translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _entries(path: Path) -> list[dict]:
    """The catalogue's entries: flags, msgid, msgid_plural and msgstr[*] (unquoted, joined)."""
    entries, current, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current and "msgid" in current:
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgid_plural|msgid|msgstr(?:\[(\d+)\])?) "(.*)"$', line):
            key = ("msgstr", m[2] or "0") if m[1].startswith("msgstr") else m[1]
            _put(current, key, m[3])
        elif line.startswith('"'):
            _put(current, key, line[1:-1])
    return entries


def _put(entry: dict, key, text: str) -> None:
    if isinstance(key, tuple):
        entry["msgstr"][key[1]] = entry["msgstr"].get(key[1], "") + text
    else:
        entry[key] = entry.get(key, "") + text


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_message_is_fuzzy(language):
    fuzzy = [e["msgid"] for e in _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
             if "fuzzy" in e["flags"] and e["msgid"]]
    assert fuzzy == []


def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders():
    missing, placeholders = [], []
    for e in _entries(LOCALE / "vi" / "LC_MESSAGES" / "django.po"):
        if not e["msgid"]:
            continue  # the header
        if not e["msgstr"] or not all(e["msgstr"].values()):
            missing.append(e["msgid"])
        wanted = set(PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))
        if any(set(PLACEHOLDER.findall(text)) - wanted or not set(PLACEHOLDER.findall(text)) <= wanted
               for text in e["msgstr"].values()):
            placeholders.append(e["msgid"])
    assert missing == [] and placeholders == []


def test_the_documents_pages_are_in_vietnamese():
    # Once fuzzy: these showed in English on the Vietnamese pages.
    with translation.override("vi"):
        assert translation.gettext("Congress documents") == "Văn kiện đại hội"
        assert translation.gettext("Send for comments") == "Gửi xin ý kiến"
