"""Vendor formats (docs/devices.md, vendor formats): ThingsBoard telemetry and Alibaba Cloud Alink
property posts.

Devices whose firmware speaks ThingsBoard's device HTTP API or Alibaba Cloud's Alink JSON can
be pointed at CityLoop unchanged. Their payloads are translated here into our own envelope
(``{"id", "device", "kind", "record"|"records"}``) and handed to the one pipeline
(``ingest.ingest``): the same checks, idempotency and quarantine as our own format. Nothing in
this module writes a table.

- Kind: a vendor payload does not say what it is; the device's kind does
  (``KIND_OF_DEVICE``).
- Keys: each vendor key is mapped to a record field: our own field names pass through, common
  vendor spellings are known (``DEFAULT_KEYS``) and the device's ``vendor_keys`` (set in the
  admin) maps firmware keys such as ``Weight`` or ``CardNo``; a key mapped to null is ignored.
  A key that maps to nothing is left as it is, so the schema check quarantines the message and
  names the key (nothing is silently dropped).
- Values: numbers sent as strings, booleans sent as 0/1 and the Chinese names of the waste
  types and alarms are converted to what the schemas expect.
- Time: vendor times are Unix milliseconds, written as ISO 8601 in TIME_ZONE (+08:00); without
  one the server's time is used.
- Message id: ThingsBoard has none, so it is derived from the device and the entry
  (``tb-`` + SHA-256); Alink's ``id`` is unique per device per day, so ``alink-YYYYMMDD-id``.

See docs/devices.md "Vendor formats" and docs/decisions/0026-vendor-adapters.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cityloop.devices.choices import DeviceKind, MessageKind, QuarantineReason
from cityloop.devices.ingest import Raw, Refused
from cityloop.devices.models import Device
from cityloop.devices.record_schemas import validator

KIND_OF_DEVICE = {
    DeviceKind.SMART_SCALE: MessageKind.DISPOSAL,
    DeviceKind.RFID_READER: MessageKind.DISPOSAL,
    DeviceKind.AI_CAMERA: MessageKind.AI_ALARM,
    DeviceKind.FILL_SENSOR: MessageKind.FILL_LEVEL,
    DeviceKind.TRUCK_UNIT: MessageKind.TRUCK_COLLECTION,
    DeviceKind.WEIGHBRIDGE: MessageKind.PLANT_INTAKE,
}

# Common vendor spellings, per message kind (a device's own ``vendor_keys`` come first).
# Lower-case keys: the look-up ignores case, "-" and "_" (``_folded``).
DEFAULT_KEYS: dict[str, dict[str, str]] = {
    MessageKind.DISPOSAL: {
        "cardno": "card",
        "cardid": "card",
        "rfid": "card",
        "bintype": "bin_type",
        "garbagetype": "bin_type",
        "wastetype": "bin_type",
        "weight": "weight_kg",
        "weightkg": "weight_kg",
        "correct": "is_correct",
        "iscorrect": "is_correct",
        "photourl": "photo",
        "image": "photo",
        "imageurl": "photo",
    },
    MessageKind.AI_ALARM: {
        "alarmtype": "alarm",
        "eventtype": "alarm",
        "score": "confidence",
        "image": "snapshot",
        "imageurl": "snapshot",
        "snapshoturl": "snapshot",
    },
    MessageKind.FILL_LEVEL: {
        "fillinglevel": "level",  # FIWARE WasteContainer: 0..1
        "filllevel": "level",
        "binrfid": "bin_rfid",
        "rfid": "bin_rfid",
        "bintype": "bin_type",
        "wastetype": "bin_type",
    },
    MessageKind.TRUCK_COLLECTION: {
        "binrfid": "bin_rfid",
        "rfid": "bin_rfid",
        "bintype": "bin_type",
        "wastetype": "bin_type",
        "weight": "weight_kg",
        "weightkg": "weight_kg",
        "score": "sorting_score",
        "sortingscore": "sorting_score",
        "plateno": "plate",
        "licenseplate": "plate",
    },
    MessageKind.PLANT_INTAKE: {
        "plateno": "plate",
        "licenseplate": "plate",
        "wastetype": "waste_type",
        "grossweight": "gross_kg",
        "gross": "gross_kg",
        "tareweight": "tare_kg",
        "tare": "tare_kg",
        "netweight": "net_kg",
        "net": "net_kg",
        "weight": "net_kg",  # FIWARE WasteObserved: net weight
    },
}

# Values as Chinese firmware sends them (GB/T 19095-2019 names; the AI alarm names of
# docs/devices.md).
WASTE_TYPE_NAMES = {
    "厨余垃圾": "kitchen",
    "厨余": "kitchen",
    "湿垃圾": "kitchen",
    "餐厨垃圾": "kitchen",
    "可回收物": "recyclable",
    "可回收": "recyclable",
    "有害垃圾": "hazardous",
    "有害": "hazardous",
    "其他垃圾": "other",
    "其他": "other",
    "其它垃圾": "other",
    "干垃圾": "other",
}
ALARM_NAMES = {
    "混合投放": "mixed_disposal",
    "乱扔垃圾": "littering",
    "乱扔": "littering",
    "垃圾满溢": "overflow",
    "满溢": "overflow",
    "小包垃圾落地": "bag_on_ground",
    "小包垃圾滞留": "bag_on_ground",
    "小包垃圾落地/滞留": "bag_on_ground",
}
VALUE_NAMES = {
    "bin_type": WASTE_TYPE_NAMES,
    "waste_type": WASTE_TYPE_NAMES,
    "alarm": ALARM_NAMES,
}

EARLIEST_MS = 10**11  # 1973-03-03: a smaller "ms" time is almost surely in seconds
LATEST_MS = 10**13  # 2286
TB_PREFIX, ALINK_PREFIX = "tb-", "alink-"
ALINK_METHOD = "thing.event.property.post"
ALINK_SUFFIX = "thing/event/property/post"
ALINK_ROOT = "/sys"


def _folded(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


# --- translation -------------------------------------------------------------------------------


def message_kind(device: Device) -> str:
    return KIND_OF_DEVICE[device.kind]


def map_values(device: Device, kind: str, values: dict) -> dict:
    """Vendor keys and values to record fields (``time`` is added by the caller)."""
    exact = device.vendor_keys or {}
    own = {_folded(k): v for k, v in exact.items()}
    defaults = DEFAULT_KEYS.get(kind, {})
    properties = validator(kind).schema["properties"]
    record: dict = {}
    for key, value in values.items():
        folded = _folded(key)
        if key in exact or folded in own:
            target = exact[key] if key in exact else own[folded]
            if target is None:
                continue  # ignored by the device's key map
        elif key in properties:
            target = key
        else:
            target = defaults.get(folded, key)  # unknown: kept, so the schema check names it
        record[target] = _converted(properties.get(target, {}), target, value)
    return record


def _converted(schema: dict, name: str, value: Any) -> Any:
    kind = schema.get("type")
    if isinstance(value, str) and name in VALUE_NAMES:
        return VALUE_NAMES[name].get(value.strip(), value)
    if kind == "number" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if number == number and abs(number) != float("inf") else value
    if kind == "boolean":
        if value in (0, 1) and not isinstance(value, bool):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false"):
            return value.strip().lower() in ("1", "true")
    if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # card and tag numbers sent as numbers
    return value


def iso_time(ms: Any, where: str) -> str:
    """Unix milliseconds as ISO 8601 in TIME_ZONE (e.g. ``2026-11-25T09:58:00.000+08:00``)."""
    if isinstance(ms, bool) or not isinstance(ms, int | float):
        raise Refused(QuarantineReason.SCHEMA, f"{where}: Unix time in milliseconds")
    if not EARLIEST_MS <= ms < LATEST_MS:
        raise Refused(
            QuarantineReason.SCHEMA,
            f"{where}: {ms} is not Unix time in milliseconds (seconds sent instead?)",
        )
    moment = datetime.fromtimestamp(ms / 1000, tz=ZoneInfo(settings.TIME_ZONE))
    return moment.isoformat(timespec="milliseconds")


def server_time() -> str:
    return timezone.localtime().isoformat(timespec="milliseconds")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _refused_raw(text: str, device: Device, message_id: str, refused: Refused) -> Raw:
    envelope = {"id": message_id, "device": device.code}
    return Raw(text=text, value=envelope, refusal=refused)


# --- ThingsBoard (HTTP) ------------------------------------------------------------------------


def thingsboard_entries(body: Any) -> list[Any]:
    """ThingsBoard's three telemetry shapes as a list of entries: a values object,
    ``{"ts", "values"}`` or a list of them."""
    return body if isinstance(body, list) else [body]


def thingsboard_id(device: Device, entry: Any, received_ms: int | None = None) -> str:
    """``tb-`` + 40 hex digits of SHA-256 over the device code and the canonical entry; an entry
    without ``ts`` also hashes the server time (``received_ms``): each post is a new reading,
    as in ThingsBoard."""
    return _thingsboard_id(device.code, _canonical(entry), received_ms)


def _thingsboard_id(code: str, canonical_entry: str, received_ms: int | None) -> str:
    seed = f"{code}\n{canonical_entry}\n{'' if received_ms is None else received_ms}"
    return TB_PREFIX + hashlib.sha256(seed.encode()).hexdigest()[:40]


def thingsboard_raw(device: Device, entry: Any, received_ms: int) -> Raw:
    """One telemetry entry as one message of the device's kind (or a refusal)."""
    text = _canonical(entry)
    timed = isinstance(entry, dict) and "ts" in entry and "values" in entry
    message_id = _thingsboard_id(device.code, text, None if timed else received_ms)
    try:
        if not isinstance(entry, dict):
            raise Refused(QuarantineReason.ENVELOPE, "a telemetry entry is a JSON object")
        if timed:
            unknown = set(entry) - {"ts", "values"}
            if unknown:
                raise Refused(
                    QuarantineReason.ENVELOPE, f"unknown keys: {', '.join(sorted(unknown))}"
                )
            values, time = entry["values"], iso_time(entry["ts"], "ts")
            if not isinstance(values, dict):
                raise Refused(QuarantineReason.ENVELOPE, "values: a JSON object")
        else:
            values, time = entry, server_time()
        kind = message_kind(device)
        record = map_values(device, kind, values)
        if isinstance(record.get("time"), int | float):
            record["time"] = iso_time(record["time"], "time")
        record.setdefault("time", time)
    except Refused as refused:
        return _refused_raw(text, device, message_id, refused)
    envelope = {"id": message_id, "device": device.code, "kind": kind, "record": record}
    return Raw(text=text, value=envelope)


