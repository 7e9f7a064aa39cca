"""The MQTT worker's bounds and failures (marker ``mqtt``): batches end at a byte budget as well
as a message count, a database error retries the batch and acknowledges nothing before it is
stored, and a worker that gives up leaves its batch to the broker for the next one."""

from __future__ import annotations

import json

import pytest
from django.core.management import get_commands, load_command_class
from django.db import OperationalError

from cityloop.devices import mqtt as door
from cityloop.devices.management.commands.ingest_mqtt import Command
from cityloop.devices.models import Message, Record
from cityloop.devices.tests.conftest import T
from cityloop.devices.tests.test_mqtt import consume, make_worker, names, publish, publisher

__all__ = ["names"]  # the fixture, imported for these tests

RECORD = {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}


def test_commands_have_one_spelling_with_underscores():
    commands = get_commands()
    assert commands["ingest_mqtt"] == "cityloop.devices"
    assert isinstance(load_command_class("cityloop.devices", "ingest_mqtt"), Command)
    assert [name for name in commands if "-" in name] == []


def _publish(station, names, count: int, records: int = 1) -> None:
    client = publisher(names["publisher"])
    topic = f"{names['root']}/{station.scale.code}/disposal"
    try:
        for i in range(count):
            payload = {"id": f"b{i}", "records": [RECORD] * records}
            publish(client, topic, payload, station.scale_token).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.mark.mqtt
@pytest.mark.django_db
def test_a_batch_ends_at_its_byte_budget(station, names, monkeypatch):
    size = len(json.dumps({"id": "b00", "records": [RECORD] * 20}))
    worker = make_worker(names)  # 50 messages per batch
    worker.max_batch_bytes, worker.queue_bytes_limit = 3 * size, 6 * size
    sizes, queued, real_ingest = [], [], door.pipeline.ingest

    def spy(*, messages):
        sizes.append(sum(len(m.text.encode()) for m in messages))
        queued.append(worker.queued_bytes)
        return real_ingest(messages=messages)

    monkeypatch.setattr(door.pipeline, "ingest", spy)
    worker.connect()
    _publish(station, names, 12, records=20)

    totals = consume(worker, 12)

    assert (totals.accepted, totals.records) == (12, 240)
    assert max(sizes) <= 3 * size + size  # the budget, plus the message that crossed it
    assert len(sizes) >= 3  # 12 messages of `size` bytes: batches of 4 at most, not one of 12
    assert max(queued) <= worker.queue_bytes_limit


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_error_retries_the_batch_and_loses_nothing(station, names, monkeypatch):
    worker = make_worker(names)
    worker.retries = 2
    attempts, acked, real_ingest = [], [], door.pipeline.ingest

    def flaky(*, messages):
        attempts.append(len(messages))
        if len(attempts) <= 2:
            assert not acked  # nothing acknowledged while the batch is not stored
            raise OperationalError("database is locked")
        return real_ingest(messages=messages)

    monkeypatch.setattr(door.pipeline, "ingest", flaky)
    real_ack = worker.client.ack
    monkeypatch.setattr(
        worker.client, "ack", lambda mid, qos: (acked.append(mid), real_ack(mid, qos))
    )
    worker.connect()
    _publish(station, names, 10)

    totals = consume(worker, 10)

    assert totals.accepted == 10 and Record.objects.count() == 10
    assert len(attempts) >= 3 and attempts[0] == attempts[1] == attempts[2]  # the same batch
    assert len(acked) == 10


@pytest.mark.mqtt
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_gives_up_leaves_its_batch_to_the_broker(station, names, monkeypatch):
    failing = make_worker(names)
    failing.retries = 0

    def down(*, messages):
        raise OperationalError("no database")

    monkeypatch.setattr(door.pipeline, "ingest", down)
    failing.connect()
    _publish(station, names, 5)
    with pytest.raises(OperationalError):
        failing.run()
    monkeypatch.undo()

    again = make_worker(names)  # the same client id: the broker redelivers the session
    totals = consume(again, 5)

    assert totals.accepted == 5
    assert sorted(Message.objects.values_list("message_id", flat=True)) == [
        f"b{i}" for i in range(5)
    ]


@pytest.mark.django_db
def test_a_message_of_an_earlier_connection_is_stored_but_not_acknowledged(station):
    """Packet ids are valid on their own connection only: after a reconnection the broker
    resends what was not acknowledged and may reuse the ids of what was, so a message queued
    before the reconnection must not be acknowledged on the new one (its resent copy is)."""
    worker = door.Worker(host="127.0.0.1", port=1, group="g", client_id="c", progress=str)
    acked = []
    worker.client.ack = lambda mid, qos: acked.append(mid)
    worker.connection = 2  # reconnected once since the first message arrived
    topic = f"{door.TOPIC_ROOT}/{station.scale.code}/disposal"
    token = station.scale_token

    def received(mid: int, message_id: str, connection: int) -> door.Received:
        payload = json.dumps({"id": message_id, "record": RECORD}).encode()
        return door.Received(mid, 1, topic, payload, token, connection)

    worker._store([received(7, "old", 1), received(7, "new", 2)])

    assert acked == [7]  # once: for the message of the current connection
    assert set(Message.objects.values_list("message_id", flat=True)) == {"old", "new"}
    worker._store([received(9, "old", 2)])  # the broker's resent copy
    assert acked == [7, 9] and Message.objects.filter(message_id="old").count() == 1
