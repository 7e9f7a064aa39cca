"""A small, hand-checked data set for the roll-up and indicator tests (the ``sorting`` fixture).

Tiny district: street 001 holds communities A (440303001001) and B (440303001002), street 002
holds C (440303002001) and D (440303002002). Points A, B, C (one per community, none in D).

Households (8 registered): A: H1 H2 H3 · B: H4 H5 · C: H6 · D: H7 H8 (card C-Hn each).
Devices, all made on 2026-11-20: scales SC-A, SC-B, SC-C and SC-C2 (never sends), camera
CAM-A, truck TRK, weighbridge WB; SC-OFF at B is disabled (counted nowhere).
Venues: A: V1 (cat 1, sorting), V2 (cat 2, not sorting); C: V3 (cat 1, sorting);
D: V4 (cat 3, unsupervised category), V5 (cat 1, inactive venue).

Day 1 (2026-11-24, sent at 23:55) and day 2 (2026-11-25, sent at 10:00): see ``MESSAGES``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import time_machine

from cityloop.devices.choices import DeviceKind
from cityloop.devices.ingest import Outcome, ingest, parse_array
from cityloop.devices.models import Device, DeviceDay
from cityloop.devices.services import device_create
from cityloop.sorting.choices import PointKind
from cityloop.sorting.models import (
    Bin,
    CollectionPoint,
    CommunityDay,
    CommunityMonth,
    Household,
    HouseholdCard,
    HouseholdDay,
    HouseholdMonth,
    PlantDay,
    PointDay,
    StreetDay,
    Venue,
    VenueCategory,
)

DAY1, DAY2 = date(2026, 11, 24), date(2026, 11, 25)
NOV = date(2026, 11, 1)
SENT = {
    DAY1: datetime(2026, 11, 24, 15, 55, tzinfo=UTC),  # 23:55 in Shenzhen
    DAY2: datetime(2026, 11, 25, 2, 0, tzinfo=UTC),  # 10:00 in Shenzhen
}
COMMUNITIES = {"A": "440303001001", "B": "440303001002", "C": "440303002001", "D": "440303002002"}
HOMES = {"H1": "A", "H2": "A", "H3": "A", "H4": "B", "H5": "B", "H6": "C", "H7": "D", "H8": "D"}


def _d(card, bin_type, kg, ok, at="09:00"):
    record = {"time": f"{{day}}T{at}:00+08:00", "bin_type": bin_type, "weight_kg": kg}
    if card:
        record["card"] = card
    if ok is not None:
        record["is_correct"] = ok
    return record


def _t(tag, kg):
    return {"time": "{day}T08:00:00+08:00", "bin_rfid": tag, "weight_kg": kg}


def _w(waste_type, net):
    body = {"plate": "粤B12345", "gross_kg": net + 9000, "tare_kg": 9000, "net_kg": net}
    return {"time": "{day}T09:30:00+08:00", "waste_type": waste_type, **body}


ALARM = {"time": "{day}T10:00:00+08:00", "alarm": "littering", "confidence": 0.9}

# device → day → (kind, records)
MESSAGES = {
    DAY1: {
        "SC-A": (
            "disposal",
            [
                _d("C-H1", "kitchen", 2.0, True),
                _d("C-H2", "kitchen", 1.0, False),
                _d("C-H1", "other", 3.0, None, at="23:30"),  # not judged; late evening
                _d("C-XX", "other", 1.0, True),  # an unregistered card
            ],
        ),
        "SC-B": (
            "disposal", [_d("C-H4", "recyclable", 0.5, True), _d("C-H6", "kitchen", 1.5, True)]
        ),
        "CAM-A": ("ai_alarm", [ALARM, {**ALARM, "time": "{day}T10:05:00+08:00"}]),
        "TRK": (
            "truck_collection",
            [_t("BIN-A-K", 40), _t("BIN-A-O", 60), _t("BIN-B-R", 20), _t("BIN-UNKNOWN", 99)],
        ),
        "WB": ("plant_intake", [_w("kitchen", 1000), _w("other", 3000)]),
    },
    DAY2: {
        "SC-A": (
            "disposal",
            [_d("C-H1", "kitchen", 1.0, True), _d("C-H3", "kitchen", 2.0, True, at="07:30")],
        ),
        "SC-C": ("disposal", [_d("C-H6", "other", 4.0, False), _d("C-H7", "other", 1.0, True)]),
        "TRK": ("truck_collection", [_t("BIN-A-K", 30), _t("BIN-C-O", 70)]),
        "WB": ("plant_intake", [_w("kitchen", 500)]),
    },
}  # fmt: skip


@dataclass
class Sorting:
    tiny: object
    communities: dict = field(default_factory=dict)
    points: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    household_pks: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    now: datetime = SENT[DAY2]


def send(sorting: Sorting, day: date) -> Outcome:
    """Ingest the messages of ``day``, each device's with its own token, at ``SENT[day]``."""
    total = Outcome()
    with time_machine.travel(SENT[day], tick=False):
        for code, (kind, records) in MESSAGES[day].items():
            records = [json.loads(json.dumps(r).replace("{day}", day.isoformat())) for r in records]
            message = {"id": f"{code}-{day}", "kind": kind, "records": records}
            outcome = ingest(
                messages=parse_array(json.dumps([message])), sender=sorting.devices[code]
            )
            assert outcome.quarantined == 0, outcome.results
            total.accepted += outcome.accepted
            total.duplicates += outcome.duplicates
            total.records += outcome.records
    return total