def thingsboard_messages(device: Device, body: Any) -> list[Raw]:
    received_ms = int(timezone.now().timestamp() * 1000)
    return [thingsboard_raw(device, entry, received_ms) for entry in thingsboard_entries(body)]


# --- Alibaba Cloud Alink (MQTT) ----------------------------------------------------------------


def alink_filter(root: str = ALINK_ROOT) -> str:
    """The topic filter of property posts (the root starts with "/": ``/sys/+/+/...``)."""
    return f"{root}/+/+/{ALINK_SUFFIX}"


def alink_shared_topic(group: str, root: str = ALINK_ROOT) -> str:
    # "$share/<group>/" + a filter that itself starts with "/": hence the double slash.
    return f"$share/{group}/{alink_filter(root)}"


def alink_device_name(topic: str, root: str = ALINK_ROOT) -> str | None:
    """``deviceName`` of ``{root}/{productKey}/{deviceName}/thing/event/property/post``."""
    if not topic.startswith(root + "/") or not topic.endswith("/" + ALINK_SUFFIX):
        return None
    levels = topic[len(root) + 1 : -len(ALINK_SUFFIX) - 1].split("/")
    return levels[1] if len(levels) == 2 and all(levels) else None


def alink_reply_topic(topic: str) -> str:
    return topic + "_reply"


