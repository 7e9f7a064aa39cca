"""An evidence package as a ZIP that a third party checks with ``sha256sum -c SHA256SUMS`` alone
(docs/devices.md, Evidence packages; docs/decisions/0036).

Every line of ``SHA256SUMS`` is a digest the package *sealed*, paired with a file whose bytes
are exported *as they are now*, so the check fails when anything changed since:

* ``package.chain``: the package's previous digest, header and last item digest → the
  package's digest;
* ``items/NNNN.chain``: the item's previous digest (the item before it) and its sealed content
  (canonical JSON) → the item's digest, so the chain can be followed file by file;
* ``records/NNNN.txt``: the record's row text, read from the record as it is now → the
  record's digest as it arrived (``digests``);
* ``images/NNNN<ext>``: the image file as it is now → the image's SHA-256 as sealed;
* ``manifest.json``: the package, its items and these files described (its own digest is the
  one line computed at export).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

from cityloop.devices import digests
from cityloop.devices.models import Record
from cityloop.sorting import evidence
from cityloop.sorting.models import EvidencePackage

HOW_TO_VERIFY = {
    "zh": "解压后在本目录运行 sha256sum -c SHA256SUMS：每行都是封存时的摘要，全部为"
    " OK 即证据包自封存以来未被改动。items/*.chain 的前 64 个字符是上一项的摘要，可逐项"
    "核对链条；records/*.txt 是记录入库时计算摘要所用的原文。",
    "en": "Unpack, then run sha256sum -c SHA256SUMS in this folder: every line is a digest"
    " sealed with the package, and all OK means nothing changed since it was sealed. The first"
    " 64 characters of items/*.chain are the previous item's digest (follow the chain file by"
    " file); records/*.txt is the text each record's digest was taken over when it arrived.",
}


def _image(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def package_files(package: EvidencePackage) -> tuple[list[tuple[str, bytes | None, str]], dict]:
    """The files of the export as (path, bytes now or None when gone, sealed SHA-256) and the
    manifest's item list."""
    items = list(package.items.order_by("seq", "pk"))
    records = Record.objects.annotate(payload_text=evidence.PAYLOAD_TEXT).in_bulk(
        [i.record_id for i in items if i.record_id is not None]
    )
    files, listed = [], []
    for item in items:
        number = f"{item.seq:04d}"
        files.append(
            (f"items/{number}.chain", (item.previous_digest + item.content).encode(), item.digest)
        )
        sealed = json.loads(item.content)
        entry = {"seq": item.seq, "record": item.record_id, "digest": item.digest}
        record = records.get(item.record_id)
        arrived = sealed.get("record_digest") or (digests.stored(record) if record else None)
        if arrived:
            text = _row_text(record) if record is not None else None
            files.append((f"records/{number}.txt", text, arrived))
            entry["record_digest"] = arrived
        if sealed.get("snapshot_file") and sealed.get("snapshot_sha256"):
            suffix = PurePosixPath(sealed["snapshot_file"]).suffix
            path = f"images/{number}{suffix}"
            files.append((path, _image(sealed["snapshot_file"]), sealed["snapshot_sha256"]))
            entry.update(image=path, snapshot=sealed.get("snapshot"))
        listed.append(entry)
    last = items[-1].digest if items else package.previous_digest
    chain = (package.previous_digest + evidence.header(package) + last).encode()
    files.insert(0, ("package.chain", chain, package.digest))
    return files, {"items": listed}


def _row_text(record: Record) -> bytes:
    fields = {c: getattr(record, c) for c in digests.COLUMNS if c != "payload"}
    return digests.row_text(**fields, payload=record.payload_text)


def package_zip(package: EvidencePackage) -> bytes:
    """The ZIP of ``package`` (see the module doc). A file that is gone (a deleted record, a
    removed image) is left out, and its line in ``SHA256SUMS`` makes the check fail."""
    files, listed = package_files(package)
    manifest = {
        "package": {
            "number": package.number,
            "subject": package.subject,
            "household": package.household.code if package.household_id else None,
            "unit": package.unit.display_name if package.unit_id else None,
            "from": package.period_start.isoformat(),
            "to": package.period_end.isoformat(),
            "items": package.item_count,
            "sealed_at": package.sealed_at.isoformat(),
            "previous_digest": package.previous_digest,
            "digest": package.digest,
        },
        **listed,
        "files": [{"path": path, "sha256": sealed} for path, _data, sealed in files],
        "how_to_verify": HOW_TO_VERIFY,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    sums = [f"{sealed}  {path}\n" for path, _data, sealed in files]
    sums.append(f"{hashlib.sha256(manifest_bytes).hexdigest()}  manifest.json\n")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = package.number
        archive.writestr(f"{folder}/SHA256SUMS", "".join(sums))
        archive.writestr(f"{folder}/manifest.json", manifest_bytes)
        for path, data, _sealed in files:
            if data is not None:
                archive.writestr(f"{folder}/{path}", data)
    return out.getvalue()
