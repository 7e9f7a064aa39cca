"""A small garbage-sorting world on the tiny district, written through the real pipeline.

Two points: P-001 in community 440303001001 (street 001), P-002 in community 440303002001
(street 002). Households H-001 (card C-0001, building 3栋, room 301) at P-001 and H-002 (card
C-0002) at P-002. Records go through ``cityloop.devices.ingest.ingest`` so that the roll-ups,
the alarm cases and the collection tasks come from the same code as in production.

Today, at P-001: four kitchen-waste disposals by H-001 (3 correct, 1 not), one fill-level
reading of 0.9 (→ a collection task) and one mixed-disposal camera alarm (→ a case).
At P-002: two correct disposals by H-002. Yesterday at P-001: one incorrect disposal by H-001.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from cityloop.devices.choices import DeviceKind
from cityloop.devices.ingest import Raw, ingest
from cityloop.devices.models import Device
from cityloop.devices.services import device_create
from cityloop.geo.models import Grid
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.sorting.choices import PointKind, WasteType
from cityloop.sorting.models import Bin, CollectionPoint, Household, HouseholdCard

PASSWORD = "s3cret-pass-42"


@dataclass
class World:
    p1: CollectionPoint
    p2: CollectionPoint
    h1: Household
    h2: Household
    scale1: Device
    camera1: Device
    sensor1: Device
    scale2: Device
    idle: Device  # registered at P-001, never heard from: offline
    users: dict


def _point(code, name, community, grid, lon, lat):
    point = CollectionPoint.objects.create(
        code=code,
        name=name,
        kind=PointKind.MULTI_SORT_ROOM,
        community=community,
        grid=Grid.objects.get(code=grid),
        lon=lon,
        lat=lat,
    )
    Bin.objects.create(
        point=point, waste_type=WasteType.KITCHEN, capacity_litres=240, rfid_tag=f"{code}-K"
    )
    return point


def _at(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _disposal(mid, moment, card, correct, weight=1.5):
    record = {
        "time": _at(moment),
        "card": card,
        "bin_type": "kitchen",
        "weight_kg": weight,
        "is_correct": correct,
    }
    return {"id": mid, "kind": "disposal", "record": record}


def send(device: Device, messages: list[dict]):
    outcome = ingest(messages=[Raw(text="", value=m) for m in messages], sender=device)
    assert outcome.quarantined == 0, outcome.results
    return outcome


def build(tiny, now: datetime | None = None) -> World:
    """The world above; ``now`` must be at least 10 minutes after local midnight."""
    now = now or timezone.now()
    c1, c2 = tiny.communities["440303001001"], tiny.communities["440303002001"]
    p1 = _point("P-001", "翠竹苑1号垃圾厢房", c1, "440303001001001", 114.105, 22.555)
    p2 = _point("P-002", "东晓花园垃圾厢房", c2, "440303002001001", 114.125, 22.555)
    h1 = Household.objects.create(code="H-001", community=c1, point=p1, building="3栋", room="301")
    h2 = Household.objects.create(code="H-002", community=c2, point=p2, building="8栋", room="1202")
    HouseholdCard.objects.create(household=h1, card_id="C-0001")
    HouseholdCard.objects.create(household=h2, card_id="C-0002")
    scale1, _ = device_create(code="SC-1", kind=DeviceKind.SMART_SCALE, point=p1)
    camera1, _ = device_create(code="CAM-1", kind=DeviceKind.AI_CAMERA, point=p1)
    sensor1, _ = device_create(code="FL-1", kind=DeviceKind.FILL_SENSOR, point=p1)
    idle, _ = device_create(code="RF-9", kind=DeviceKind.RFID_READER, point=p1)
    scale2, _ = device_create(code="SC-2", kind=DeviceKind.SMART_SCALE, point=p2)

    minute = timedelta(minutes=1)
    send(
        scale1,
        [
            _disposal("d1", now - 9 * minute, "C-0001", True),
            _disposal("d2", now - 8 * minute, "C-0001", True),
            _disposal("d3", now - 7 * minute, "C-0001", False),
            _disposal("d4", now - 6 * minute, "C-0001", True, weight=2.0),
            _disposal("y1", now - timedelta(days=1), "C-0001", False),
        ],
    )
    send(
        scale2,
        [
            _disposal("e1", now - 5 * minute, "C-0002", True),
            _disposal("e2", now - 4 * minute, "C-0002", True),
        ],
    )
    send(
        sensor1,
        [
            {
                "id": "f1",
                "kind": "fill_level",
                "record": {"time": _at(now - 3 * minute), "bin_type": "kitchen", "level": 0.9},
            }
        ],
    )
    send(
        camera1,
        [
            {
                "id": "a1",
                "kind": "ai_alarm",
                "record": {
                    "time": _at(now - 2 * minute),
                    "alarm": "mixed_disposal",
                    "confidence": 0.92,
                },
            }
        ],
    )
    make = lambda name, unit, *roles: user_create(  # noqa: E731
        username=name, password=PASSWORD, unit=unit, roles=roles
    )
    users = {
        "district": tiny.users["district"],  # dispatcher of the district
        "street1_handler": tiny.users["street"],
        "street2_handler": tiny.users["other_street"],
        "shop": tiny.users["shop"],
        "community_handler": tiny.users["community"],
        "community_inspector": make("inspector-001001", c1, Role.INSPECTOR),
        "street1_enforcer": make("enforcer-001", tiny.streets["001"], Role.ENFORCEMENT_OFFICER),
        "street1_leader": make("leader-001", tiny.streets["001"], Role.LEADER),
        "district_admin": make("admin-district", tiny.district, Role.ADMINISTRATOR),
    }
    for device in (scale1, camera1, sensor1, scale2, idle):
        device.refresh_from_db()
    return World(p1, p2, h1, h2, scale1, camera1, sensor1, scale2, idle, users)
