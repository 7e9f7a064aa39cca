"""The MQTT door of the ingestion pipeline (docs/devices.md, MQTT): ``cityloop ingest_mqtt``.

A device publishes one message (the same JSON envelope as over HTTP, ``kind`` and ``device``
optional) with QoS 1 on ``cityloop/{device_code}/{kind}`` and its token in the MQTT 5 user
property ``token``. Workers subscribe to ``$share/<group>/cityloop/+/+`` so that several of them
split one stream. paho's network thread puts each message in a bounded queue; the main thread
takes batches (up to ``batch`` messages or ``max_wait_ms``), stores them with the one pipeline
function ``ingest.ingest`` and only after the commit acknowledges them (``manual_ack``), in the
order received. A crash between commit and ack means the broker redelivers: the message ids make
that a duplicate, stored once. A refused message is quarantined and acknowledged like any other.

Memory is bounded: the broker sends at most ``receive_maximum`` unacknowledged messages
(MQTT 5 Receive Maximum, set to twice the batch) and the queue holds as many, and at most twice
``max_batch_bytes`` of payload (a batch ends at ``batch`` messages or ``max_batch_bytes``); when
the queue is full paho's thread stops reading the socket, and when the database is slow nothing
is acknowledged, so the broker stops sending and keeps the rest in the session.

A message the database will not take (or that breaks a later step) does not stop the stream:
``ingest.ingest`` then stores the batch message by message and quarantines that one as
``failed`` with the error, and the batch is acknowledged. A connection error (the database is
down or restarting) retries the batch with a growing delay (0.5 s … 16 s, ``DB_RETRIES`` times),
then the worker exits non-zero without acknowledging it: the broker keeps the batch for the
worker's session (or another worker of the group) and a supervisor restarts the worker.
"""

from __future__ import annotations

import hmac
import json
import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import DatabaseError, close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cityloop.devices import adapters
from cityloop.devices import ingest as pipeline
from cityloop.devices.choices import QuarantineReason
from cityloop.devices.models import Device
from cityloop.devices.tokens import token_hash

TOPIC_ROOT = "cityloop"
DEFAULT_URL = "mqtt://127.0.0.1:1883"
SESSION_EXPIRY = 24 * 3600  # seconds the broker keeps a stopped worker's queued messages
MAX_BATCH_BYTES = 4 * 1024 * 1024  # payload bytes per batch (gateway messages are large)
DB_RETRIES = 6  # a batch is retried 6 times over about 30 s before the worker gives up


def shared_topic(group: str, root: str = TOPIC_ROOT) -> str:
    return f"$share/{group}/{root}/+/+"


def broker_address(url: str | None = None) -> tuple[str, int]:
    """Host and port from ``url`` or ``CITYLOOP_MQTT_URL`` (``mqtt://host:port``)."""
    parts = urlsplit(url or os.environ.get("CITYLOOP_MQTT_URL") or DEFAULT_URL)
    return parts.hostname or "127.0.0.1", parts.port or 1883


def broker_credentials(url: str | None = None) -> tuple[str | None, str | None]:
    """User name and password of ``mqtt://user:password@host:port`` (a broker that
    authenticates its clients, as the Alink door requires), else ``(None, None)``."""
    parts = urlsplit(url or os.environ.get("CITYLOOP_MQTT_URL") or DEFAULT_URL)
    user, password = parts.username, parts.password
    return (unquote(user) if user else None), (unquote(password) if password else None)


@dataclass
class Received:
    mid: int
    qos: int
    topic: str
    payload: bytes
    token: str | None
    connection: int = 0  # which connection delivered it (``Worker.connection``)


@dataclass
class Totals:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    records: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)

    def add(self, size: int, outcome: pipeline.Outcome) -> None:
        self.messages += size
        self.batches += 1
        self.accepted += outcome.accepted
        self.duplicates += outcome.duplicates
        self.quarantined += outcome.quarantined
        self.records += outcome.records

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return (
            f"messages={self.messages} accepted={self.accepted} duplicates={self.duplicates} "
            f"quarantined={self.quarantined} records={self.records} batches={self.batches} "
            f"seconds={elapsed:.1f} records_per_s={self.records / elapsed:.0f}"
        )