def alink_id(value: Any) -> str | None:
    message_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(message_id, bool) or not isinstance(message_id, str | int):
        return None
    message_id = str(message_id)
    return message_id if 0 < len(message_id) <= 40 else None


def alink_envelope(device: Device, value: Any, now: datetime | None = None) -> dict:
    """An Alink property post as our envelope: properties with one time make one record."""
    if not isinstance(value, dict):
        raise Refused(QuarantineReason.ENVELOPE, "an Alink message is a JSON object")
    vendor_id = alink_id(value)
    if vendor_id is None:
        raise Refused(QuarantineReason.ENVELOPE, "id: 1 to 40 characters")
    if value.get("method", ALINK_METHOD) != ALINK_METHOD:
        raise Refused(QuarantineReason.ENVELOPE, f"method: {ALINK_METHOD}")
    params = value.get("params")
    if not isinstance(params, dict) or not params:
        raise Refused(QuarantineReason.ENVELOPE, "params: a non-empty JSON object")
    groups: dict[int | None, dict] = {}
    named_by: dict[int | None, str] = {}  # a property of each time (for a refusal's detail)
    for key, item in params.items():
        if isinstance(item, dict) and "value" in item and set(item) <= {"value", "time"}:
            moment = item.get("time")
            named_by.setdefault(moment, key)
            groups.setdefault(moment, {})[key] = item["value"]
        else:
            groups.setdefault(None, {})[key] = item
    times = {m: iso_time(m, f"params/{named_by[m]}/time") for m in groups if m is not None}
    now = now or timezone.now()
    arrival = ""
    kind = message_kind(device)
    records = []
    for moment in sorted(groups, key=lambda m: (m is not None, m or 0)):
        record = map_values(device, kind, groups[moment])
        if moment is not None:
            record["time"] = times[moment]
        elif isinstance(record.get("time"), int | float):
            record["time"] = iso_time(record["time"], "time")
        elif "time" not in record:
            arrival = arrival or timezone.localtime(now).isoformat(timespec="milliseconds")
            record["time"] = arrival
        records.append(record)
    # Alink ids are unique per device per day: the day of the earliest property time (stable
    # across the device's retries), else of the arrival.
    day = times[min(times)][:10] if times else timezone.localtime(now).date().isoformat()
    message_id = f"{ALINK_PREFIX}{day.replace('-', '')}-{vendor_id}"
    envelope = {"id": message_id, "device": device.code, "kind": kind}
    if len(records) == 1:
        envelope["record"] = records[0]
    else:
        envelope["records"] = records
    return envelope


