"""The ingestion pipeline (docs/devices.md, ingestion): parse, check and store device messages in
bulk.

Both doors call ``ingest``: HTTP (``views.ingest``) with the one device whose token
authenticated the request; MQTT (``cityloop.devices.mqtt``) with a batch from many devices, each
``Raw`` carrying its own authenticated ``sender`` (or the ``refusal`` of a failed authentication).

Each message ends as exactly one of: accepted (its records stored), duplicate
(its id was stored before for that device: nothing new is written) or quarantined (stored in
``QuarantinedMessage`` with the reason and the raw text). The checks and the look-ups (devices,
cards, bins) run first, outside any transaction; then every write of the call is one
transaction with a fixed number of statements, whatever the number of messages:

1. ``INSERT INTO devices_message … ON CONFLICT DO NOTHING RETURNING device_id, message_id``
   says which messages are new. Two workers replaying the same message concurrently cannot
   both get it back (the unique index decides), so nothing is counted twice.
2. The records of those messages only: ``executemany`` on SQLite, ``COPY`` on PostgreSQL
   (docs/decisions/0022-ingest-bulk-sql.md), each with its SHA-256 as it arrived (``digests``).
3. On SQLite, the filing of a household's records once enough are unfiled (``filing``).
4. The quarantine, the devices' last-seen time and device-days (``device_days``), then what
   other apps installed (``hooks``: the sorting app's roll-ups and reactions) with the records
   stored for the first time.

Records are checked by a function compiled from each kind's JSON Schema (``fastcheck``);
``jsonschema`` words the error of a refused record (docs/decisions/0021-fast-record-check.md).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both, lazy_format
from cityloop.devices import device_days, digests, filing, hooks
from cityloop.devices.choices import DeviceKind, MessageKind, QuarantineReason
from cityloop.devices.fields import dumps, loads
from cityloop.devices.hooks import Lookups
from cityloop.devices.models import Device, QuarantinedMessage
from cityloop.devices.record_schemas import fast_check, validator
from cityloop.devices.stored import Stored

MAX_RECORDS_PER_MESSAGE = 10_000
BATCH = 2_000

ENVELOPE_KEYS = {"id", "device", "kind", "record", "records"}
MESSAGE_KINDS = frozenset(MessageKind.values)
PLANT_INTAKE = str(MessageKind.PLANT_INTAKE)

# The message kinds each kind of device sends (docs/devices.md). Checked on the device the
# message names, not on the sender: a station's scale gateway relays its camera's alarms.
KINDS_BY_DEVICE: dict[str, frozenset[str]] = {
    DeviceKind.RFID_READER: frozenset({MessageKind.DISPOSAL}),
    DeviceKind.SMART_SCALE: frozenset({MessageKind.DISPOSAL}),
    DeviceKind.AI_CAMERA: frozenset({MessageKind.AI_ALARM}),
    DeviceKind.FILL_SENSOR: frozenset({MessageKind.FILL_LEVEL}),
    DeviceKind.TRUCK_UNIT: frozenset({MessageKind.TRUCK_COLLECTION}),
    DeviceKind.WEIGHBRIDGE: frozenset({MessageKind.PLANT_INTAKE}),
}

_KINDS_BY_DEVICE = {str(k): v for k, v in KINDS_BY_DEVICE.items()}  # plain-str keys: faster

# Errors of the connection or the server (retried by the MQTT worker); any other error while
# storing a batch is the fault of one of its messages (``ingest`` finds it and quarantines it).
CONNECTION_ERRORS = (OperationalError, InterfaceError)

log = logging.getLogger(__name__)


class Refused(Exception):
    """A message goes to quarantine; ``detail`` says why (translatable)."""

    def __init__(self, reason: QuarantineReason, detail: Any = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class Moment(NamedTuple):
    """A record's time as the pipeline uses it (``_Times``)."""

    utc: datetime  # aware, in UTC
    text: str  # UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00'
    day: date | None  # its local day in TIME_ZONE (None: beyond the years 1 to 9999 there)
    day_text: str  # the day as 'YYYY-MM-DD'


