"""Refusals found in review: times out of range, message kinds a device does not send, cards
taken back, and a message the database will not take (it is quarantined as ``failed``; the
others of its batch are stored)."""

from __future__ import annotations

import json

import pytest

from cityloop.devices import adapters, ingest
from cityloop.devices.choices import DeviceKind, QuarantineReason
from cityloop.devices.models import Message, QuarantinedMessage, Record
from cityloop.devices.services import device_create
from cityloop.devices.tests.conftest import T, disposal
from cityloop.sorting.models import Household, HouseholdCard

pytestmark = pytest.mark.django_db


def reasons() -> dict[str, str]:
    return dict(QuarantinedMessage.objects.values_list("message_id", "reason"))


# --- Time window ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "time",
    [
        "0001-01-01T00:00:00+08:00",  # converting it to UTC overflows
        "0001-01-01T00:00:00-08:00",
        "1970-01-01T00:00:00+00:00",  # a device whose clock was reset
        "2000-01-01T08:00:00+08:00",
    ],
)
def test_a_time_far_in_the_past_is_quarantined_and_the_batch_stored(station, post, time):
    response = post(station.scale_token, [disposal("old", time=time), disposal("ok")])

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["quarantined"]) == (1, 1)
    assert body["results"][0]["reason"] == "past"
    assert Record.objects.get().message_id == "ok"
    assert reasons() == {"old": QuarantineReason.PAST}
    assert time in QuarantinedMessage.objects.get().detail


def test_the_earliest_time_accepted_is_a_setting(station, post, settings):
    settings.CITYLOOP_INGEST_PAST_DAYS = 2
    three_days = "2026-11-22T09:58:00+08:00"
    one_day = "2026-11-24T09:58:00+08:00"

    body = post(
        station.scale_token, [disposal("d3", time=three_days), disposal("d1", time=one_day)]
    )

    assert (body.json()["accepted"], reasons()) == (1, {"d3": QuarantineReason.PAST})


def test_a_time_at_the_far_end_is_quarantined_as_future(station, post, settings):
    settings.CITYLOOP_INGEST_PAST_DAYS = 10**9  # the window stays inside the calendar
    settings.CITYLOOP_INGEST_FUTURE_MINUTES = 10**12
    body = post(station.scale_token, [disposal("end", time="9999-12-31T23:59:59-08:00")]).json()

    assert body["results"][0]["reason"] == "future"


# --- Message kind by device kind --------------------------------------------------------------


def test_a_scale_cannot_post_an_alarm_nor_a_plant_intake(station, post):
    alarm = {"time": T, "alarm": "overflow", "confidence": 0.9}
    intake = {"time": T, "plate": "P", "gross_kg": 2, "tare_kg": 1, "net_kg": 1}
    messages = [
        {"id": "a", "kind": "ai_alarm", "record": alarm},
        {"id": "p", "kind": "plant_intake", "record": intake},
        disposal("d"),
    ]

    body = post(station.scale_token, messages).json()

    assert (body["accepted"], body["quarantined"]) == (1, 2)
    assert [r.get("reason") for r in body["results"]] == ["wrong_kind", "wrong_kind", None]
    assert "Message kind not sent by this kind of device" in body["results"][0]["message"]["en"]
    assert reasons() == {"a": QuarantineReason.WRONG_KIND, "p": QuarantineReason.WRONG_KIND}


def test_a_fill_sensor_cannot_post_an_alarm(station, post):
    alarm = {"time": T, "alarm": "overflow", "confidence": 0.9}

    body = post(station.sensor_token, [{"id": "a", "kind": "ai_alarm", "record": alarm}]).json()

    assert body["results"][0]["reason"] == "wrong_kind"
    assert not Record.objects.exists()


