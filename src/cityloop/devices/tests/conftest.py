"""A collection point of the tiny district with a scale, a camera, a fill sensor, a truck and a
plant weighbridge."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine

from cityloop.devices.choices import DeviceKind
from cityloop.devices.models import Device
from cityloop.devices.services import device_create
from cityloop.geo.models import Grid
from cityloop.sorting.choices import PointKind, WasteType
from cityloop.sorting.models import Bin, CollectionPoint, Household, HouseholdCard

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen
T = "2026-11-25T09:58:00+08:00"


@dataclass
class Station:
    point: CollectionPoint
    scale: Device
    scale_token: str
    camera: Device
    camera_token: str
    truck: Device
    truck_token: str
    weighbridge: Device
    weighbridge_token: str
    sensor: Device
    sensor_token: str


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def station(tiny, frozen) -> Station:
    community = tiny.communities["440303001001"]
    point = CollectionPoint.objects.create(
        code="P-001",
        name="翠竹苑1号垃圾厢房",
        kind=PointKind.MULTI_SORT_ROOM,
        community=community,
        grid=Grid.objects.get(code="440303001001001"),
        lon=114.105,
        lat=22.555,
    )
    Bin.objects.create(
        point=point, waste_type=WasteType.KITCHEN, capacity_litres=240, rfid_tag="BIN-K-1"
    )
    scale, scale_token = device_create(code="SC-1", kind=DeviceKind.SMART_SCALE, point=point)
    camera, camera_token = device_create(code="CAM-1", kind=DeviceKind.AI_CAMERA, point=point)
    truck, truck_token = device_create(
        code="TRK-1", kind=DeviceKind.TRUCK_UNIT, truck_plate="粤B12345"
    )
    bridge, bridge_token = device_create(
        code="WB-1", kind=DeviceKind.WEIGHBRIDGE, truck_plate="PLANT-1"
    )
    sensor, sensor_token = device_create(code="FS-1", kind=DeviceKind.FILL_SENSOR, point=point)
    return Station(
        point,
        scale,
        scale_token,
        camera,
        camera_token,
        truck,
        truck_token,
        bridge,
        bridge_token,
        sensor,
        sensor_token,
    )


@pytest.fixture
def household(station) -> Household:
    """H-0001 at the station's point, with card C-0001 (the card of ``disposal``)."""
    home = Household.objects.create(
        code="H-0001", community=station.point.community, point=station.point
    )
    HouseholdCard.objects.create(household=home, card_id="C-0001")
    return home


def disposal(message_id: str, *, weight: float = 1.5, time: str = T, **extra) -> dict:
    record = {"time": time, "card": "C-0001", "bin_type": "kitchen", "weight_kg": weight}
    return {"id": message_id, "kind": "disposal", "record": {**record, "is_correct": True}, **extra}


@pytest.fixture
def post(client):
    """POST messages to /api/ingest as a JSON array (or NDJSON) with a device token."""

    def _post(token: str | None, messages: list, *, ndjson: bool = False):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if ndjson:
            body = "\n".join(m if isinstance(m, str) else json.dumps(m) for m in messages)
            return client.post("/api/ingest", body, "application/x-ndjson", **headers)
        return client.post("/api/ingest", json.dumps(messages), "application/json", **headers)

    return _post
