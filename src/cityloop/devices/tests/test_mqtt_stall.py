"""A worker that cannot make progress exits non-zero, so that its supervisor restarts it: the
broker gone for longer than ``--stall-timeout``, or no broker at all (marker ``mqtt``). The tests
run a Mosquitto of their own on a port of their own, so that they can kill it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

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


def _worker(database_url: str, port: int, log: Path) -> subprocess.Popen:
    import os

    env = {**os.environ, "CITYLOOP_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    command = [str(VENV_BIN / "cityloop"), "ingest_mqtt", "--port", str(port)]
    command += ["--group", "backlog", "--client-id", "backlog-w1", "--progress-every", "1"]
    command += ["--subscribe-timeout", "10", "--stall-timeout", "10"]
    return subprocess.Popen(command, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_loses_its_broker_exits_non_zero(station, broker, tmp_path):
    process, port = broker
    database_url, _stored = _worker_database(tmp_path)
    log = tmp_path / "worker.log"
    worker = _worker(database_url, port, log)
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
    worker = _worker(database_url, _free_port(), log)
    try:
        code = worker.wait(60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code != 0