def test_the_kind_is_checked_on_the_device_a_gateway_relays_for(station, post):
    station.camera.gateway = station.scale
    station.camera.save()
    alarm = {"time": T, "alarm": "overflow", "confidence": 0.9}
    level = {"time": T, "bin_type": "kitchen", "level": 0.5}
    messages = [
        {"id": "a", "device": "CAM-1", "kind": "ai_alarm", "record": alarm},  # the camera's own
        {"id": "f", "device": "CAM-1", "kind": "fill_level", "record": level},  # not a camera's
    ]

    body = post(station.scale_token, messages).json()

    assert [r["status"] for r in body["results"]] == ["accepted", "quarantined"]
    assert Record.objects.get().device == station.camera
    assert reasons() == {"f": QuarantineReason.WRONG_KIND}


def test_each_device_kind_may_send_the_kind_the_vendor_adapters_give_it():
    assert set(ingest.KINDS_BY_DEVICE) == set(DeviceKind.values)
    for device_kind, message_kind in adapters.KIND_OF_DEVICE.items():
        assert message_kind in ingest.KINDS_BY_DEVICE[device_kind]


# --- Cards ------------------------------------------------------------------------------------


def test_a_deactivated_card_no_longer_names_its_household(station, post):
    household = Household.objects.create(code="H-1", community=station.point.community)
    HouseholdCard.objects.create(household=household, card_id="C-0001", is_active=False)

    assert post(station.scale_token, [disposal("d1")]).json()["accepted"] == 1

    record = Record.objects.get()
    assert (record.card_id, record.household) == ("C-0001", None)


# --- A message the database refuses -----------------------------------------------------------

# A lone surrogate is valid JSON text (``\ud800``) but no database column can hold it as UTF-8.
POISON = json.dumps(disposal("bad\ud800"))  # the text holds the escape, 6 characters


def test_a_message_the_database_refuses_is_quarantined_and_the_others_stored(station, post):
    messages = [json.dumps(disposal("ok1")), POISON, json.dumps(disposal("ok2"))]

    response = post(station.scale_token, messages, ndjson=True)

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["quarantined"]) == (2, 1)
    assert [r["status"] for r in body["results"]] == ["accepted", "quarantined", "accepted"]
    assert body["results"][1]["reason"] == "failed"
    assert set(Message.objects.values_list("message_id", flat=True)) == {"ok1", "ok2"}
    failed = QuarantinedMessage.objects.get()
    assert (failed.reason, failed.raw) == (QuarantineReason.FAILED, POISON)
    assert failed.message_id == "bad\\ud800" and failed.detail


def test_a_refused_array_element_is_kept_as_json_that_reads_back(station):
    body = f"[{json.dumps(disposal('ok'))}, {POISON}]"

    outcome = ingest.ingest(sender=station.scale, messages=ingest.parse_array(body))

    assert (outcome.accepted, outcome.quarantined) == (1, 1)
    failed = QuarantinedMessage.objects.get()
    assert failed.reason == QuarantineReason.FAILED
    assert json.loads(failed.raw)["id"] == "bad\ud800"


def test_a_poison_message_of_another_sender_leaves_its_batch_stored(station):
    other, _token = device_create(code="SC-2", kind=DeviceKind.SMART_SCALE, point=station.point)
    messages = ingest.parse_ndjson(f"{json.dumps(disposal('ok'))}\n{POISON}")
    messages[0].sender, messages[1].sender = station.scale, other

    outcome = ingest.ingest(messages=messages)

    assert (outcome.accepted, outcome.quarantined) == (1, 1)
    assert QuarantinedMessage.objects.get().sender == other


def test_a_nul_character_never_stops_the_batch(station, post):
    """PostgreSQL stores no NUL in text or jsonb (the message is quarantined as ``failed``);
    SQLite does (it is stored). Either way the other message of the batch is stored."""
    from django.db import connection

    messages = [disposal("ok"), {**disposal("nul"), "record": {**disposal("x")["record"]}}]
    messages[1]["record"]["card"] = "C-\x00"

    body = post(station.scale_token, messages).json()

    expected = "quarantined" if connection.vendor == "postgresql" else "accepted"
    assert [r["status"] for r in body["results"]] == ["accepted", expected]
    assert Message.objects.filter(message_id="ok").exists()
    if connection.vendor == "postgresql":
        assert QuarantinedMessage.objects.get().reason == QuarantineReason.FAILED
