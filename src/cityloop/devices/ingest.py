"""The ingestion pipeline (issue 5 §2): parse, check and store device messages in bulk.

Both doors call ``ingest``: HTTP (``views.ingest``) with the one device whose token
authenticated the request; MQTT (``cityloop.devices.mqtt``) with a batch from many devices, each
``Raw`` carrying its own authenticated ``sender`` (or the ``refusal`` of a failed authentication).

Each message ends as exactly one of: accepted (its records stored), duplicate
(its id was stored before for that device: nothing new is written) or quarantined (stored in
``QuarantinedMessage`` with the reason and the raw text). The whole call is one transaction
with a fixed number of queries, whatever the number of messages (bulk inserts that ignore
conflicts, so a concurrent replay cannot fail the batch either).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both, lazy_format
from cityloop.devices.choices import MessageKind, QuarantineReason
from cityloop.devices.models import Device, Message, QuarantinedMessage, Record

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
MAX_RECORDS_PER_MESSAGE = 10_000
BATCH = 2_000

ENVELOPE_KEYS = {"id", "device", "kind", "record", "records"}


@cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


class Refused(Exception):
    """A message goes to quarantine; ``detail`` says why (translatable)."""

    def __init__(self, reason: QuarantineReason, detail: Any = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


@dataclass
class Raw:
    """A message as it arrived: the parsed value, or None with the text when it did not parse."""

    text: str
    value: Any = None
    parse_error: str = ""
    sender: Device | None = None  # set by a door whose messages come from several devices (MQTT)
    refusal: Refused | None = None  # the door already refused it (MQTT: unknown device, token)


@dataclass
class Outcome:
    results: list[dict] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    records: int = 0

    def as_json(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "records": self.records,
            "results": self.results,
        }


def parse_ndjson(body: str) -> list[Raw]:
    """One message per non-blank line; a line that is not JSON is kept for the quarantine."""
    return [_parse(line) for line in body.splitlines() if line.strip()]


def parse_array(body: str) -> list[Raw] | None:
    """A JSON array of messages (or a single message object); None if the body is not JSON."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    items = value if isinstance(value, list) else [value]
    return [Raw(text=json.dumps(item, ensure_ascii=False), value=item) for item in items]


def _parse(line: str) -> Raw:
    try:
        return Raw(text=line, value=json.loads(line))
    except ValueError as error:
        return Raw(text=line, parse_error=str(error))


def parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@transaction.atomic
def ingest(*, messages: list[Raw], sender: Device | None = None) -> Outcome:
    """Store ``messages``, each sent with its ``Raw.sender``'s token or else ``sender``'s
    (issue 5 §2: idempotent, quarantine)."""
    now = timezone.now()
    senders = {raw.sender or sender for raw in messages} - {None}
    devices = _devices(senders, messages)
    seen = _stored_ids(messages, devices)
    outcome, new_messages, records, quarantine = Outcome(), [], [], []
    active = {d.pk for d in senders}
    for raw in messages:
        origin = raw.sender or sender
        try:
            if raw.refusal is not None:
                raise raw.refusal
            device, message_id, kind, items = _check(raw, origin, devices, now)
        except Refused as refused:
            quarantine.append(_quarantined(raw, origin, refused, now))
            outcome.quarantined += 1
            outcome.results.append(_refusal(raw, refused))
            continue
        active.add(device.pk)
        if (device.pk, message_id) in seen:
            outcome.duplicates += 1
            outcome.results.append({"id": message_id, "status": "duplicate"})
            continue
        seen.add((device.pk, message_id))
        new_messages.append(
            Message(
                device=device,
                message_id=message_id,
                kind=kind,
                record_count=len(items),
                received_at=now,
            )
        )
        records += [_record(device, message_id, kind, *item, now) for item in items]
        outcome.accepted += 1
        outcome.records += len(items)
        outcome.results.append({"id": message_id, "status": "accepted", "records": len(items)})
    Message.objects.bulk_create(new_messages, batch_size=BATCH, ignore_conflicts=True)
    Record.objects.bulk_create(records, batch_size=BATCH, ignore_conflicts=True)
    QuarantinedMessage.objects.bulk_create(quarantine, batch_size=BATCH)
    Device.objects.filter(pk__in=active).update(last_seen_at=now)
    return outcome


def _devices(senders: set[Device], messages: list[Raw]) -> dict[str, Device]:
    """The devices named by the messages, by code, in one query (the senders without one)."""
    codes = {
        raw.value["device"]
        for raw in messages
        if isinstance(raw.value, dict) and isinstance(raw.value.get("device"), str)
    } - {s.code for s in senders}
    found = {d.code: d for d in Device.objects.filter(code__in=codes)} if codes else {}
    return {**found, **{s.code: s for s in senders}}


