"""The pipeline under the doors: which messages are new is decided by the database
(``INSERT … ON CONFLICT DO NOTHING RETURNING``), only their records are stored and handed to the
roll-ups and reactions, and a replay, in the same batch, later or concurrently, adds nothing."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from cityloop.devices import hooks, ingest
from cityloop.devices.choices import QuarantineReason
from cityloop.devices.models import Message, QuarantinedMessage, Record
from cityloop.devices.tests.conftest import NOW, T, disposal
from cityloop.sorting.models import Household, HouseholdCard

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(monkeypatch):
    """The ``stored`` lists ``ingest`` hands to its listeners (``hooks``): the sorting app's
    roll-ups and reactions."""
    seen = {"rollups": [], "reactions": []}
    installed = hooks.listeners()
    assert [listener.name for listener in installed] == ["sorting.rollups", "sorting.reactions"]

    def watched(listener: hooks.Listener, into: list) -> hooks.Listener:
        def apply(stored, prepared, now):
            into.append(list(stored))
            return listener.apply(stored, prepared, now)

        return listener._replace(apply=apply)

    watching = [watched(installed[0], seen["rollups"]), watched(installed[1], seen["reactions"])]
    monkeypatch.setattr(hooks, "listeners", lambda: watching)
    return seen


def batch(prefix: str, n: int, size: int = 3) -> list[ingest.Raw]:
    records = [{"time": T, "card": "C-0001", "bin_type": "kitchen", "weight_kg": 1.0}] * size
    messages = [{"id": f"{prefix}{i}", "kind": "disposal", "records": records} for i in range(n)]
    return ingest.parse_array(json.dumps(messages))


def test_a_replayed_batch_is_all_duplicates_and_hands_nothing_on(station, handed):
    first = ingest.ingest(sender=station.scale, messages=batch("r", 4))
    again = ingest.ingest(sender=station.scale, messages=batch("r", 4))

    assert (first.accepted, first.duplicates, first.records) == (4, 0, 12)
    assert (again.accepted, again.duplicates, again.records) == (0, 4, 0)
    assert {r["status"] for r in again.results} == {"duplicate"}
    assert Message.objects.count() == 4 and Record.objects.count() == 12
    assert [len(s) for s in handed["rollups"]] == [12, 0]
    assert [len(s) for s in handed["reactions"]] == [12, 0]


def test_a_batch_mixing_new_and_stored_messages_stores_only_the_new_ones(station, handed):
    ingest.ingest(sender=station.scale, messages=batch("m", 2))  # m0, m1 stored
    mixed = batch("m", 4)  # m0 … m3
    mixed.append(mixed[3])  # m3 twice in the same batch

    outcome = ingest.ingest(sender=station.scale, messages=mixed)

    assert [r["status"] for r in outcome.results] == [
        "duplicate", "duplicate", "accepted", "accepted", "duplicate",
    ]  # fmt: skip
    assert (outcome.accepted, outcome.duplicates, outcome.records) == (2, 3, 6)
    assert sorted({s.message_id for s in handed["rollups"][-1]}) == ["m2", "m3"]
    assert Record.objects.count() == 12


def test_the_stored_records_carry_the_household_and_the_local_day(station, handed):
    household = Household.objects.create(code="H-1", community=station.point.community)
    HouseholdCard.objects.create(household=household, card_id="C-0001")
    late = "2026-11-24T23:30:00+08:00"  # 15:30 UTC the day before: the local day is the 24th
    messages = [disposal("h1"), disposal("h2", time=late)]
    messages[1]["record"]["card"] = "C-UNKNOWN"

    ingest.ingest(sender=station.scale, messages=ingest.parse_array(json.dumps(messages)))

    stored = {s.message_id: s for s in handed["rollups"][-1]}
    assert stored["h1"].household_id == household.pk
    assert stored["h1"].day == date(2026, 11, 25)
    assert stored["h1"].occurred_at == NOW - timedelta(minutes=2)
    assert (stored["h1"].point_id, stored["h1"].weight_kg, stored["h1"].is_correct) == (
        station.point.pk,
        1.5,
        True,
    )
    assert (stored["h2"].household_id, stored["h2"].day) == (None, date(2026, 11, 24))
    assert Record.objects.get(message_id="h1").household == household
    assert Record.objects.get(message_id="h2").payload["card"] == "C-UNKNOWN"


def test_the_payload_keeps_unicode_and_reads_back_as_json(station):
    record = {"time": T, "plate": "粤B12345", "gross_kg": 15000, "tare_kg": 9000, "net_kg": 6000}
    message = {"id": "u1", "kind": "plant_intake", "record": {**record, "waste_type": "other"}}

    ingest.ingest(sender=station.weighbridge, messages=ingest.parse_array(json.dumps(message)))

    stored = Record.objects.get()
    assert stored.payload == {**record, "waste_type": "other"}
    # The column holds the record as JSON text (UTF-8, not escaped), the same record as read back.
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM devices_record")
        (text,) = cursor.fetchone()
    assert "粤B12345" in text
    assert json.loads(text) == stored.payload
    assert stored.weight_kg == 6000.0


def test_a_quarantined_array_element_keeps_its_json_text(station):
    messages = [disposal("ok"), {**disposal("bad"), "record": {"time": T, "weight_kg": "heavy"}}]

    outcome = ingest.ingest(sender=station.scale, messages=ingest.parse_array(json.dumps(messages)))

    assert (outcome.accepted, outcome.quarantined) == (1, 1)
    bad = QuarantinedMessage.objects.get()
    assert json.loads(bad.raw) == messages[1]
    assert bad.reason == QuarantineReason.SCHEMA
    assert bad.detail.startswith("records[0] ")


def test_a_number_json_cannot_carry_is_quarantined_not_stored(station, post):
    record = f'{{"time": "{T}", "bin_type": "kitchen", "weight_kg": NaN}}'
    body = f'{{"id": "n1", "kind": "disposal", "record": {record}}}'  # NaN: not JSON
    response = post(station.scale_token, [body], ndjson=True)

    assert response.json()["quarantined"] == 1
    assert "not finite" in QuarantinedMessage.objects.get().detail
    assert not Record.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_replaying_the_same_batch_at_once_store_it_once(station):
    """Two connections ingest the same 50 messages (in opposite orders) at the same moment: the
    unique index lets each message be inserted by one of them only; the other reports it as a
    duplicate; neither deadlocks."""
    outcomes, errors = [], []
    start = threading.Barrier(2)

    def worker(reverse: bool) -> None:
        messages = batch("c", 50, 20)
        try:
            start.wait(5)
            outcomes.append(
                ingest.ingest(sender=station.scale, messages=messages[:: -1 if reverse else 1])
            )
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(r,)) for r in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not errors, errors
    assert sum(o.accepted for o in outcomes) == 50
    assert sum(o.duplicates for o in outcomes) == 50
    assert sum(o.records for o in outcomes) == Record.objects.count() == 1000
    assert Message.objects.count() == 50
