"""The MQTT door of the ingestion pipeline (issue 5 §2): ``cityloop ingest_mqtt``.

A device publishes one message (the same JSON envelope as over HTTP, ``kind`` and ``device``
optional) with QoS 1 on ``cityloop/{device_code}/{kind}`` and its token in the MQTT 5 user
property ``token``. Workers subscribe to ``$share/<group>/cityloop/+/+`` so that several of them
split one stream. paho's network thread puts each message in a bounded queue; the main thread
takes batches (up to ``batch`` messages or ``max_wait_ms``), stores them with the one pipeline
function ``ingest.ingest`` and only after the commit acknowledges them (``manual_ack``), in the
order received. A crash between commit and ack means the broker redelivers: the message ids make
that a duplicate, stored once. A refused message is quarantined and acknowledged like any other.

Memory is bounded twice: the broker sends at most ``receive_maximum`` unacknowledged messages
(MQTT 5 Receive Maximum, set to twice the batch) and the queue holds as many; when the database
is slow nothing is acknowledged, so the broker stops sending and keeps the rest in the session.
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
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cityloop.devices import ingest as pipeline
from cityloop.devices.choices import MessageKind, QuarantineReason
from cityloop.devices.models import Device
from cityloop.devices.tokens import token_hash

TOPIC_ROOT = "cityloop"
DEFAULT_URL = "mqtt://127.0.0.1:1883"
SESSION_EXPIRY = 24 * 3600  # seconds the broker keeps a stopped worker's queued messages


def shared_topic(group: str, root: str = TOPIC_ROOT) -> str:
    return f"$share/{group}/{root}/+/+"


def broker_address(url: str | None = None) -> tuple[str, int]:
    """Host and port from ``url`` or ``CITYLOOP_MQTT_URL`` (``mqtt://host:port``)."""
    parts = urlsplit(url or os.environ.get("CITYLOOP_MQTT_URL") or DEFAULT_URL)
    return parts.hostname or "127.0.0.1", parts.port or 1883


@dataclass
class Received:
    mid: int
    qos: int
    topic: str
    payload: bytes
    token: str | None


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
    if kind not in MessageKind.values:
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
    ) -> None:
        self.root = root
        self.session_expiry = session_expiry
        self.host, self.port, self.group, self.client_id = host, port, group, client_id
        self.batch, self.max_wait = batch, max_wait_ms / 1000
        self.progress, self.progress_every = progress, progress_every
        self.limit = min(65535, 2 * batch)
        self.queue: queue.Queue[Received] = queue.Queue(maxsize=self.limit)
        self.stopping = threading.Event()
        self.subscribed = threading.Event()
        self.totals = Totals()
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.progress(f"mqtt: connection refused: {reason_code}")
            return
        resumed = "resumed" if flags.session_present else "new"
        self.progress(f"mqtt: connected to {self.host}:{self.port} ({resumed} session)")
        client.subscribe(shared_topic(self.group, self.root), options=mqtt.SubscribeOptions(qos=1))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        self.progress(f"mqtt: subscribed to {shared_topic(self.group, self.root)}")
        self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if not self.stopping.is_set():
            self.progress(f"mqtt: disconnected ({reason_code}); reconnecting")

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        token = None
        for key, value in getattr(message.properties, "UserProperty", None) or []:
            if key == "token":
                token = value
        received = Received(message.mid, message.qos, message.topic, message.payload, token)
        # Blocks paho's network thread when full: it stops reading the socket (backpressure).
        while not self.stopping.is_set():
            try:
                self.queue.put(received, timeout=0.5)
                return
            except queue.Full:
                continue

    def connect(self, timeout: float = 10.0) -> None:
        """Connect (resuming the session of the same client id) and wait for the subscription."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.limit
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.connect(
            self.host, self.port, keepalive=60, clean_start=False, properties=properties
        )
        self.client.loop_start()
        if not self.subscribed.wait(timeout):
            self.client.loop_stop()
            raise ConnectionError(f"no subscription on {self.host}:{self.port} in {timeout} s")

    def run(self, until: Callable[[Totals], bool] | None = None) -> Totals:
        """Store batches until ``stop`` (SIGTERM) or ``until(totals)``; then disconnect."""
        if not self.subscribed.is_set():
            self.connect()
        last_progress = time.monotonic()
        try:
            while not self.stopping.is_set() and not (until and until(self.totals)):
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
            self.client.disconnect()
            self.client.loop_stop()
        return self.totals

    def stop(self, *_args) -> None:
        self.stopping.set()

    def _take(self, wait: bool = True) -> list[Received]:
        batch: list[Received] = []
        deadline = time.monotonic() + self.max_wait
        while len(batch) < self.batch:
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
        return batch

    def _store(self, batch: list[Received]) -> None:
        if not connection.in_atomic_block:  # (a test's transaction is left alone)
            close_old_connections()
        outcome = pipeline.ingest(
            messages=to_raw(batch, self.root)
        )  # one transaction, committed here
        for message in batch:
            self.client.ack(message.mid, message.qos)
        self.totals.add(len(batch), outcome)


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
