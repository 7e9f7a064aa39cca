"""A worker that cannot make progress exits non-zero, so that its supervisor restarts it: the
broker gone for longer than ``--stall-timeout``, or no broker at all; and a worker killed behind
an unpaced burst drains the backlog when it comes back (marker ``mqtt``). The
tests run a Mosquitto of their own on a port of their own (configured as docs/devices.md asks a
production broker to be), so that they can kill it and so that its queues are their own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from cityloop.devices.models import Record
from cityloop.devices.tests.conftest import T
from cityloop.devices.tests.test_mqtt import VENV_BIN, _wait, _worker_database

pytestmark = pytest.mark.mqtt

CONF = """
listener {port} 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
max_queued_messages 0
max_queued_bytes 0
persistence false
log_dest none
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker(tmp_path):
    if shutil.which("mosquitto") is None:
        pytest.fail("mosquitto is not installed (apt-get install mosquitto)")
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(CONF.format(port=port))
    mosquitto = shutil.which("mosquitto")
    process = subprocess.Popen([mosquitto, "-c", str(conf)], stderr=subprocess.DEVNULL)

    def up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    _wait(up, 10, "mosquitto did not start")
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait(10)


def _worker(
    database_url: str, port: int, log: Path, *, group: str = "backlog", options: tuple = ()
) -> subprocess.Popen:
    """``cityloop ingest_mqtt`` on our broker, its output appended to ``log``; the same client id
    for a group, so that a restart resumes the session."""
    env = {**os.environ, "CITYLOOP_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    command = [str(VENV_BIN / "cityloop"), "ingest_mqtt", "--port", str(port)]
    command += ["--group", group, "--client-id", f"{group}-w1", "--progress-every", "1"]
    return subprocess.Popen(
        [*command, *options], env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
    )


STALL_OPTIONS = ("--subscribe-timeout", "10", "--stall-timeout", "10")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_loses_its_broker_exits_non_zero(station, broker, tmp_path):
    process, port = broker
    database_url, _stored = _worker_database(tmp_path)
    log = tmp_path / "worker.log"
    worker = _worker(database_url, port, log, options=STALL_OPTIONS)
    try:
        _wait(lambda: "subscribed" in log.read_text(), 30, "the worker did not subscribe")
        process.kill()  # the broker goes away and does not come back
        code = worker.wait(60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code != 0
    assert "cannot make progress" in log.read_text()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_finds_no_broker_exits_non_zero(station, tmp_path):
    database_url, _stored = _worker_database(tmp_path)
    log = tmp_path / "worker.log"
    worker = _worker(database_url, _free_port(), log, options=STALL_OPTIONS)
    try:
        code = worker.wait(60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code != 0


# --- an unpaced burst, a kill while the worker is behind, a restart ---------------------------

BURST = 100_000
PUBLISHERS = 4  # devices publishing at once; see ``_burst``


def _burst(port: int, topic: str, token: str, count: int) -> tuple[threading.Thread, list[int]]:
    """Publish ``count`` one-record messages at QoS 1 as fast as the broker takes them, from
    ``PUBLISHERS`` clients (the thread ends when the broker has acknowledged every one).

    Several clients, because one paho client cannot hold more than 65,535 unacknowledged QoS 1
    messages: packet ids are 16 bits, paho keys its outgoing messages by id, and the 65,536th
    replaces the first unsent one (seen: the broker received m1 … m65535, m1, then nothing);
    ``mosquitto_pub -l`` fails the same way, disconnecting when the first message that has the
    last one's packet id is acknowledged. A device never has that many outstanding; several
    devices at once are the real burst."""
    acked = [0] * PUBLISHERS

    def run() -> None:
        clients, done = [], []
        for k in range(PUBLISHERS):
            finished = threading.Event()
            share = count // PUBLISHERS + (k < count % PUBLISHERS)

            def on_publish(client, userdata, mid, reason, properties, k=k, f=finished, n=share):
                acked[k] += 1
                if acked[k] == n:
                    f.set()

            client = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2, client_id=f"burst-{k}", protocol=mqtt.MQTTv5
            )
            client.max_inflight_messages_set(1000)
            client.max_queued_messages_set(0)
            client.on_publish = on_publish
            client.connect("127.0.0.1", port)
            client.loop_start()
            clients.append(client)
            done.append(finished)
        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = ("token", token)
        record = f'"record": {{"time": "{T}", "bin_type": "kitchen", "weight_kg": 1.0}}'
        for i in range(count):
            payload = f'{{"id": "b{i:06d}", {record}}}'.encode()
            clients[i % PUBLISHERS].publish(topic, payload, qos=1, properties=properties)
        for finished in done:
            finished.wait(180)
        for client in clients:
            client.disconnect()
            client.loop_stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, acked


def _records(database_url: str) -> int:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute("SELECT COUNT(*) FROM devices_record").fetchone()[0]
    return Record.objects.count()


def _burst_worker(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """The production command with its default batch (1,000) and flow control."""
    return _worker(database_url, port, log, group="burst")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_behind_a_burst_drains_it_after_a_restart(station, broker, tmp_path):
    _process, port = broker
    database_url, stored = _worker_database(tmp_path)
    log = tmp_path / "worker.log"
    worker = _burst_worker(database_url, port, log)
    try:
        _wait(lambda: "subscribed" in log.read_text(), 30, "the worker did not subscribe")
        topic = f"cityloop/{station.scale.code}/disposal"
        sender, acked = _burst(port, topic, station.scale_token, BURST)
        _wait(lambda: _records(database_url) >= BURST // 5, 120, "the worker stored nothing")
        worker.send_signal(signal.SIGKILL)  # while it is behind the burst
        worker.wait(10)
        killed_at = _records(database_url)
        log.open("a").write(f"-- killed at {killed_at} records\n")
        worker = _burst_worker(database_url, port, log)  # the same client id: a resumed session
        sender.join(180)
        assert sum(acked) == BURST, f"the broker acknowledged {sum(acked)} of {BURST}"
        _wait(
            lambda: _records(database_url) >= BURST,
            180,
            f"stored {_records(database_url)} of {BURST} records after the restart",
        )
        time.sleep(1)  # redeliveries of what the killed worker had not acknowledged
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    output = log.read_text()
    ids = stored()
    assert len(ids) == len(set(ids)) == BURST
    assert set(ids) == {f"b{i:06d}" for i in range(BURST)}
    assert _records(database_url) == BURST  # every record exactly once
    assert killed_at <= BURST - BURST // 5, f"the worker was not behind: {killed_at} stored"
    assert output.count("resumed session") == 1, output[-2000:]
    assert code == 0, output[-2000:]