def _stored_ids(messages: list[Raw], devices: dict[str, Device]) -> set:
    ids = {
        str(raw.value["id"])
        for raw in messages
        if isinstance(raw.value, dict) and isinstance(raw.value.get("id"), str | int)
    }
    if not ids:
        return set()
    pks = {d.pk for d in devices.values()}
    rows = Message.objects.filter(device__in=pks, message_id__in=ids)
    return set(rows.values_list("device_id", "message_id"))


def _check(raw: Raw, sender: Device, devices: dict[str, Device], now: datetime):
    """The message's device, id, kind and numbered records, or ``Refused``."""
    if raw.value is None:
        raise Refused(QuarantineReason.INVALID_JSON, raw.parse_error)
    message = raw.value
    _check_envelope(message)
    device = _check_device(message, sender, devices)
    kind = message["kind"]
    items = message["records"] if "records" in message else [message["record"]]
    check = validator(kind)
    horizon = now + timedelta(minutes=settings.CITYLOOP_INGEST_FUTURE_MINUTES)
    checked = []
    for seq, item in enumerate(items):
        errors = sorted(check.iter_errors(item), key=lambda e: list(e.path))
        if errors:
            where = "/".join(str(p) for p in errors[0].path) or "(record)"
            raise Refused(QuarantineReason.SCHEMA, f"records[{seq}] {where}: {errors[0].message}")
        moment = parse_time(item["time"])
        if moment is None:
            raise Refused(
                QuarantineReason.SCHEMA, f"records[{seq}] time: not an ISO 8601 time with offset"
            )
        if moment > horizon:
            raise Refused(QuarantineReason.FUTURE, f"records[{seq}] time: {item['time']}")
        checked.append((seq, item, moment))
    return device, str(message["id"]), kind, checked


def _check_envelope(message: Any) -> None:
    if not isinstance(message, dict):
        raise Refused(QuarantineReason.ENVELOPE, "a message is a JSON object")
    unknown = set(message) - ENVELOPE_KEYS
    message_id = message.get("id")
    if unknown:
        raise Refused(QuarantineReason.ENVELOPE, f"unknown keys: {', '.join(sorted(unknown))}")
    if (
        not isinstance(message_id, str | int)
        or isinstance(message_id, bool)
        or not 0 < len(str(message_id)) <= 64
    ):
        raise Refused(QuarantineReason.ENVELOPE, "id: 1 to 64 characters")
    if message.get("kind") not in MessageKind.values:
        raise Refused(QuarantineReason.ENVELOPE, f"kind: one of {', '.join(MessageKind.values)}")
    if ("record" in message) == ("records" in message):
        raise Refused(QuarantineReason.ENVELOPE, "exactly one of record, records")
    records = message.get("records")
    if "records" in message and (
        not isinstance(records, list) or not 0 < len(records) <= MAX_RECORDS_PER_MESSAGE
    ):
        raise Refused(QuarantineReason.ENVELOPE, f"records: 1 to {MAX_RECORDS_PER_MESSAGE}")


def _check_device(message: dict, sender: Device, devices: dict[str, Device]) -> Device:
    code = message.get("device", sender.code)
    device = devices.get(code) if isinstance(code, str) else None
    if device is None:
        raise Refused(QuarantineReason.UNKNOWN_DEVICE, str(code))
    if device.pk != sender.pk and device.gateway_id != sender.pk:
        raise Refused(QuarantineReason.WRONG_TOKEN, code)
    if not device.is_active:
        raise Refused(QuarantineReason.DEVICE_DISABLED, code)
    return device


def _record(
    device: Device, message_id: str, kind: str, seq: int, item: dict, moment: datetime, now
) -> Record:
    weight = item.get("net_kg") if kind == MessageKind.PLANT_INTAKE else item.get("weight_kg")
    return Record(
        device=device,
        message_id=message_id,
        seq=seq,
        kind=kind,
        occurred_at=moment,
        point_id=device.point_id,
        waste_type=item.get("bin_type") or item.get("waste_type") or "",
        weight_kg=weight,
        is_correct=item.get("is_correct"),
        card_id=item.get("card", ""),
        payload=item,
        received_at=now,
    )


def _quarantined(raw: Raw, sender: Device | None, refused: Refused, now) -> QuarantinedMessage:
    value = raw.value if isinstance(raw.value, dict) else {}
    code, message_id = value.get("device", ""), value.get("id", "")
    return QuarantinedMessage(
        received_at=now,
        sender=sender,
        device_code=str(code)[:64],
        message_id=str(message_id)[:64],
        reason=refused.reason,
        detail=str(refused.detail),
        raw=raw.text,
    )


def _refusal(raw: Raw, refused: Refused) -> dict:
    value = raw.value if isinstance(raw.value, dict) else {}
    label = QuarantineReason(refused.reason).label
    message = lazy_format(_("%(reason)s: %(detail)s"), {"reason": label, "detail": refused.detail})
    return {
        "id": value.get("id"),
        "status": "quarantined",
        "reason": refused.reason,
        "message": both(message),
    }