def build(tiny) -> Sorting:
    sorting = Sorting(tiny)
    sorting.communities = {k: tiny.communities[code] for k, code in COMMUNITIES.items()}
    for key, bins in {"A": ("kitchen", "other"), "B": ("recyclable",), "C": ("other",)}.items():
        point = CollectionPoint.objects.create(
            code=f"P-{key}",
            name=f"{key}厢房",
            kind=PointKind.MULTI_SORT_ROOM,
            community=sorting.communities[key],
            lon=114.11,
            lat=22.55,
        )
        sorting.points[key] = point
        for waste_type in bins:
            Bin.objects.create(
                point=point,
                waste_type=waste_type,
                capacity_litres=240,
                rfid_tag=f"BIN-{key}-{waste_type[0].upper()}",
            )
    devices = {
        "SC-A": (DeviceKind.SMART_SCALE, "A"),
        "SC-B": (DeviceKind.SMART_SCALE, "B"),
        "SC-C": (DeviceKind.SMART_SCALE, "C"),
        "SC-C2": (DeviceKind.SMART_SCALE, "C"),
        "SC-OFF": (DeviceKind.SMART_SCALE, "B"),
        "CAM-A": (DeviceKind.AI_CAMERA, "A"),
        "TRK": (DeviceKind.TRUCK_UNIT, None),
        "WB": (DeviceKind.WEIGHBRIDGE, None),
    }
    for code, (kind, at) in devices.items():
        where = {"point": sorting.points[at]} if at else {"truck_plate": f"粤B{code}"}
        sorting.devices[code], sorting.tokens[code] = device_create(code=code, kind=kind, **where)
    Device.objects.filter(code="SC-OFF").update(is_active=False)
    Device.objects.update(created_at=datetime(2026, 11, 19, 16, 0, tzinfo=UTC))  # 11-20 00:00
    for code, home in HOMES.items():
        household = Household.objects.create(code=code, community=sorting.communities[home])
        HouseholdCard.objects.create(household=household, card_id=f"C-{code}")
        sorting.household_pks[code] = household.pk
    for n, active in ((1, True), (2, True), (3, False)):
        sorting.categories[n] = VenueCategory.objects.create(
            code=f"CAT{n}", name=f"类别{n}", order=n, is_active=active
        )
    for code, (home, category, sorting_in_place, active) in {
        "V1": ("A", 1, True, True),
        "V2": ("A", 2, False, True),
        "V3": ("C", 1, True, True),
        "V4": ("D", 3, True, True),
        "V5": ("D", 1, True, False),
    }.items():
        Venue.objects.create(
            code=code,
            name=code,
            category=sorting.categories[category],
            community=sorting.communities[home],
            sorting_in_place=sorting_in_place,
            is_active=active,
        )
    return sorting


def make(tiny):
    """The body of a ``sorting`` fixture: build, send both days, then stay at day 2, 10:00."""
    with time_machine.travel(SENT[DAY1], tick=False):
        built = build(tiny)
    send(built, DAY1)
    send(built, DAY2)
    with time_machine.travel(SENT[DAY2], tick=False):
        yield built


def snapshot() -> set[tuple]:
    """Every roll-up row as a comparable tuple (weights rounded against summation order)."""
    rows = set()
    for r in PointDay.objects.all():
        rows.add(
            (
                "point_day",
                r.point_id,
                r.day,
                r.waste_type,
                r.disposals,
                r.judged,
                r.correct,
                round(r.disposed_kg, 6),
                r.collections,
                round(r.collected_kg, 6),
                r.alarms,
            )
        )
    rows |= {
        ("street_day", r.day, r.street_id, r.waste_type, r.disposals, r.judged, r.correct,
         round(r.disposed_kg, 6), r.collections, round(r.collected_kg, 6), r.alarms)
        for r in StreetDay.objects.all()
    }  # fmt: skip
    rows |= {
        ("plant_day", r.day, r.waste_type, r.intakes, round(r.treated_kg, 6))
        for r in PlantDay.objects.all()
    }
    rows |= {("household_day", *r) for r in HouseholdDay.objects.values_list("household", "day")}
    rows |= {
        ("household_month", *r) for r in HouseholdMonth.objects.values_list("household", "month")
    }
    rows |= {
        ("community_day", *r)
        for r in CommunityDay.objects.values_list("community", "street", "day", "households")
    }
    rows |= {
        ("community_month", *r)
        for r in CommunityMonth.objects.values_list("community", "street", "month", "households")
    }
    rows |= {("device_day", *r) for r in DeviceDay.objects.values_list("device", "day")}
    return rows