def _levels(topic: str, root: str) -> list[str] | None:
    """``[device code, kind]`` of ``{root}/{code}/{kind}``, else None."""
    if not topic.startswith(root + "/"):
        return None
    levels = topic[len(root) + 1 :].split("/")
    return levels if len(levels) == 2 else None


def to_raw(messages: list[Received], root: str = TOPIC_ROOT) -> list[pipeline.Raw]:
    """Authenticate each message by topic and token (one query for the batch) into ``Raw``."""
    codes = {levels[0] for m in messages if (levels := _levels(m.topic, root))}
    devices = {d.code: d for d in Device.objects.filter(code__in=codes)} if codes else {}
    return [_raw(m, devices, root) for m in messages]


def _raw(message: Received, devices: dict[str, Device], root: str) -> pipeline.Raw:
    try:
        text = message.payload.decode("utf-8")
    except UnicodeDecodeError:
        text = message.payload.decode("utf-8", errors="replace")
        return _refused(text, None, QuarantineReason.INVALID_JSON, "not UTF-8")
    raw = pipeline._parse(text)
    levels = _levels(message.topic, root)
    if levels is None:
        return _refused(text, raw.value, QuarantineReason.ENVELOPE, f"topic: {message.topic}")
    code, kind = levels
    if isinstance(raw.value, dict):
        raw.value.setdefault("device", code)  # the topic names the device (a gateway's own)
    device = devices.get(code)
    if device is None:
        return _refused(text, raw.value, QuarantineReason.UNKNOWN_DEVICE, code)
    if not message.token or not hmac.compare_digest(token_hash(message.token), device.token_hash):
        return _refused(text, raw.value, QuarantineReason.WRONG_TOKEN, code)
    if not device.is_active:
        return _refused(text, raw.value, QuarantineReason.DEVICE_DISABLED, code)
    raw.sender = device
    if kind not in pipeline.MESSAGE_KINDS:
        raw.refusal = pipeline.Refused(QuarantineReason.ENVELOPE, f"topic kind: {kind}")
    # The topic names the kind; a payload naming another one is refused, not re-labelled.
    elif isinstance(raw.value, dict) and raw.value.setdefault("kind", kind) != kind:
        raw.refusal = pipeline.Refused(
            QuarantineReason.ENVELOPE, f"kind {raw.value['kind']} on topic kind {kind}"
        )
    return raw


def _refused(text: str, value, reason: QuarantineReason, detail: str) -> pipeline.Raw:
    return pipeline.Raw(text=text, value=value, refusal=pipeline.Refused(reason, detail))