def alink_raw(device: Device | None, name: str, text: str, now: datetime | None = None) -> Raw:
    """An Alink message from ``name`` (the topic's deviceName) as ``Raw`` for the pipeline.

    The sender is the device the topic names: the broker's per-device ACL is what makes the
    topic trustworthy (docs/decisions/0026-vendor-adapters.md), hence ``--alink`` is opt-in.
    """
    try:
        value = json.loads(text)
    except ValueError as error:
        envelope = {"id": "", "device": name}
        refused = Refused(QuarantineReason.INVALID_JSON, str(error))
        return Raw(text=text, value=envelope, refusal=refused)
    vendor_id = alink_id(value) or ""
    if device is None:
        refused = Refused(QuarantineReason.UNKNOWN_DEVICE, name)
        return Raw(text=text, value={"id": vendor_id, "device": name}, refusal=refused)
    if not device.is_active:
        refused = Refused(QuarantineReason.DEVICE_DISABLED, name)
        return Raw(text=text, value={"id": vendor_id, "device": name}, refusal=refused)
    try:
        envelope = alink_envelope(device, value, now)
    except Refused as refused:
        return Raw(
            text=text, value={"id": vendor_id, "device": name}, sender=device, refusal=refused
        )
    return Raw(text=text, value=envelope, sender=device)


def mixed_to_raw(
    messages: Sequence[Any],
    own: Callable[[list[Any]], list[Raw]],
    root: str = ALINK_ROOT,
) -> list[Raw]:
    """A worker's batch (objects with ``topic`` and ``payload``) as ``Raw``, in order: Alink
    topics translated here, the others by ``own`` (our own format)."""
    names = [alink_device_name(m.topic, root) for m in messages]
    codes = {name for name in names if name}
    devices = {d.code: d for d in Device.objects.filter(code__in=codes)} if codes else {}
    others = iter(own([m for m, name in zip(messages, names, strict=True) if name is None]))
    now = timezone.now()
    result = []
    for message, name in zip(messages, names, strict=True):
        if name is None:
            result.append(next(others))
            continue
        text = message.payload.decode("utf-8", errors="replace")
        result.append(alink_raw(devices.get(name), name, text, now))
    return result


def alink_reply(raw: Raw, result: dict) -> bytes:
    """``{"id", "code", "data"}``: 200 when stored (or stored before), else 460 (Alibaba's
    "request parameter error") with the reason."""
    try:
        vendor_id = alink_id(json.loads(raw.text)) or ""
    except ValueError:
        vendor_id = ""
    reply: dict = {"id": vendor_id, "code": 200, "data": {}}
    if result.get("status") == "quarantined":
        reply.update(code=460, message=result.get("message", {}).get("en", ""))
    return json.dumps(reply, ensure_ascii=False).encode()
