"""The MQTT door against the Mosquitto on 127.0.0.1:1883 (marker ``mqtt``; see conftest.py).

Most tests run the worker in the test's own thread (``Worker.run(until=…)``) so that it stores
through the test's database connection and transaction. The kill-and-restart test needs a
process it can SIGKILL: it runs ``cityloop ingest_mqtt`` as a subprocess on a committed database
(``transaction=True``): on PostgreSQL the test database itself, on SQLite a file copy of the
in-memory test database (SQLite's backup API), read back with ``sqlite3``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import paho.mqtt.client as mqtt
import pytest
from django.db import connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cityloop.devices import mqtt as door
from cityloop.devices.choices import QuarantineReason
from cityloop.devices.models import Message, QuarantinedMessage, Record
from cityloop.devices.tests.conftest import T

pytestmark = pytest.mark.mqtt

HOST, PORT = door.broker_address()
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def names():
    """A fresh shared-subscription group and client ids; their broker sessions end afterwards."""
    tag = uuid.uuid4().hex[:10]
    # A topic root of its own: another suite running on the same broker sees none of it.
    ids = {"group": f"test-{tag}", "worker": f"w-{tag}", "publisher": f"p-{tag}"}
    ids["root"] = f"test-{tag}/cityloop"
    yield ids
    for key in ("worker", "publisher"):
        door.forget_session(HOST, PORT, ids[key])


def publisher(client_id: str) -> mqtt.Client:
    """A device-side client with a persistent session (its unacknowledged publishes survive)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 300
    client.max_queued_messages_set(0)
    client.connect(HOST, PORT, clean_start=False, properties=properties)
    client.loop_start()
    return client


def publish(client, topic: str, payload, token: str | None):
    properties = Properties(PacketTypes.PUBLISH)
    if token is not None:
        properties.UserProperty = ("token", token)
    if not isinstance(payload, bytes):
        payload = json.dumps(payload).encode()
    return client.publish(topic, payload, qos=1, properties=properties)


def make_worker(names) -> door.Worker:
    return door.Worker(
        host=HOST,
        port=PORT,
        group=names["group"],
        client_id=names["worker"],
        batch=50,
        max_wait_ms=50,
        progress=lambda line: None,
        session_expiry=300,
        root=names["root"],
    )


def consume(worker: door.Worker, count: int, timeout: float = 20.0) -> door.Totals:
    deadline = time.monotonic() + timeout
    totals = worker.run(until=lambda t: t.messages >= count or time.monotonic() > deadline)
    assert totals.messages == count, totals.line()
    return totals


@pytest.fixture
def through_mqtt(station, names):
    """Publish ``[(topic, payload, token)]`` and run a worker until all of them are handled."""

    def _send(items: list[tuple[str, object, str | None]]) -> door.Totals:
        worker = make_worker(names)
        worker.connect()
        client = publisher(names["publisher"])
        try:
            for item in items:
                publish(client, *item).wait_for_publish(5)
        finally:
            client.disconnect()
            client.loop_stop()
        return consume(worker, len(items))

    return _send


