"""Vendor formats: ThingsBoard telemetry over HTTP, Alibaba Cloud Alink property posts over MQTT.

The HTTP tests post as a ThingsBoard device would (token in the path); the MQTT tests publish as
an Alink device would (no token: the topic names the device) to the Mosquitto on 127.0.0.1:1883.
The translation functions are also tested on their own, for every message kind.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import time_machine
from django.core.exceptions import ValidationError

from cityloop.devices import adapters
from cityloop.devices import mqtt as door
from cityloop.devices.choices import DeviceKind, QuarantineReason
from cityloop.devices.ingest import Refused
from cityloop.devices.models import Device, Message, QuarantinedMessage, Record
from cityloop.devices.tests.conftest import NOW, T
from cityloop.devices.tests.test_mqtt import HOST, PORT, consume, publish, publisher

T_MS = int(datetime.fromisoformat(T).timestamp() * 1000)  # 09:58 in Shenzhen
T_ISO = "2026-11-25T09:58:00.000+08:00"
T_DT = datetime.fromisoformat(T)


@pytest.fixture
def telemetry(client):
    """POST a ThingsBoard telemetry body to /api/v1/{token}/telemetry."""

    def _post(token: str, body):
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        return client.post(f"/api/v1/{token}/telemetry", text, "application/json")

    return _post


SCALE = {"card": "C-0001", "bin_type": "kitchen", "weight_kg": 1.5, "is_correct": True}


# --- ThingsBoard over HTTP ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_values_object_is_one_disposal_at_server_time(station, telemetry):
    response = telemetry(station.scale_token, SCALE)

    assert response.status_code == 200, response.json()
    assert (response.json()["accepted"], response.json()["records"]) == (1, 1)
    record = Record.objects.get()
    assert (record.kind, record.device, record.occurred_at) == ("disposal", station.scale, NOW)
    assert record.payload["time"] == "2026-11-25T10:00:00.000+08:00"
    assert (record.weight_kg, record.card_id, record.is_correct) == (1.5, "C-0001", True)
    assert record.message_id.startswith("tb-") and len(record.message_id) == 43


@pytest.mark.django_db
def test_ts_and_values_take_the_devices_time(station, telemetry):
    response = telemetry(station.scale_token, {"ts": T_MS, "values": SCALE})

    assert response.status_code == 200
    record = Record.objects.get()
    assert record.occurred_at == datetime.fromisoformat(T)
    assert record.payload["time"] == T_ISO


@pytest.mark.django_db
def test_a_list_of_entries_is_one_message_per_entry(station, telemetry):
    body = [
        {"ts": T_MS, "values": SCALE},
        {"ts": T_MS + 1000, "values": {**SCALE, "weight_kg": 2.0}},
    ]

    response = telemetry(station.scale_token, body)

    assert response.json()["accepted"] == 2
    weights = sorted(Record.objects.values_list("weight_kg", flat=True))
    assert weights == [1.5, 2.0]
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_the_devices_key_map_reads_firmware_keys(station, telemetry):
    station.scale.vendor_keys = {
        "Weight": "weight_kg",
        "CardNo": "card",
        "Kind": "bin_type",
        "rssi": None,
    }
    station.scale.full_clean()
    station.scale.save()
    firmware = {"Weight": "2.35", "CardNo": 1234567, "Kind": "厨余垃圾", "rssi": -71}

    response = telemetry(station.scale_token, {"ts": T_MS, "values": firmware})

    assert response.json()["accepted"] == 1, response.json()
    record = Record.objects.get()
    assert record.payload == {
        "time": T_ISO,
        "weight_kg": 2.35,
        "card": "1234567",
        "bin_type": "kitchen",
    }
    assert (record.weight_kg, record.card_id, record.waste_type) == (2.35, "1234567", "kitchen")


@pytest.mark.django_db
def test_a_key_nobody_mapped_is_quarantined_by_name(station, telemetry):
    response = telemetry(station.scale_token, {"ts": T_MS, "values": {**SCALE, "rssi": -71}})

    assert response.status_code == 200
    assert (response.json()["accepted"], response.json()["quarantined"]) == (0, 1)
    quarantined = QuarantinedMessage.objects.get()
    assert quarantined.reason == QuarantineReason.SCHEMA
    assert "rssi" in quarantined.detail
    assert json.loads(quarantined.raw) == {"ts": T_MS, "values": {**SCALE, "rssi": -71}}
    assert Record.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_is_stored_once(station, telemetry):
    body = [{"ts": T_MS, "values": SCALE}, {"ts": T_MS + 5, "values": SCALE}]

    first = telemetry(station.scale_token, body).json()
    again = telemetry(station.scale_token, list(reversed(body))).json()

    assert (first["accepted"], again["accepted"], again["duplicates"]) == (2, 0, 2)
    assert Record.objects.count() == Message.objects.count() == 2


@pytest.mark.django_db
def test_without_ts_each_post_is_a_new_reading(station, telemetry):
    telemetry(station.scale_token, SCALE)
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        second = telemetry(station.scale_token, SCALE).json()

    assert second["accepted"] == 1
    assert Record.objects.count() == 2


@pytest.mark.django_db
def test_a_wrong_or_disabled_token_is_401(station, telemetry):
    assert telemetry("dv_nope", SCALE).status_code == 401
    station.scale.is_active = False
    station.scale.save()
    response = telemetry(station.scale_token, SCALE)
    assert response.status_code == 401
    assert set(response.json()["detail"]) == {"zh", "en"}
    assert Record.objects.count() == QuarantinedMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_400(station, telemetry):
    response = telemetry(station.scale_token, "{weight: 1")

    assert response.status_code == 400
    assert response.json()["detail"]["en"].startswith("The body is not JSON")
    assert telemetry(station.scale_token, {}).status_code == 400
    assert telemetry(station.scale_token, []).status_code == 400
    assert Record.objects.count() == QuarantinedMessage.objects.count() == 0


@pytest.mark.django_db
def test_bad_entries_are_quarantined_and_the_good_ones_land(station, telemetry):
    body = [
        {"ts": T_MS, "values": SCALE},
        {"ts": T_MS + 1, "values": {**SCALE, "weight_kg": -1}},  # schema: minimum 0
        {"ts": T_MS // 1000, "values": SCALE},  # seconds, not milliseconds
        {"ts": T_MS + 2, "values": {**SCALE, "bin_type": "plastic"}},
        {"ts": int((NOW + timedelta(days=1)).timestamp() * 1000), "values": SCALE},
        "not an object",
        {"ts": T_MS + 3, "values": {**SCALE, "weight_kg": 3.0}},
    ]

    response = telemetry(station.scale_token, body)

    outcome = response.json()
    assert response.status_code == 200
    assert (outcome["accepted"], outcome["quarantined"]) == (2, 5)
    assert sorted(Record.objects.values_list("weight_kg", flat=True)) == [1.5, 3.0]
    reasons = [r["reason"] for r in outcome["results"] if r["status"] == "quarantined"]
    assert reasons == ["schema", "schema", "schema", "future", "envelope"]
    seconds = outcome["results"][2]
    assert "seconds" in seconds["message"]["en"] and seconds["message"]["zh"]
    stored = QuarantinedMessage.objects.order_by("pk")
    assert [q.sender for q in stored] == [station.scale] * 5
    assert json.loads(stored[0].raw)["values"]["weight_kg"] == -1  # the vendor's own entry


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, values, expected",
    [
        ("scale", {"CardNo": "C-1", "binType": "可回收物", "weight": 0.8}, ("disposal", 0.8)),
        (
            "camera",
            {"alarmType": "垃圾满溢", "score": 0.93, "imageUrl": "s3://snap/1.jpg"},
            ("ai_alarm", None),
        ),
        ("sensor", {"fillingLevel": 0.85, "rfid": "BIN-K-1"}, ("fill_level", None)),
        ("truck", {"rfid": "BIN-K-1", "weight": "88.5", "score": 90}, ("truck_collection", 88.5)),
        (
            "weighbridge",
            {"plateNo": "粤B12345", "grossWeight": 15000, "tareWeight": 9000, "netWeight": 6000},
            ("plant_intake", 6000),
        ),
    ],
)
def test_each_device_kind_gives_its_message_kind(station, telemetry, role, values, expected):
    device, token = getattr(station, role), getattr(station, f"{role}_token")

    response = telemetry(token, {"ts": T_MS, "values": values})

    assert response.json()["accepted"] == 1, response.json()
    record = Record.objects.get()
    assert (record.kind, record.weight_kg, record.device) == (*expected, device)
    # The truck's bin tag leads to the point too; the weighbridge is at the plant.
    assert record.point_id == (None if role == "weighbridge" else station.point.pk)


@pytest.mark.django_db
def test_a_key_map_naming_no_record_field_is_refused(station):
    station.scale.vendor_keys = {"Weight": "weigth_kg"}

    with pytest.raises(ValidationError) as error:
        station.scale.full_clean()

    assert "weigth_kg" in str(error.value.message_dict["vendor_keys"])


# --- translation, unit -------------------------------------------------------------------------


def device(kind: str, **keys) -> Device:
    return Device(code="D-1", kind=kind, vendor_keys=keys)


@pytest.mark.parametrize(
    "kind, values, record",
    [
        (
            DeviceKind.RFID_READER,
            {"CardNo": 42, "GarbageType": "其他垃圾", "Weight": "1.25", "Correct": "0"},
            {"card": "42", "bin_type": "other", "weight_kg": 1.25, "is_correct": False},
        ),
        (
            DeviceKind.AI_CAMERA,
            {"EventType": "小包垃圾落地", "confidence": "0.7"},
            {"alarm": "bag_on_ground", "confidence": 0.7},
        ),
        (
            DeviceKind.FILL_SENSOR,
            {"FillLevel": 1, "BinType": "有害"},
            {"level": 1, "bin_type": "hazardous"},
        ),
        (
            DeviceKind.TRUCK_UNIT,
            {"bin_rfid": "T-9", "weight_kg": 12, "LicensePlate": "粤B1"},
            {"bin_rfid": "T-9", "weight_kg": 12, "plate": "粤B1"},
        ),
        (
            DeviceKind.WEIGHBRIDGE,
            {"PlateNo": "粤B1", "Gross": 10, "Tare": 4, "weight": 6, "WasteType": "厨余"},
            {"plate": "粤B1", "gross_kg": 10, "tare_kg": 4, "net_kg": 6, "waste_type": "kitchen"},
        ),
    ],
)
def test_default_keys_and_values_per_kind(kind, values, record):
    assert adapters.map_values(device(kind), adapters.KIND_OF_DEVICE[kind], values) == record


def test_a_devices_key_map_wins_over_the_defaults_and_ignores_nulls():
    scale = device(DeviceKind.SMART_SCALE, Weight="weight_kg", weight=None, CARD_NO="card")

    record = adapters.map_values(scale, "disposal", {"Weight": 1, "weight": 9, "card-no": "X"})

    assert record == {"weight_kg": 1, "card": "X"}


def test_unix_milliseconds_become_shenzhen_time():
    assert adapters.iso_time(T_MS, "ts") == T_ISO
    assert adapters.iso_time(T_MS + 250, "ts") == "2026-11-25T09:58:00.250+08:00"
    with pytest.raises(Refused) as refused:
        adapters.iso_time(T_MS // 1000, "ts")
    assert "seconds" in refused.value.detail
    with pytest.raises(Refused):
        adapters.iso_time("1764035880000", "ts")


def test_thingsboard_ids_are_stable_per_device_and_entry():
    entry = {"ts": T_MS, "values": {"a": 1, "b": 2}}
    same = {"values": {"b": 2, "a": 1}, "ts": T_MS}
    one, other = device(DeviceKind.SMART_SCALE), Device(code="D-2", kind=DeviceKind.SMART_SCALE)

    assert adapters.thingsboard_id(one, entry) == adapters.thingsboard_id(one, same)
    assert adapters.thingsboard_id(one, entry) != adapters.thingsboard_id(other, entry)
    assert adapters.thingsboard_id(one, {"ts": T_MS + 1, "values": {"a": 1, "b": 2}}) != (
        adapters.thingsboard_id(one, entry)
    )


ALINK_POST = {
    "id": "123",
    "version": "1.0",
    "sys": {"ack": 1},
    "params": {
        "Weight": {"value": 1.5, "time": T_MS},
        "CardNo": {"value": "C-0001", "time": T_MS},
        "BinType": {"value": "kitchen", "time": T_MS},
    },
    "method": "thing.event.property.post",
}


def test_alink_properties_with_one_time_make_one_record():
    scale = device(DeviceKind.SMART_SCALE, Weight2="weight_kg")
    post = {**ALINK_POST, "params": {**ALINK_POST["params"]}}
    post["params"]["Weight2"] = {"value": 2.5, "time": T_MS + 60_000}
    post["params"]["BinType2"] = {"value": "其他垃圾", "time": T_MS + 60_000}
    scale.vendor_keys["BinType2"] = "bin_type"

    envelope = adapters.alink_envelope(scale, post)

    assert envelope == {
        "id": "alink-20261125-123",
        "device": "D-1",
        "kind": "disposal",
        "records": [
            {"time": T_ISO, "weight_kg": 1.5, "card": "C-0001", "bin_type": "kitchen"},
            {"time": "2026-11-25T09:59:00.000+08:00", "weight_kg": 2.5, "bin_type": "other"},
        ],
    }


def test_alink_bare_values_take_the_arrival_time_and_day():
    camera = device(DeviceKind.AI_CAMERA)
    arrival = datetime.fromisoformat("2026-11-24T23:59:30+08:00")

    envelope = adapters.alink_envelope(
        camera, {"id": 7, "params": {"alarm": "overflow", "confidence": 0.9}}, arrival
    )

    assert envelope == {
        "id": "alink-20261124-7",
        "device": "D-1",
        "kind": "ai_alarm",
        "record": {"time": "2026-11-24T23:59:30.000+08:00", "alarm": "overflow", "confidence": 0.9},
    }


@pytest.mark.parametrize(
    "post, detail",
    [
        ([], "JSON object"),
        ({"params": {"a": 1}}, "id"),
        ({"id": "1", "params": {"a": 1}, "method": "thing.service.property.set"}, "method"),
        ({"id": "1", "params": {}}, "params"),
        ({"id": "1", "params": {"a": {"value": 1, "time": 1764035880}}}, "seconds"),
    ],
)
def test_alink_posts_that_cannot_be_read_are_refused(post, detail):
    with pytest.raises(Refused) as refused:
        adapters.alink_envelope(device(DeviceKind.SMART_SCALE), post)
    assert detail in refused.value.detail


def test_alink_raw_refuses_unknown_and_disabled_devices_and_keeps_the_text():
    text = json.dumps(ALINK_POST)
    disabled = device(DeviceKind.SMART_SCALE)
    disabled.is_active = False

    unknown = adapters.alink_raw(None, "NOPE", text)
    off = adapters.alink_raw(disabled, "D-1", text)
    ok = adapters.alink_raw(device(DeviceKind.SMART_SCALE), "D-1", text)

    assert (unknown.refusal.reason, unknown.sender, unknown.text) == ("unknown_device", None, text)
    assert (off.refusal.reason, off.value["id"]) == ("device_disabled", "123")
    assert ok.refusal is None and ok.value["id"] == "alink-20261125-123"


def test_alink_topics():
    assert adapters.alink_shared_topic("g") == "$share/g//sys/+/+/thing/event/property/post"
    topic = "/sys/a1B2c3/SC-1/thing/event/property/post"
    assert adapters.alink_device_name(topic) == "SC-1"
    assert adapters.alink_reply_topic(topic) == topic + "_reply"
    assert adapters.alink_device_name("/sys/a1B2c3/thing/event/property/post") is None
    assert adapters.alink_device_name("/sys/a/SC-1/thing/event/cpuerror/post") is None
    assert adapters.alink_device_name("cityloop/SC-1/disposal") is None


# --- Alink over MQTT ---------------------------------------------------------------------------


@pytest.fixture
def names():
    """A fresh group, client ids and topic roots; their broker sessions end afterwards."""
    tag = uuid.uuid4().hex[:10]
    ids = {"group": f"test-{tag}", "worker": f"w-{tag}", "publisher": f"p-{tag}"}
    ids["root"] = f"test-{tag}/cityloop"
    ids["alink"] = f"/test-{tag}/sys"  # its own root: no other test run sees these messages
    yield ids
    for key in ("worker", "publisher"):
        door.forget_session(HOST, PORT, ids[key])


def alink_worker(names, *, enabled: bool = True) -> door.Worker:
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
        alink_root=names["alink"] if enabled else None,
    )


def alink_topic(names, code: str) -> str:
    return f"{names['alink']}/a1ProductKey/{code}/thing/event/property/post"


@pytest.mark.mqtt
@pytest.mark.django_db
def test_alink_posts_are_stored_once_quarantined_when_bad_and_answered(station, names):
    topic = alink_topic(names, station.scale.code)
    replies: list[dict] = []
    got_replies = threading.Event()
    worker = alink_worker(names)
    worker.connect()
    client = publisher(names["publisher"])

    def on_message(client, userdata, message):
        replies.append(json.loads(message.payload))
        if len(replies) == 4:
            got_replies.set()

    client.on_message = on_message
    client.subscribe(topic + "_reply", qos=1)
    time.sleep(0.2)  # (the reply subscription is in place)
    bad = {**ALINK_POST, "id": "124", "params": {"Weight": {"value": -3, "time": T_MS}}}
    try:
        for payload, where in [
            (ALINK_POST, topic),
            (ALINK_POST, topic),  # the device's retry
            (bad, topic),
            ({**ALINK_POST, "id": "125"}, alink_topic(names, "NOPE")),
            (b"{not json", topic),
        ]:
            publish(client, where, payload, token=None).wait_for_publish(5)
        totals = consume(worker, 5)
        assert got_replies.wait(5), replies
    finally:
        client.disconnect()
        client.loop_stop()

    assert (totals.accepted, totals.duplicates, totals.quarantined) == (1, 1, 3), list(
        QuarantinedMessage.objects.values_list("reason", "detail")
    )
    message = Message.objects.get()
    assert (message.device, message.message_id) == (station.scale, "alink-20261125-123")
    record = Record.objects.get()
    assert (record.weight_kg, record.card_id, record.occurred_at) == (1.5, "C-0001", T_DT)
    reasons = sorted(QuarantinedMessage.objects.values_list("device_code", "reason"))
    assert reasons == [
        ("NOPE", QuarantineReason.UNKNOWN_DEVICE),
        ("SC-1", QuarantineReason.INVALID_JSON),
        ("SC-1", QuarantineReason.SCHEMA),
    ]
    by_id = sorted((r["id"], r["code"]) for r in replies)
    assert by_id == [("", 460), ("123", 200), ("123", 200), ("124", 460)]


@pytest.mark.mqtt
@pytest.mark.django_db
def test_a_worker_without_alink_does_not_take_alink_posts(station, names):
    worker = alink_worker(names, enabled=False)
    worker.connect()
    client = publisher(names["publisher"])
    own = {"id": "own-1", "record": {"time": T, "bin_type": "kitchen", "weight_kg": 1.0}}
    try:
        alink = publish(client, alink_topic(names, station.scale.code), ALINK_POST, None)
        alink.wait_for_publish(5)
        topic = f"{names['root']}/{station.scale.code}/disposal"
        publish(client, topic, own, station.scale_token).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()

    totals = consume(worker, 1)

    assert (totals.messages, totals.accepted) == (1, 1)
    assert list(Message.objects.values_list("message_id", flat=True)) == ["own-1"]
    assert QuarantinedMessage.objects.count() == 0


# --- Alink behind a broker that enforces the documented ACL ------------------------------------

# As in docs/devices.md ("Vendor formats"), with the production topic roots.
ACL = """\
user cityloop-ingest
topic read cityloop/#
topic read /sys/+/+/thing/event/property/post
topic write /sys/+/+/thing/event/property/post_reply