class Pending(NamedTuple):
    """A checked record of a new message, before the card and bin look-ups (built by
    ``_ingest``, turned into a database row and a ``Stored`` by ``_rows``)."""

    device_id: int
    message_id: str
    seq: int
    kind: str
    occurred_at: datetime  # aware, in UTC
    occurred_text: str  # the same as UTC text (``Moment.text``)
    day: date  # local day (TIME_ZONE) of occurred_at
    day_text: str
    point_id: int | None  # the device's point; a truck's comes from the bin it emptied
    waste_type: str  # as sent; a truck's may come from the bin
    weight_kg: float | None
    is_correct: bool | None
    card_id: str
    payload: dict


class Candidate(NamedTuple):
    """A message that passed the checks, to be inserted if its id is new for its device."""

    kind: str
    records: int
    result: dict  # its entry of ``Outcome.results``, updated once the insert says it was new


@dataclass
class Raw:
    """A message as it arrived: the parsed value, or None with the text when it did not parse.
    ``text`` may be empty for an element of a JSON array: ``raw_text`` writes it when needed."""

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
        value = loads(body)
    except ValueError:
        return None
    items = value if isinstance(value, list) else [value]
    # The text of an array element is only written (``raw_text``) if it is quarantined.
    return [Raw(text="", value=item) for item in items]


def _parse(line: str) -> Raw:
    try:
        return Raw(text=line, value=loads(line))
    except ValueError as error:  # the standard library's words (``fields.loads``)
        return Raw(text=line, parse_error=str(error))


def parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def time_window(now: datetime) -> tuple[datetime, datetime]:
    """The earliest and latest record time accepted at ``now`` (``CITYLOOP_INGEST_PAST_DAYS``
    back, ``CITYLOOP_INGEST_FUTURE_MINUTES`` ahead), kept a day inside the years 1 to 9999 so
    that every accepted time converts to any offset (year 1 at +08:00 does not)."""
    earliest, latest = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    try:
        floor = now - timedelta(days=settings.CITYLOOP_INGEST_PAST_DAYS)
    except OverflowError:
        floor = earliest
    try:
        horizon = now + timedelta(minutes=settings.CITYLOOP_INGEST_FUTURE_MINUTES)
    except OverflowError:
        horizon = latest
    return max(floor, earliest + timedelta(days=1)), min(horizon, latest - timedelta(days=1))


def ingest(*, messages: list[Raw], sender: Device | None = None) -> Outcome:
    """Store ``messages``, each sent with its ``Raw.sender``'s token or else ``sender``'s
    (idempotent by message id; refusals quarantined). All writes are one transaction.

    If storing the batch fails with an error that is not the connection's
    (``CONNECTION_ERRORS``, raised for the caller to retry), the batch is stored again message
    by message, each in its own transaction, and a message that still fails is quarantined as
    ``failed`` with the error: one poison message never stops the others."""
    try:
        with _no_cycle_collection():
            return _ingest(messages, sender)
    except CONNECTION_ERRORS:
        raise
    except Exception as error:
        if len(messages) == 1:
            return _failed(messages[0], sender, error)
        log.warning("ingest: a batch of %d failed (%r); storing one by one", len(messages), error)
    outcome = Outcome()
    for raw in messages:
        one = ingest(messages=[raw], sender=sender)
        outcome.results += one.results
        outcome.accepted += one.accepted
        outcome.duplicates += one.duplicates
        outcome.quarantined += one.quarantined
        outcome.records += one.records
    return outcome


_turn = threading.local()  # how deeply this thread holds the writer's turn