KINDS = {
    "disposal": ("scale", {"card": "C-1", "bin_type": "kitchen", "weight_kg": 1.5}),
    "ai_alarm": ("camera", {"alarm": "overflow", "confidence": 0.9, "snapshot": "s3://a.jpg"}),
    "fill_level": ("sensor", {"bin_rfid": "BIN-K-1", "bin_type": "kitchen", "level": 0.85}),
    "truck_collection": ("truck", {"bin_rfid": "BIN-K-1", "weight_kg": 88.5, "sorting_score": 9}),
    "plant_intake": (
        "weighbridge",
        {"plate": "粤B12345", "gross_kg": 15000, "tare_kg": 9000, "net_kg": 6000},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_is_stored_through_mqtt(station, names, through_mqtt, kind):
    role, record = KINDS[kind]
    device, token = getattr(station, role), getattr(station, f"{role}_token")
    payload = {"id": f"{kind}-1", "record": {"time": T, **record}}

    totals = through_mqtt([(f"{names['root']}/{device.code}/{kind}", payload, token)])

    assert (totals.accepted, totals.quarantined) == (1, 0), QuarantinedMessage.objects.first()
    stored = Record.objects.get()
    assert (stored.kind, stored.device, stored.message_id) == (kind, device, f"{kind}-1")


@pytest.mark.django_db
def test_a_message_the_database_refuses_is_quarantined_and_the_stream_goes_on(
    station, names, through_mqtt
):
    good = {"id": "ok", "record": {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}}
    scale = f"{names['root']}/{station.scale.code}/disposal"
    poison = {**good, "id": "bad\ud800"}  # JSON text can carry a lone surrogate; no column can

    totals = through_mqtt(
        [(scale, poison, station.scale_token), (scale, good, station.scale_token)]
    )

    assert (totals.messages, totals.accepted, totals.quarantined) == (2, 1, 1)
    assert Record.objects.get().message_id == "ok"
    failed = QuarantinedMessage.objects.get()
    assert failed.reason == QuarantineReason.FAILED
    assert failed.detail and "bad" in failed.raw


@pytest.mark.django_db
def test_a_repeated_message_id_is_stored_once(station, names, through_mqtt):
    payload = {"id": "d-1", "record": {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}}
    topic = f"{names['root']}/{station.scale.code}/disposal"

    totals = through_mqtt([(topic, payload, station.scale_token)] * 3)

    assert (totals.accepted, totals.duplicates) == (1, 2)
    assert Message.objects.count() == Record.objects.count() == 1


@pytest.mark.django_db
def test_refused_messages_are_quarantined_with_their_reason_and_the_good_ones_land(
    station, names, through_mqtt
):
    good = {"id": "ok", "record": {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}}
    scale = f"{names['root']}/{station.scale.code}/disposal"

    totals = through_mqtt(
        [
            (scale, {**good, "id": "no-token"}, None),
            (scale, {**good, "id": "camera-token"}, station.camera_token),
            (f"{names['root']}/NOPE/disposal", {**good, "id": "unknown"}, station.scale_token),
            (scale, b"{not json", station.scale_token),
            (scale, {**good, "id": "bad", "record": {"time": T}}, station.scale_token),
            (
                f"{names['root']}/{station.sensor.code}/fill_level",
                {**good, "id": "k"},
                station.sensor_token,
            ),
            (scale, good, station.scale_token),
        ]
    )

    assert (totals.accepted, totals.quarantined) == (1, 6)
    assert Record.objects.get().message_id == "ok"
    reasons = dict(QuarantinedMessage.objects.values_list("message_id", "reason"))
    assert reasons == {
        "no-token": QuarantineReason.WRONG_TOKEN,
        "camera-token": QuarantineReason.WRONG_TOKEN,
        "unknown": QuarantineReason.UNKNOWN_DEVICE,
        "": QuarantineReason.INVALID_JSON,
        "bad": QuarantineReason.SCHEMA,
        "k": QuarantineReason.SCHEMA,  # a disposal record is not a fill-level record
    }
    unknown = QuarantinedMessage.objects.get(message_id="unknown")
    assert (unknown.sender, unknown.device_code) == (None, "NOPE")
    assert "token" not in unknown.raw  # the token travels as a user property, never stored


# --- kill and restart -------------------------------------------------------------------------

N = 500


def _worker_database(tmp_path: Path) -> tuple[str, object]:
    """The database URL for a worker process, and a function counting stored message ids."""
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)

        def stored() -> list[str]:
            with sqlite3.connect(path, timeout=30) as db:
                return [row[0] for row in db.execute("SELECT message_id FROM devices_message")]

        return f"sqlite:///{path}", stored
    s = connection.settings_dict
    user, password = quote(s["USER"] or "", safe=""), quote(s["PASSWORD"] or "", safe="")
    url = f"postgres://{user}:{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}"
    return f"{url}/{s['NAME']}", lambda: list(Message.objects.values_list("message_id", flat=True))


def _start_worker(database_url: str, names) -> subprocess.Popen:
    env = {**os.environ, "CITYLOOP_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    command = [str(VENV_BIN / "cityloop"), "ingest_mqtt", "--group", names["group"]]
    command += ["--topic-root", names["root"]]
    command += ["--client-id", names["worker"], "--batch", "20", "--max-wait-ms", "20"]
    process = subprocess.Popen(
        [*command, "--progress-every", "0.5"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in process.stdout:  # wait until it is subscribed
        if "subscribed" in line:
            return process
    raise AssertionError(f"the worker exited before subscribing ({process.wait()})")


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_loses_nothing_and_stores_each_message_once(station, names, tmp_path):
    database_url, stored = _worker_database(tmp_path)
    worker = _start_worker(database_url, names)
    topic, token = f"{names['root']}/{station.scale.code}/disposal", station.scale_token
    client = publisher(names["publisher"])
    infos = []

    def stream() -> None:
        for i in range(N):
            record = {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}
            infos.append(publish(client, topic, {"id": f"n{i:04d}", "record": record}, token))
            time.sleep(0.004)

    sender = threading.Thread(target=stream)
    sender.start()
    try:
        _wait(lambda: len(stored()) >= N // 5, 60, "the worker stored nothing")
        worker.send_signal(signal.SIGKILL)  # in the middle of the stream and of a batch
        worker.wait(10)
        killed_at = len(stored())
        assert killed_at < N, "the stream ended before the kill; slow the publisher down"
        time.sleep(0.5)
        worker = _start_worker(database_url, names)
        sender.join(60)
        for info in infos:
            info.wait_for_publish(10)
        _wait(lambda: len(stored()) >= N, 60, f"stored {len(stored())} of {N}")
        time.sleep(0.5)  # redeliveries of the killed worker's unacknowledged messages
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        client.disconnect()
        client.loop_stop()
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    ids = stored()
    assert len(ids) == len(set(ids)) == N
    assert set(ids) == {f"n{i:04d}" for i in range(N)}
    assert worker.returncode == 0, output
    assert "mqtt: done messages=" in output, output
    assert 0 < killed_at < N


@pytest.mark.django_db
def test_a_slow_database_slows_the_consumer_instead_of_filling_memory(station, names, monkeypatch):
    """The worker holds at most its queue (2 × batch) and the batch being stored; the rest of
    the stream waits in the broker, and paho's thread stops reading while the queue is full."""
    worker = make_worker(names)
    worker.batch, worker.limit = 5, 10
    worker.queue = door.queue.Queue(maxsize=worker.limit)
    worker.client = worker._client()
    held, real_ingest = [], door.pipeline.ingest

    def slow_ingest(*, messages):
        time.sleep(0.2)
        held.append(worker.queue.qsize() + len(messages))
        return real_ingest(messages=messages)

    monkeypatch.setattr(door.pipeline, "ingest", slow_ingest)
    worker.connect()
    client = publisher(names["publisher"])
    topic = f"{names['root']}/{station.scale.code}/disposal"
    try:
        for i in range(40):
            record = {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}
            publish(client, topic, {"id": f"s{i}", "record": record}, station.scale_token)
        totals = consume(worker, 40)
    finally:
        client.disconnect()
        client.loop_stop()

    assert totals.accepted == 40
    assert max(held) <= worker.limit + worker.batch
    assert max(held) == worker.limit + worker.batch  # the bound was reached: the queue was full
