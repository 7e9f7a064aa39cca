"""POST /api/ingest: each kind, both body formats, idempotency, quarantine, auth, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.devices.choices import DeviceKind, QuarantineReason
from cityloop.devices.models import Device, Message, QuarantinedMessage, Record
from cityloop.devices.services import device_create
from cityloop.devices.tests.conftest import NOW, T, disposal

pytestmark = pytest.mark.django_db


def test_disposal_is_stored_with_its_indexed_columns(station, post):
    response = post(station.scale_token, [disposal("m1", weight=2.25)])

    assert response.status_code == 200
    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "quarantined": 0,
        "records": 1,
        "results": [{"id": "m1", "status": "accepted", "records": 1}],
    }
    record = Record.objects.get()
    assert (record.kind, record.point, record.waste_type) == ("disposal", station.point, "kitchen")
    assert (record.weight_kg, record.is_correct, record.card_id) == (2.25, True, "C-0001")
    assert record.occurred_at == NOW - timedelta(minutes=2)
    assert record.payload["card"] == "C-0001"


def test_ai_alarm_is_stored(station, post):
    record = {"time": T, "alarm": "mixed_disposal", "confidence": 0.93, "snapshot": "s3://a.jpg"}
    response = post(station.camera_token, [{"id": "a1", "kind": "ai_alarm", "record": record}])

    assert response.json()["accepted"] == 1
    stored = Record.objects.get()
    assert (stored.kind, stored.device, stored.point) == ("ai_alarm", station.camera, station.point)
    assert stored.payload["alarm"] == "mixed_disposal"


def test_fill_level_is_stored(station, post):
    record = {"time": T, "bin_rfid": "BIN-K-1", "bin_type": "kitchen", "level": 0.85}
    response = post(station.sensor_token, [{"id": "f1", "kind": "fill_level", "record": record}])

    assert response.json()["accepted"] == 1
    assert Record.objects.get().payload["level"] == 0.85


def test_truck_collection_is_stored_at_the_point_of_the_bin_it_emptied(station, post):
    record = {"time": T, "bin_rfid": "BIN-K-1", "weight_kg": 88.5, "sorting_score": 92}
    unknown_bin = {**record, "bin_rfid": "BIN-NOPE"}
    message = {"id": "t1", "kind": "truck_collection", "records": [record, unknown_bin]}

    response = post(station.truck_token, [message])

    assert response.json()["accepted"] == 1
    stored = Record.objects.order_by("seq")
    assert [(r.kind, r.weight_kg, r.point, r.waste_type) for r in stored] == [
        ("truck_collection", 88.5, station.point, "kitchen"),  # the bin's point and type
        ("truck_collection", 88.5, None, ""),
    ]


def test_plant_intake_stores_the_net_weight(station, post):
    record = {"time": T, "plate": "粤B12345", "gross_kg": 15000, "tare_kg": 9000, "net_kg": 6000}
    record["waste_type"] = "kitchen"
    message = {"id": "w1", "kind": "plant_intake", "record": record}

    response = post(station.weighbridge_token, [message])

    assert response.json()["accepted"] == 1
    stored = Record.objects.get()
    assert (stored.kind, stored.weight_kg, stored.waste_type) == ("plant_intake", 6000, "kitchen")


def test_ndjson_body_is_accepted(station, post):
    response = post(station.scale_token, [disposal("n1"), disposal("n2")], ndjson=True)

    assert response.json()["accepted"] == 2
    assert set(Message.objects.values_list("message_id", flat=True)) == {"n1", "n2"}


def test_a_batch_message_counts_its_records(station, post):
    records = [{"time": T, "bin_type": "other", "weight_kg": i} for i in range(1, 6)]
    message = {"id": "b1", "kind": "disposal", "records": records}

    body = post(station.scale_token, [message, disposal("b2")]).json()

    assert (body["accepted"], body["records"]) == (2, 6)
    assert body["results"][0] == {"id": "b1", "status": "accepted", "records": 5}
    assert Message.objects.get(message_id="b1").record_count == 5
    assert sorted(Record.objects.filter(message_id="b1").values_list("seq", flat=True)) == [
        0, 1, 2, 3, 4,
    ]  # fmt: skip


def test_a_repeated_message_id_is_stored_once(station, post):
    post(station.scale_token, [disposal("d1")])

    body = post(station.scale_token, [disposal("d1"), disposal("d1"), disposal("d2")]).json()

    assert [r["status"] for r in body["results"]] == ["duplicate", "duplicate", "accepted"]
    assert (body["accepted"], body["duplicates"]) == (1, 2)
    assert Message.objects.count() == 2
    assert Record.objects.count() == 2


def test_bad_messages_are_quarantined_while_good_ones_land(station, post):
    messages = [
        disposal("ok1"),
        {"id": "bad-schema", "kind": "disposal", "record": {"time": T, "bin_type": "glass"}},
        disposal("bad-device", device="NOPE-9"),
        disposal("bad-token", device="CAM-1"),  # the scale's token cannot speak for the camera
        {"id": "bad-kind", "kind": "smell", "record": {}},
        disposal("ok2"),
    ]

    body = post(station.scale_token, messages).json()

    assert [r.get("reason") for r in body["results"]] == [
        None, "schema", "unknown_device", "wrong_token", "envelope", None,
    ]  # fmt: skip
    assert (body["accepted"], body["quarantined"]) == (2, 4)
    assert set(Message.objects.values_list("message_id", flat=True)) == {"ok1", "ok2"}
    refused = QuarantinedMessage.objects.get(message_id="bad-device")
    assert (refused.reason, refused.sender, refused.device_code) == (
        QuarantineReason.UNKNOWN_DEVICE, station.scale, "NOPE-9",
    )  # fmt: skip
    assert '"NOPE-9"' in refused.raw
    assert set(body["results"][1]["message"]) == {"zh", "en"}
    assert body["results"][1]["message"]["en"].startswith("Schema error: records[0]")


def test_an_unparsable_ndjson_line_is_quarantined_with_its_text(station, post):
    body = post(station.scale_token, [disposal("g1"), "{not json"], ndjson=True).json()

    assert [r["status"] for r in body["results"]] == ["accepted", "quarantined"]
    assert QuarantinedMessage.objects.get().raw == "{not json"
    assert QuarantinedMessage.objects.get().reason == QuarantineReason.INVALID_JSON


def test_a_message_from_the_future_is_quarantined(station, post):
    later = (NOW + timedelta(hours=1)).isoformat()

    body = post(station.scale_token, [disposal("fut", time=later), disposal("now")]).json()

    assert [r.get("reason") for r in body["results"]] == ["future", None]
    assert QuarantinedMessage.objects.get().message_id == "fut"
    assert list(Record.objects.values_list("message_id", flat=True)) == ["now"]


def test_a_time_without_offset_is_a_schema_error(station, post):
    body = post(station.scale_token, [disposal("naive", time="2026-11-25T09:58:00")]).json()

    assert body["results"][0]["reason"] == "schema"
    assert not Record.objects.exists()


def test_a_gateway_sends_for_its_devices(station, post):
    gateway, token = device_create(code="GW-1", kind=DeviceKind.RFID_READER, point=station.point)
    station.camera.gateway = gateway
    station.camera.save()
    alarm = {"time": T, "alarm": "overflow", "confidence": 0.8}
    message = {"id": "g1", "device": "CAM-1", "kind": "ai_alarm", "record": alarm}

    body = post(token, [message]).json()

    assert body["accepted"] == 1
    assert Record.objects.get().device == station.camera
    station.camera.refresh_from_db()
    assert station.camera.last_seen_at == NOW


@pytest.mark.parametrize("token", [None, "dv_wrong", "cl_not-a-device-token"])
def test_a_missing_or_wrong_token_is_refused_and_nothing_stored(station, post, token):
    response = post(token, [disposal("x1")])

    assert response.status_code == 401
    assert set(response.json()["detail"]) == {"zh", "en"}
    assert not Message.objects.exists()
    assert not QuarantinedMessage.objects.exists()


def test_a_disabled_device_token_is_refused(station, post):
    station.scale.is_active = False
    station.scale.save()

    response = post(station.scale_token, [disposal("x1")])

    assert response.status_code == 401
    assert not Message.objects.exists()
    station.scale.refresh_from_db()
    assert station.scale.last_seen_at is None


def test_a_body_that_is_not_json_is_a_bad_request(station, client):
    response = client.post(
        "/api/ingest",
        "nope",
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {station.scale_token}",
    )

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_ingest_updates_last_seen_and_online_state(station, post):
    assert not station.scale.is_online()

    post(station.scale_token, [disposal("s1")])

    station.scale.refresh_from_db()
    assert station.scale.last_seen_at == NOW
    assert station.scale.is_online(NOW + timedelta(minutes=15))
    assert not station.scale.is_online(NOW + timedelta(minutes=16))


def test_the_query_count_does_not_grow_with_the_batch(station, post):
    def queries(prefix: str, n: int) -> int:
        Device.objects.update(last_seen_at=None)  # both calls write the last-seen time
        messages = [disposal(f"{prefix}{i}") for i in range(n)]
        messages.append(disposal(f"{prefix}-bad", device="NOPE"))
        with CaptureQueriesContext(connection) as captured:
            assert post(station.scale_token, messages).json()["accepted"] == n
        return len(captured)

    assert queries("small", 2) == queries("large", 40)


def test_the_last_seen_time_is_written_at_most_every_30_seconds(station, post):
    post(station.scale_token, [disposal("first")])
    with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
        post(station.scale_token, [disposal("soon")])
    station.scale.refresh_from_db()
    assert station.scale.last_seen_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=31), tick=False):
        post(station.scale_token, [disposal("later")])
    station.scale.refresh_from_db()
    assert station.scale.last_seen_at == NOW + timedelta(seconds=31)


def test_a_disabled_device_behind_an_active_gateway_is_quarantined(station, post):
    gateway, token = device_create(code="GW-2", kind=DeviceKind.RFID_READER, point=station.point)
    station.scale.gateway, station.scale.is_active = gateway, False
    station.scale.save()

    body = post(token, [disposal(7, device="SC-1"), disposal(8)]).json()

    assert [r.get("reason") for r in body["results"]] == ["device_disabled", None]
    assert QuarantinedMessage.objects.get().message_id == "7"
    assert Message.objects.get().message_id == "8"
