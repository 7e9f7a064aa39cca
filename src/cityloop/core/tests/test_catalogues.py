"""Every user-visible string has its Chinese: no catalogue holds an untranslated or fuzzy entry
(a fuzzy entry is left out of the compiled catalogue, so the page would show English)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(SRC.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def _entries(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    return [b for b in blocks[1:] if "msgid" in b and not b.lstrip().startswith("#~")]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    entries = _entries(path)
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    empty = [e for e in entries if re.search(r'msgstr(\[\d\])? ""\Z', e.strip())]
    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 8