@contextmanager
def writer_turn():
    """On SQLite, wait for this process's turn to write in the kernel (``flock`` on a file
    beside the database) rather than in SQLite's busy handler.

    SQLite lets one writer in at a time; a writer that finds the database locked sleeps
    1, 2, 5, … up to 100 ms between tries and is not woken when the lock is released. Two
    ingest processes (HTTP workers, MQTT workers) writing one batch after the other then leave
    the database idle for most of those sleeps. ``flock`` wakes the next writer the moment the
    previous one lets go (docs/decisions/0032-sqlite-writer-turn.md). Take the turn outside
    the write transaction (inside one, which may already hold SQLite's lock, nothing is done:
    the turn would end before the commit). A thread that holds the turn may take it again.
    On PostgreSQL, and on SQLite in memory (tests), there is nothing to do."""
    depth = getattr(_turn, "depth", 0)
    if depth:  # this thread holds the turn already
        _turn.depth = depth + 1
        try:
            yield
        finally:
            _turn.depth = depth
        return
    path = _lock_path()
    if path is None or connection.in_atomic_block:
        yield
        return
    # Created with the database file's permissions, like SQLite's own -wal and -shm files, so
    # that web and MQTT workers running as different users share it.
    mode = os.stat(path[0]).st_mode & 0o666
    handle = os.open(path[1], os.O_RDONLY | os.O_CREAT, mode)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _turn.depth = 1
        try:
            yield
        finally:
            _turn.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _lock_path() -> tuple[str, str] | None:
    """The database file and its lock file (``<database>-writer``, symbolic links resolved so
    that every process locks the same file), or None where no lock is needed."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:") or not os.path.exists(name):
        return None
    database = os.path.realpath(name)
    return database, f"{database}-writer"


@contextmanager
def _no_cycle_collection():
    """Python's cyclic garbage collector paused while a batch is stored: a batch makes a few
    objects per record and keeps them all to the end, which made the collector run over and
    over (a fifth of the batch's time). The batch's objects form no cycles: reference counting
    frees them when the batch ends, and the collector resumes for anything else."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _failed(raw: Raw, sender: Device | None, error: Exception) -> Outcome:
    """Quarantine a message that could not be stored (reason ``failed``, the error)."""
    log.exception("ingest: a message could not be stored", exc_info=error)
    refused = Refused(QuarantineReason.FAILED, f"{type(error).__name__}: {error}"[:2000])
    with transaction.atomic():
        _quarantined(raw, raw.sender or sender, refused, timezone.now()).save()
    return Outcome(results=[_refusal(raw, refused)], quarantined=1)


def _ingest(messages: list[Raw], sender: Device | None) -> Outcome:
    now = timezone.now()
    senders = {raw.sender or sender for raw in messages} - {None}
    devices = _devices(senders, messages)
    outcome, quarantine = Outcome(), []
    candidates: dict[tuple[int, str], Candidate] = {}  # by (device, message id)
    records: list[Pending] = []
    new_pending = tuple.__new__
    active = {d.pk for d in senders}
    floor, horizon = (limit.astimezone(UTC) for limit in time_window(now))
    zone = timezone.get_default_timezone()  # the local day is the district's
    times = _Times(zone)
    for raw in messages:
        origin = raw.sender or sender
        try:
            if raw.refusal is not None:
                raise raw.refusal
            device, message_id, kind, items = _check(raw, origin, devices, floor, horizon, times)
        except Refused as refused:
            quarantine.append(_quarantined(raw, origin, refused, now))
            outcome.quarantined += 1
            outcome.results.append(_refusal(raw, refused))
            continue
        pk = device.pk
        active.add(pk)
        key = (pk, message_id)
        result = {"id": message_id, "status": "duplicate"}
        outcome.results.append(result)
        if key in candidates:  # twice in the same batch
            continue
        candidates[key] = Candidate(kind, len(items), result)
        point = device.point_id
        weight_key = "net_kg" if kind == PLANT_INTAKE else "weight_kg"
        for seq, item, (moment, text, day, day_text) in items:
            weight = item.get(weight_key)
            # ``Pending`` from a tuple in its field order, without the keyword handling of
            # its ``__new__``: this runs once per record.
            records.append(
                new_pending(
                    Pending,
                    (
                        pk,
                        message_id,
                        seq,
                        kind,
                        moment,
                        text,
                        day,
                        day_text,
                        point,
                        item.get("bin_type") or item.get("waste_type") or "",
                        None if weight is None else float(weight),
                        item.get("is_correct"),
                        item.get("card", ""),
                        item,
                    ),
                )
            )
    rows, stored = _rows(records, _resolve(records), now)
    listeners = hooks.listeners()
    prepared = [listener.prepare(stored) for listener in listeners]
    seen = _seen(active, devices, senders, now)
    with writer_turn(), transaction.atomic():
        new = _insert_messages(candidates, now)
        for key in new:
            candidate = candidates[key]
            candidate.result["status"], candidate.result["records"] = "accepted", candidate.records
            outcome.accepted += 1
            outcome.records += candidate.records
        outcome.duplicates = len(outcome.results) - outcome.accepted - outcome.quarantined
        if len(new) < len(candidates):  # replayed messages: their records are not written
            keep = [(s.device_id, s.message_id) in new for s in stored]
            rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
            stored = [s for s, kept in zip(stored, keep, strict=True) if kept]
            prepared = [listener.prepare(stored) for listener in listeners]
        _insert_records(rows)
        if filing.in_arrears():
            filing.file_pending()
        QuarantinedMessage.objects.bulk_create(quarantine, batch_size=BATCH)
        if seen:
            Device.objects.filter(pk__in=seen).update(last_seen_at=now)
        device_days.mark(active, now)
        for listener, plan in zip(listeners, prepared, strict=True):
            listener.apply(stored, plan, now)
    return outcome


LAST_SEEN_EVERY = timedelta(seconds=30)  # a device's last-seen time is written this often


def _seen(active: set[int], devices: dict[str, Device], senders: set[Device], now) -> list[int]:
    """The active devices whose stored last-seen time is older than ``LAST_SEEN_EVERY`` (the
    online state needs minutes, not every batch; fewer rows locked by concurrent workers)."""
    known = {d.pk: d.last_seen_at for d in (*devices.values(), *senders)}
    return sorted(
        pk
        for pk in active
        if (seen := known.get(pk)) is None or seen > now or now - seen >= LAST_SEEN_EVERY
    )


# Record columns in the order of the rows built by ``_rows``.
RECORD_COLUMNS = (
    "device_id",
    "message_id",
    "seq",
    "kind",
    "occurred_at",
    "day",
    "point_id",
    "waste_type",
    "weight_kg",
    "is_correct",
    "card_id",
    "household_id",
    "payload",
    "received_at",
    "filed",
    "digest",
)
MESSAGE_CHUNK = 500  # rows per multi-row INSERT … RETURNING (5 parameters each)


def _insert_messages(
    candidates: dict[tuple[int, str], Candidate], now: datetime
) -> set[tuple[int, str]]:
    """Insert the candidate messages; the keys of those that were new (not stored before)."""
    if not candidates:
        return set()
    received = connection.ops.adapt_datetimefield_value(now)
    # In key order, so that two workers inserting overlapping batches on PostgreSQL wait for
    # each other on the unique index instead of deadlocking.
    rows = sorted(
        (device, message, c.kind, c.records, received)
        for (device, message), c in candidates.items()
    )
    new = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), MESSAGE_CHUNK):
            chunk = rows[start : start + MESSAGE_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            sql = (
                "INSERT INTO devices_message (device_id, message_id, kind, record_count,"  # noqa: S608
                f" received_at) VALUES {values}"
                " ON CONFLICT (device_id, message_id) DO NOTHING"
                " RETURNING device_id, message_id"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            new.update(map(tuple, cursor.fetchall()))
    return new


def _rows(
    records: list[Pending], found: Lookups, now: datetime
) -> tuple[list[tuple], list[Stored]]:
    """The database rows (``RECORD_COLUMNS``) and the ``Stored`` of ``records``, with the
    households of their cards and the points of the bins trucks emptied (``found``), computed
    before the transaction. Times go to the database as UTC text: SQLite keeps naive UTC text
    (Django's format), PostgreSQL reads the offset. Each row carries the record's digest, the
    SHA-256 of its row text (``digests``), taken in the same pass over the same values."""
    postgres = connection.vendor == "postgresql"
    arrears = filing.in_arrears()  # a household's records stored unfiled, filed later
    received_text = now.astimezone(UTC).isoformat(" ")
    received = received_text if postgres else received_text[:-6]
    new_stored = tuple.__new__  # a Stored from a tuple, without its keyword-handling __new__
    fast_dumps, sha256 = orjson.dumps, hashlib.sha256
    households, bins = found.households.get if found.households else None, found.bins
    rows, stored = [], []
    for (
        device_id,
        message_id,
        seq,
        kind,
        occurred_at,
        occurred_text,
        day,
        day_text,
        point_id,
        waste_type,
        weight_kg,
        is_correct,
        card_id,
        payload,
    ) in records:
        household_id = households(card_id) if households else None
        if point_id is None and bins and (bin_at := bins.get(payload.get("bin_rfid"))):
            point_id, bin_type = bin_at
            waste_type = waste_type or bin_type
        columns = [
            device_id,
            message_id,
            seq,
            kind,
            occurred_text,
            point_id,
            waste_type,
            weight_kg,
            is_correct,
            card_id,
            household_id,
            received_text,
        ]
        try:  # the common case in one step: both as UTF-8 bytes, the payload decoded once
            payload_bytes = fast_dumps(payload)
            row_text = fast_dumps(columns) + b"\n" + payload_bytes
            payload_text = payload_bytes.decode()
        except TypeError:  # what orjson does not take (``fields.dumps``, ``digests.head``)
            payload_text = dumps(payload)
            encoded = payload_text.encode("utf-8", "surrogatepass")
            row_text = digests.head(columns) + b"\n" + encoded
        rows.append(  # in the order of RECORD_COLUMNS
            (
                device_id,
                message_id,
                seq,
                kind,
                occurred_text if postgres else occurred_text[:-6],
                day_text,
                point_id,
                waste_type,
                weight_kg,
                is_correct,
                card_id,
                household_id,
                payload_text,
                received,
                not (arrears and household_id is not None),
                sha256(row_text).digest(),
            )
        )
        stored.append(  # in the order of Stored's fields
            new_stored(
                Stored,
                (
                    device_id,
                    message_id,
                    seq,
                    kind,
                    occurred_at,
                    day,
                    point_id,
                    household_id,
                    waste_type,
                    weight_kg,
                    is_correct,
                    card_id,
                    payload,
                ),
            )
        )
    return rows, stored


def _insert_records(rows: list[tuple]) -> None:
    if not rows:
        return
    columns = ", ".join(RECORD_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY straight into the table: these messages were new in this transaction, and
            # records are only ever written with their message, so none of them can exist.
            with cursor.cursor.copy(f"COPY devices_record ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["?"] * len(RECORD_COLUMNS))
        sql = f"INSERT INTO devices_record ({columns}) VALUES ({placeholders})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.cursor.executemany(sql, rows[start : start + BATCH])


def _resolve(records: list[Pending]) -> Lookups:
    """The households of the batch's cards and the bins of the RFID tags that trucks (records
    without a point) name (``hooks.lookups``)."""
    cards = {r.card_id for r in records if r.card_id}
    tags = {
        r.payload["bin_rfid"] for r in records if r.point_id is None and "bin_rfid" in r.payload
    }
    return hooks.lookups(cards, tags)


def _devices(senders: set[Device], messages: list[Raw]) -> dict[str, Device]:
    """The devices named by the messages, by code, in one query (the senders without one)."""
    codes = {
        raw.value["device"]
        for raw in messages
        if isinstance(raw.value, dict) and isinstance(raw.value.get("device"), str)
    } - {s.code for s in senders}
    found = {d.code: d for d in Device.objects.filter(code__in=codes)} if codes else {}
    return {**found, **{s.code: s for s in senders}}


def _check(
    raw: Raw,
    sender: Device,
    devices: dict[str, Device],
    floor: datetime,
    horizon: datetime,
    times: _Times,
):
    """The message's device, id, kind and numbered records, or ``Refused``."""
    if raw.value is None:
        raise Refused(QuarantineReason.INVALID_JSON, raw.parse_error)
    message = raw.value
    _check_envelope(message)
    device = _check_device(message, sender, devices)
    kind = message["kind"]
    items = message["records"] if "records" in message else [message["record"]]
    check = fast_check(kind)
    checked = []
    for seq, item in enumerate(items):
        if not check(item):
            raise Refused(QuarantineReason.SCHEMA, _schema_error(kind, seq, item))
        when = times[item["time"]]
        if when is None:
            raise Refused(
                QuarantineReason.SCHEMA, f"records[{seq}] time: not an ISO 8601 time with offset"
            )
        if when.utc > horizon:
            raise Refused(QuarantineReason.FUTURE, f"records[{seq}] time: {item['time']}")
        if when.utc < floor:
            raise Refused(QuarantineReason.PAST, f"records[{seq}] time: {item['time']}")
        checked.append((seq, item, when))
    return device, str(message["id"]), kind, checked


class _Times(dict[str, Moment | None]):
    """One batch's memo of record times: the text as sent → its ``Moment``, or None if the text
    is not a time with an offset. A stream of thousands of records a second repeats each second
    many times; each distinct text is parsed and converted once."""

    def __init__(self, zone) -> None:
        super().__init__()
        self.zone = zone

    def __missing__(self, text: str) -> Moment | None:
        moment = parse_time(text)
        value: Moment | None
        if moment is None:
            value = None
        else:
            try:
                utc = moment.astimezone(UTC)
                day = utc.astimezone(self.zone).date()
                value = Moment(utc, utc.isoformat(" "), day, day.isoformat())
            except OverflowError:  # beyond the years 1 to 9999 in UTC or locally: outside
                value = Moment(moment, "", None, "")  # the time window, refused by ``_check``
        self[text] = value
        return value


def _schema_error(kind: str, seq: int, item: Any) -> str:
    """Why the fast check refused ``item``, in ``jsonschema``'s words when it has some."""
    errors = sorted(validator(kind).iter_errors(item), key=lambda e: list(e.path))
    if not errors:  # the one rule stricter than the schema (fastcheck)
        return f"records[{seq}]: a number is not finite or beyond ±2^53"
    where = "/".join(str(p) for p in errors[0].path) or "(record)"
    return f"records[{seq}] {where}: {errors[0].message}"


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
    if message.get("kind") not in MESSAGE_KINDS:
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
    if message["kind"] not in _KINDS_BY_DEVICE.get(device.kind, ()):
        raise Refused(QuarantineReason.WRONG_KIND, f"{message['kind']} from {device.kind} {code}")
    return device


def _quarantined(raw: Raw, sender: Device | None, refused: Refused, now) -> QuarantinedMessage:
    value = raw.value if isinstance(raw.value, dict) else {}
    code, message_id = value.get("device", ""), value.get("id", "")
    return QuarantinedMessage(
        received_at=now,
        sender=sender,
        device_code=_storable(str(code)[:64]),
        message_id=_storable(str(message_id)[:64]),
        reason=refused.reason,
        detail=_storable(str(refused.detail)),
        raw=_storable(raw_text(raw)),
    )


def _storable(text: str) -> str:
    """``text`` with what no database column takes (NUL, a lone surrogate from a JSON
    ``\\ud800``) written as escapes, so that the quarantine can always keep the message."""
    if text.isascii() and "\x00" not in text:
        return text
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\u0000")


def raw_text(raw: Raw) -> str:
    """The message as received (an array element: its JSON)."""
    if raw.text or raw.value is None:
        return raw.text
    return json.dumps(raw.value, ensure_ascii=False)


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
