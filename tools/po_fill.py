"""Fill msgstr entries of a .po file from a JSON dictionary {msgid: translation}.

Used when adding translations in bulk: ``python tools/po_fill.py app.po zh.json``. Entries
already translated are kept unless the dictionary names them; untranslated msgids left over
are listed so that none is forgotten.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(lines: list[str]) -> str:
    return "".join(
        bytes(m, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in lines
        for m in _QUOTED.findall(line)
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(po_path: Path, translations: dict[str, str]) -> list[str]:
    blocks = po_path.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        strs = [i for i, line in enumerate(lines) if line.startswith("msgstr ")]
        if not ids or not strs:
            out.append(block)
            continue
        msgid = _unquote(lines[ids[0] : strs[0]])
        if not msgid:  # the header: no longer a draft once filled
            out.append("\n".join(line for line in lines if line != "#, fuzzy"))
            continue
        current = _unquote(lines[strs[0] :])
        if msgid and msgid in translations:
            lines = [line for line in lines[: strs[0]] if line != "#, fuzzy"]
            lines = [line.replace("#, fuzzy, ", "#, ") for line in lines]
            lines.append(f"msgstr {_quote(translations[msgid])}")
        elif msgid and not current:
            missing.append(msgid)
        out.append("\n".join(lines))
    po_path.write_text("\n\n".join(out), encoding="utf-8")
    return missing


if __name__ == "__main__":
    po, dictionary = Path(sys.argv[1]), Path(sys.argv[2])
    left = fill(po, json.loads(dictionary.read_text(encoding="utf-8")))
    for msgid in left:
        print(f"untranslated: {msgid}")