class Worker:
    """One consumer: connect, subscribe, then store and acknowledge batches until ``stop``."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        group: str,
        client_id: str,
        batch: int = 1000,
        max_wait_ms: int = 200,
        progress: Callable[[str], None] = print,
        progress_every: float = 5.0,
        session_expiry: int = SESSION_EXPIRY,
        root: str = TOPIC_ROOT,
        alink_root: str | None = None,
        credentials: tuple[str | None, str | None] = (None, None),
        max_batch_bytes: int = MAX_BATCH_BYTES,
        retries: int = DB_RETRIES,
        subscribe_timeout: float = 30.0,
        stall_timeout: float = 60.0,
    ) -> None:
        # A worker that cannot make progress exits (ConnectionError) so that its supervisor
        # restarts it: no subscription within ``subscribe_timeout`` of connecting, or no
        # broker connection for ``stall_timeout`` seconds.
        self.subscribe_timeout, self.stall_timeout = subscribe_timeout, stall_timeout
        self.connected = threading.Event()
        self.disconnected_at: float | None = None
        self.resumed = False
        self.connect_started = time.monotonic()
        self.credentials = credentials
        # A batch ends at ``batch`` messages or ``max_batch_bytes`` of payload, whichever
        # comes first; the queue holds at most twice either (memory is bounded by both).
        self.max_batch_bytes, self.queue_bytes_limit = max_batch_bytes, 2 * max_batch_bytes
        self.queued_bytes = 0
        self.room = threading.Condition()
        self.retries = retries
        self.root = root
        self.alink_root = alink_root  # None: the Alink door is closed (Alink section below)
        self.session_expiry = session_expiry
        self.host, self.port, self.group, self.client_id = host, port, group, client_id
        self.batch, self.max_wait = batch, max_wait_ms / 1000
        self.progress, self.progress_every = progress, progress_every
        self.limit = min(65535, 2 * batch)
        self.queue: queue.Queue[Received] = queue.Queue(maxsize=self.limit)
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.connection = 0  # counts connections: packet ids are only valid on their own
        self.totals = Totals()
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if self.credentials[0]:
            client.username_pw_set(*self.credentials)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.progress(f"mqtt: connection refused: {reason_code}")
            return
        # Packet ids belong to one connection: what an earlier one delivered is not
        # acknowledged on this one (the broker sends it again; see ``_store``).
        self.connection += 1
        self.disconnected_at = None
        self.resumed = bool(flags.session_present)
        self.connected.set()
        resumed = "resumed" if flags.session_present else "new"
        self.progress(f"mqtt: connected to {self.host}:{self.port} ({resumed} session)")
        options = mqtt.SubscribeOptions(qos=1)
        client.subscribe([(topic, options) for topic in self._topics()])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.progress(f"mqtt: subscribed to {' '.join(self._topics())}")
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self.disconnected_at is None:
            self.disconnected_at = time.monotonic()
        if not self.stopping.is_set():
            self.progress(f"mqtt: disconnected ({reason_code}); reconnecting")

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        token = None
        for key, value in getattr(message.properties, "UserProperty", None) or []:
            if key == "token":
                token = value
        received = Received(
            message.mid, message.qos, message.topic, message.payload, token, self.connection
        )
        size = len(message.payload)
        # Blocks paho's network thread when full (in messages or in bytes): it stops reading
        # the socket, the broker keeps the rest (backpressure).
        with self.room:
            while (
                self.queued_bytes
                and self.queued_bytes + size > self.queue_bytes_limit
                and not self.stopping.is_set()
            ):
                self.room.wait(0.5)
            self.queued_bytes += size
        while not self.stopping.is_set():
            try:
                self.queue.put(received, timeout=0.5)
                return
            except queue.Full:
                continue

    def connect(self, timeout: float = 10.0) -> None:
        """Connect (resuming the session of the same client id) and wait for the broker's answer.

        Not for the subscription: on a resumed session the broker first sends the previous
        connection's unacknowledged window again and only then the SUBACK, so the worker must
        already be consuming (``run`` watches for the SUBACK)."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.limit
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.connect_started = time.monotonic()
        try:
            self.client.connect(
                self.host, self.port, keepalive=60, clean_start=False, properties=properties
            )
        except OSError as error:
            raise ConnectionError(
                f"cannot make progress: no broker at {self.host}:{self.port} ({error})"
            ) from error
        self.client.loop_start()
        if not self.connected.wait(timeout):
            self._halt()
            raise ConnectionError(
                f"cannot make progress: no answer from {self.host}:{self.port} in {timeout} s"
            )
        # A new session has no backlog: its SUBACK comes at once, and a caller may publish
        # as soon as this returns. A resumed one already holds its subscription.
        if not self.resumed and not self.subscribed.wait(timeout):
            self._halt()
            raise ConnectionError(
                f"cannot make progress: no subscription on {self.host}:{self.port} in {timeout} s"
            )

    def _halt(self) -> None:
        """Stop paho's thread; ``stopping`` first, so that a blocked ``_on_message`` returns."""
        self.stopping.set()
        with self.room:
            self.room.notify_all()
        self.client.disconnect()
        self.client.loop_stop()

    def _check_progress(self) -> None:
        """Raise ``ConnectionError`` when the worker cannot make progress (see __init__)."""
        now = time.monotonic()
        if not self.subscribed.is_set() and now - self.connect_started > self.subscribe_timeout:
            raise ConnectionError(
                f"cannot make progress: no subscription on {self.host}:{self.port} "
                f"in {self.subscribe_timeout:g} s"
            )
        if self.disconnected_at is not None and now - self.disconnected_at > self.stall_timeout:
            raise ConnectionError(
                f"cannot make progress: no broker connection for {self.stall_timeout:g} s"
            )

    def run(self, until: Callable[[Totals], bool] | None = None) -> Totals:
        """Store batches until ``stop`` (SIGTERM) or ``until(totals)``; then disconnect."""
        if not self.connected.is_set():
            self.connect()
        last_progress = time.monotonic()
        try:
            while not self.stopping.is_set() and not (until and until(self.totals)):
                self._check_progress()
                batch = self._take()
                if batch:
                    self._store(batch)
                if time.monotonic() - last_progress >= self.progress_every and batch:
                    self.progress(f"mqtt: {self.totals.line()}")
                    last_progress = time.monotonic()
            # Stop reading, then store and acknowledge what is already here.
            while batch := self._take(wait=False):
                self._store(batch)
        finally:
            self._halt()
        return self.totals

    def stop(self, *_args) -> None:
        self.stopping.set()

    def _take(self, wait: bool = True) -> list[Received]:
        batch: list[Received] = []
        size = 0
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.batch and size < self.max_batch_bytes:
            remaining = deadline - time.monotonic()
            if not wait or remaining <= 0 or self.stopping.is_set():
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            else:
                try:
                    batch.append(self.queue.get(timeout=min(remaining, 0.5)))
                except queue.Empty:
                    continue
            size += len(batch[-1].payload)
        if size:
            with self.room:
                self.queued_bytes -= size
                self.room.notify_all()
        return batch

    def _store(self, batch: list[Received]) -> None:
        """Store ``batch`` in one transaction, then acknowledge it. A message that fails on its
        own is quarantined as ``failed`` by ``ingest.ingest`` (the rest is stored and all is
        acknowledged). A database error that remains (the connection's) retries the whole batch
        after 0.5, 1, 2 … s (``retries`` times), then is raised: the command exits non-zero with
        nothing of the batch acknowledged, so the broker delivers it again (docs/devices.md,
        MQTT worker)."""
        for attempt in range(self.retries + 1):
            if not connection.in_atomic_block:  # (a test's transaction is left alone)
                close_old_connections()
            try:
                outcome = pipeline.ingest(
                    messages=(raws := self._to_raw(batch))
                )  # one transaction, committed here
                break
            except DatabaseError as error:
                if attempt == self.retries or connection.in_atomic_block:
                    raise
                delay = 0.5 * 2**attempt
                self.progress(f"mqtt: database error ({error}); retrying in {delay:g} s")
                connection.close()
                if self.stopping.wait(delay):
                    raise
        for message in batch:
            # A message of an earlier connection is stored but not acknowledged: after a
            # reconnection the broker resends unacknowledged messages under their packet id and
            # may give an acknowledged id to another message, so acknowledging the stale copy
            # could acknowledge a message not yet stored. The resent copy is a duplicate,
            # acknowledged when its batch is stored.
            if message.connection == self.connection:
                self.client.ack(message.mid, message.qos)
        self._alink_replies(batch, raws, outcome)
        self.totals.add(len(batch), outcome)

    # --- Alibaba Cloud Alink property posts (cityloop.devices.adapters; opt-in: --alink) -------

    def _topics(self) -> list[str]:
        topics = [shared_topic(self.group, self.root)]
        if self.alink_root is not None:
            topics.append(adapters.alink_shared_topic(self.group, self.alink_root))
        return topics

    def _to_raw(self, batch: list[Received]) -> list[pipeline.Raw]:
        if self.alink_root is None:
            return to_raw(batch, self.root)
        return adapters.mixed_to_raw(batch, lambda own: to_raw(own, self.root), self.alink_root)

    def _alink_replies(self, batch: list[Received], raws, outcome: pipeline.Outcome) -> None:
        """After the commit: ``…/post_reply`` (QoS 0) for each Alink message of the batch."""
        if self.alink_root is None:
            return
        for message, raw, result in zip(batch, raws, outcome.results, strict=True):
            if adapters.alink_device_name(message.topic, self.alink_root) is not None:
                reply = adapters.alink_reply(raw, result)
                self.client.publish(adapters.alink_reply_topic(message.topic), reply, qos=0)


def forget_session(host: str, port: int, client_id: str) -> None:
    """End the broker's session of ``client_id`` (a retired worker; tests clean up)."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    client.connect(host, port, clean_start=True, properties=properties)
    client.loop_start()
    deadline = time.monotonic() + 5
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.01)
    client.disconnect()
    client.loop_stop()


def default_client_id(group: str) -> str:
    """Stable across restarts of the same worker (so the broker keeps its session)."""
    return f"cityloop-ingest-{group}-{socket.gethostname()}"


def envelope(message_id: str, record: dict) -> bytes:
    """A one-record payload as a device would publish it (tests, bench)."""
    return json.dumps({"id": message_id, "record": record}, ensure_ascii=False).encode()