pattern write /sys/+/%u/thing/event/property/post
pattern read /sys/+/%u/thing/event/property/post_reply
"""
ACCOUNTS = {"cityloop-ingest": "worker-secret", "SC-1": "scale-secret"}


@pytest.fixture
def acl_broker():
    """A Mosquitto of its own (password file + ACL) on a free port; stopped afterwards."""
    mosquitto, passwd = shutil.which("mosquitto"), shutil.which("mosquitto_passwd")
    if not mosquitto or not passwd:
        pytest.skip("mosquitto and mosquitto_passwd are needed")
    folder = Path(tempfile.mkdtemp(prefix="cityloop-acl-"))
    folder.chmod(0o755)  # (mosquitto started as root reads its files as user mosquitto)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (folder / "acl").write_text(ACL)
    (folder / "passwd").touch()
    for user, password in ACCOUNTS.items():
        subprocess.run([passwd, "-b", str(folder / "passwd"), user, password], check=True)
    for name in ("acl", "passwd"):
        (folder / name).chmod(0o644)
    (folder / "mosquitto.conf").write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\npersistence false\n"
        f"password_file {folder / 'passwd'}\nacl_file {folder / 'acl'}\n"
    )
    broker = subprocess.Popen(
        [mosquitto, "-c", str(folder / "mosquitto.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and broker.poll() is None, "no broker"
                time.sleep(0.05)
        yield port
    finally:
        broker.terminate()
        broker.wait(5)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.mqtt
@pytest.mark.django_db
def test_with_the_documented_acl_a_device_cannot_post_as_another(station, acl_broker):
    worker = door.Worker(
        host="127.0.0.1",
        port=acl_broker,
        group="acl",
        client_id="acl-worker",
        batch=50,
        max_wait_ms=50,
        progress=lambda line: None,
        alink_root=adapters.ALINK_ROOT,
        credentials=("cityloop-ingest", ACCOUNTS["cityloop-ingest"]),
    )
    worker.connect()
    scale = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="SC-1", protocol=5)
    scale.username_pw_set("SC-1", ACCOUNTS["SC-1"])
    scale.connect("127.0.0.1", acl_broker)
    scale.loop_start()
    own = "/sys/a1ProductKey/SC-1/thing/event/property/post"
    spoof = "/sys/a1ProductKey/CAM-1/thing/event/property/post"  # the camera's topic
    alarm = {"id": "9", "params": {"alarm": "littering", "confidence": 0.99}}
    try:
        for topic, payload in [
            (own, ALINK_POST),
            (spoof, alarm),  # refused by the broker (PUBACK 135), never seen by the worker
            (own, {**ALINK_POST, "id": "124"}),
        ]:
            scale.publish(topic, json.dumps(payload), qos=1).wait_for_publish(5)
        totals = consume(worker, 2)
    finally:
        scale.disconnect()
        scale.loop_stop()

    assert (totals.messages, totals.accepted, totals.quarantined) == (2, 2, 0)
    assert set(Message.objects.values_list("device__code", "message_id")) == {
        ("SC-1", "alink-20261125-123"),
        ("SC-1", "alink-20261125-124"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, stored",
    [('{"Weight": "weight_kg", "rssi": null}', {"Weight": "weight_kg", "rssi": None}), ("", {})],
)
def test_vendor_keys_are_edited_in_the_admin(admin_client, station, typed, stored):
    url = f"/admin/devices/device/{station.scale.pk}/change/"
    data = {"code": "SC-1", "name": "", "kind": "smart_scale", "point": station.point.pk}
    data |= {"truck_plate": "", "gateway": "", "is_active": "on"}

    response = admin_client.post(url, {**data, "vendor_keys": typed})

    assert response.status_code == 302
    station.scale.refresh_from_db()
    assert station.scale.vendor_keys == stored


@pytest.mark.django_db
def test_a_bad_key_map_is_a_field_error_in_the_admin(admin_client, station):
    url = f"/admin/devices/device/{station.scale.pk}/change/"
    data = {"code": "SC-1", "name": "", "kind": "smart_scale", "point": station.point.pk}
    data |= {"truck_plate": "", "gateway": "", "is_active": "on"}

    response = admin_client.post(url, {**data, "vendor_keys": '{"Weight": "kilos"}'})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "kilos" in str(errors["vendor_keys"])
    station.scale.refresh_from_db()
    assert station.scale.vendor_keys == {}
