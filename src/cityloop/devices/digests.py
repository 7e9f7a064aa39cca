"""The SHA-256 of a record as it arrived (docs/devices.md, docs/decisions/0036).

The pipeline stores each record's digest in ``devices_record.digest`` in the pass that builds
its row; an evidence package seals that digest, and ``verify`` recomputes it from the row as it
is now, so a package proves that a record has not changed since it arrived.

The digested bytes, the record's *row text*, are one line of compact JSON with the record's
columns, a newline, then the payload exactly as stored::

    [device_id, message_id, seq, kind, occurred_at, point_id, waste_type, weight_kg,
     is_correct, card_id, household_id, received_at]
    {"time": …, …}

with times as UTC text ``YYYY-MM-DD HH:MM:SS[.ffffff]+00:00``. JSON keeps the fields apart
(no separator inside a card id can move a value from one field to the next). The evidence
export writes this text to a file, so that ``sha256sum`` alone checks it against the sealed
digest. The formula must never change: stored digests are computed with it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import orjson

_dump = orjson.dumps
_sha256 = hashlib.sha256


def utc_text(moment: datetime) -> str:
    """A time as the row text writes it (UTC, ISO 8601 with a space)."""
    return moment.astimezone(UTC).isoformat(" ")


def head(columns: list) -> bytes:
    """The first line of the row text: ``columns`` as compact JSON."""
    try:
        return _dump(columns)
    except TypeError:  # what orjson does not take (a lone surrogate in a card id)
        return json.dumps(columns, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )


def row_text(
    *,
    device_id: int,
    message_id: str,
    seq: int,
    kind: str,
    occurred_at: datetime,
    point_id: int | None,
    waste_type: str,
    weight_kg: float | None,
    is_correct: bool | None,
    card_id: str,
    household_id: int | None,
    payload: str,
    received_at: datetime,
) -> bytes:
    """The bytes a record's digest is taken over (see the module doc); ``payload`` is the
    stored JSON text."""
    columns = [
        device_id,
        message_id,
        seq,
        kind,
        utc_text(occurred_at),
        point_id,
        waste_type,
        weight_kg,
        is_correct,
        card_id,
        household_id,
        utc_text(received_at),
    ]
    return head(columns) + b"\n" + payload.encode("utf-8", "surrogatepass")


def digest(text: bytes) -> str:
    return _sha256(text).hexdigest()


def stored(record) -> str | None:
    """The record's stored digest as hex (the column keeps the 32 bytes: ``models.Record``)."""
    value = record.digest
    return None if value is None else bytes(value).hex()


# The columns ``row_text`` reads, as a record row holds them (``values()`` of these names).
COLUMNS = (
    "device_id",
    "message_id",
    "seq",
    "kind",
    "occurred_at",
    "point_id",
    "waste_type",
    "weight_kg",
    "is_correct",
    "card_id",
    "household_id",
    "payload",
    "received_at",
)


def of_record(record, payload_text: str) -> str:
    """The digest of a ``Record`` as it is now, ``payload_text`` being its stored payload text
    (``Cast("payload", TextField())``: the bytes as stored, not the parsed value)."""
    fields = {column: getattr(record, column) for column in COLUMNS if column != "payload"}
    return digest(row_text(**fields, payload=payload_text))
