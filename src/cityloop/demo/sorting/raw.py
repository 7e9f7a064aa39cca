"""The raw days: the year's last days sent as device messages through the real ingestion
pipeline (``cityloop.devices.ingest.ingest``), as the stations' gateways, the trucks and the
weighbridges would send them, so that their records, roll-ups, alarm cases and collection
tasks are the pipeline's own.

Each station's gateway (its smart scale or RFID reader) sends an hourly batch of disposals and
forwards its camera's alarms and its fill sensor's readings every three hours; each truck
sends its evening round in one batch, each weighbridge its day's intakes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import transaction

from cityloop.demo.sorting.model import (
    HAZARDOUS_BAG,
    HOURS,
    JUDGED,
    KITCHEN_BAG,
    MEAN_KG,
    OTHER_WITH_KITCHEN,
    RECYCLABLE_BAG,
    TYPES,
    WEIGHT_SHAPE,
    K,
    R,
    X,
    Year,
    Z,
)
from cityloop.devices.choices import MessageKind
from cityloop.devices.ingest import Raw, ingest, writer_turn
from cityloop.sorting.choices import AlarmKind

ALARM_MIX = [
    (AlarmKind.MIXED_DISPOSAL, 0.4),
    (AlarmKind.BAG_ON_GROUND, 0.35),
    (AlarmKind.LITTERING, 0.15),
    (AlarmKind.OVERFLOW, 0.1),
]
FILL_HOURS = range(2, 24, 3)
BATCH_RECORDS = 5_000
CUMULATIVE = np.cumsum(HOURS)


@dataclass
class RawSummary:
    messages: int = 0
    records: int = 0
    alarms: int = 0
    fill_readings: int = 0
    quarantined: int = 0


def send_day(year: Year, d: int, summary: RawSummary) -> None:
    """Send day ``d``'s messages in gateway batches of about BATCH_RECORDS records."""
    batch, size = [], 0
    for raw, count in _messages(year, d):
        batch.append(raw)
        size += count
        if size >= BATCH_RECORDS:
            _send(batch, summary)
            batch, size = [], 0
    if batch:
        _send(batch, summary)


def _send(batch: list[Raw], summary: RawSummary) -> None:
    # The writer's turn first, then the transaction (an ingest worker may be writing too).
    with writer_turn(), transaction.atomic():
        outcome = ingest(messages=batch)
    summary.messages += outcome.accepted
    summary.records += outcome.records
    summary.quarantined += outcome.quarantined


def _raw(value: dict, sender) -> tuple[Raw, int]:
    count = len(value.get("records", ())) or 1
    return Raw(text=json.dumps(value, ensure_ascii=False), value=value, sender=sender), count


def _messages(year: Year, d: int) -> Iterator[tuple[Raw, int]]:
    day = year.days[d]
    rng = np.random.default_rng([year.seed, 41, d])
    pick = random.Random(year.seed * 1_000_003 + day.toordinal())
    registry = year.registry
    starts = [*year.starts, len(registry.household_point)]
    for s in range(len(registry.stations)):
        if year.gateway_up[s, d]:
            households = range(starts[s], starts[s + 1])
            yield from _disposals(year, d, s, households, rng)
        if year.camera_up[s, d]:
            yield from _alarms(year, d, s, rng, pick)
        if year.fill_up[s, d]:
            yield from _fill(year, d, s, rng)
    yield from _collections(year, d, day, rng)
    yield from _intakes(year, d, day)


def _time(day: date, minute: int, second: int = 0) -> str:
    hour, minute = divmod(int(minute), 60)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{int(second):02d}+08:00"


def _disposals(year: Year, d: int, s: int, households: range, rng) -> Iterator[tuple[Raw, int]]:
    """One household's bags of the day: kitchen (often), other (when no kitchen bag, always),
    sometimes recyclables and, rarely, hazardous waste at a multi-sort point."""
    registry, day = year.registry, year.days[d]
    station = registry.stations[s]
    community = np.array([station.community])
    judged_up = bool(year.camera_up[s, d])
    rates = {t: float(year.correct_rate(community, t, d)[0]) for t in range(len(TYPES))}
    by_hour: dict[int, list[dict]] = {}
    for h in households:
        if not year.recorded[h, d]:
            continue
        bags = [K] if rng.random() < KITCHEN_BAG else []
        if not bags or rng.random() < OTHER_WITH_KITCHEN:
            bags.append(X)
        if station.multi and rng.random() < RECYCLABLE_BAG:
            bags.append(R)
        if station.multi and rng.random() < HAZARDOUS_BAG:
            bags.append(Z)
        minute = int(rng.choice(24, p=HOURS)) * 60 + int(rng.integers(60))
        for n, t in enumerate(bags):
            record = {
                "time": _time(day, minute, rng.integers(60) if n == 0 else 30 + n),
                "card": registry.cards[h],
                "bin_type": TYPES[t],
                "weight_kg": round(float(rng.gamma(WEIGHT_SHAPE, MEAN_KG[t] / WEIGHT_SHAPE)), 2),
            }
            if judged_up and rng.random() < JUDGED:
                rate = rates[t] * (0.35 if year.offender[h] else 1.0)
                record["is_correct"] = bool(rng.random() < rate)
                if not record["is_correct"]:
                    record["photo"] = f"photo/{station.camera.code}/{day:%Y%m%d}/{h}-{n}.jpg"
            by_hour.setdefault(minute // 60, []).append(record)
    gateway = station.gateway
    for hour in sorted(by_hour):
        records = sorted(by_hour[hour], key=lambda r: r["time"])
        message = {
            "id": f"{day:%Y%m%d}{hour:02d}",
            "device": gateway.code,
            "kind": MessageKind.DISPOSAL.value,
            "records": records,
        }
        yield _raw(message, gateway)


def _alarms(year: Year, d: int, s: int, rng, pick: random.Random) -> Iterator[tuple[Raw, int]]:
    station, day = year.registry.stations[s], year.days[d]
    camera = station.camera
    for n in range(int(year.points.alarms[s, d])):
        kind = pick.choices([k for k, _ in ALARM_MIX], weights=[w for _, w in ALARM_MIX])[0]
        minute = int(rng.choice(24, p=HOURS)) * 60 + int(rng.integers(60))
        record = {
            "time": _time(day, minute, rng.integers(60)),
            "alarm": kind.value,
            "confidence": round(float(rng.uniform(0.5, 0.99)), 2),
            "snapshot": f"snap/{camera.code}/{day:%Y%m%d}/{minute:04d}-{n}.jpg",
        }
        message = {"id": f"{day:%Y%m%d}-{n}", "device": camera.code, "kind": "ai_alarm"}
        yield _raw({**message, "record": record}, station.gateway)


def _fill(year: Year, d: int, s: int, rng) -> Iterator[tuple[Raw, int]]:
    """Levels of the kitchen and other bins every three hours: the share of the day's
    disposals so far (the bins are emptied in the evening round) times how full the point's
    bins get by then."""
    station, day = year.registry.stations[s], year.days[d]
    collected = int(rng.integers(21 * 60 + 30, 23 * 60))
    sensor = station.fill
    for hour in FILL_HOURS:
        records = []
        for t in (K, X):
            tags = station.bins.get(TYPES[t], [])
            if not tags:
                continue
            load = year.crowding[s] * (1.0 if t == K else 0.9)
            share = CUMULATIVE[hour] - (CUMULATIVE[collected // 60] if hour * 60 > collected else 0)
            for tag in tags:
                level = min(1.0, max(0.0, float(load * share) + float(rng.normal(0, 0.03))))
                records.append(
                    {"time": _time(day, hour * 60), "bin_rfid": tag, "bin_type": TYPES[t],
                     "level": round(level, 2)}
                )  # fmt: skip
        if records:
            message = {"id": f"{day:%Y%m%d}{hour:02d}", "device": sensor.code, "kind": "fill_level"}
            yield _raw({**message, "records": records}, station.gateway)


def _collections(year: Year, d: int, day: date, rng) -> Iterator[tuple[Raw, int]]:
    """Each truck's evening round: one record per bin emptied, in one message."""
    registry, points = year.registry, year.points
    rounds: dict[int, list[dict]] = {}
    for s, station in enumerate(registry.stations):
        start = int(rng.integers(21 * 60 + 30, 23 * 60))
        for t, waste_type in enumerate(TYPES):
            kg = float(points.collected_kg[t, s, d])
            tags = station.bins.get(waste_type, [])
            if kg <= 0 or not tags:
                continue
            carrier = station.trucks[TYPES[K] if t == K else TYPES[X] if t == X else TYPES[R]]
            rate = float(year.correct_rate(np.array([station.community]), t, d)[0])
            for n, tag in enumerate(tags):
                rounds.setdefault(carrier, []).append(
                    {
                        "time": _time(day, start + n, 10 * t),
                        "bin_rfid": tag,
                        "bin_type": waste_type,
                        "weight_kg": round(kg / len(tags), 1),
                        "sorting_score": round(
                            min(100.0, max(0.0, 100 * rate + float(rng.normal(0, 4)))), 1
                        ),
                        "plate": registry.trucks[carrier].truck.plate,
                    }
                )
    for carrier in sorted(rounds):
        device = registry.trucks[carrier].device
        message = {
            "id": f"{day:%Y%m%d}",
            "device": device.code,
            "kind": "truck_collection",
            "records": sorted(rounds[carrier], key=lambda r: r["time"]),
        }
        yield _raw(message, device)


def _intakes(year: Year, d: int, day: date) -> Iterator[tuple[Raw, int]]:
    registry = year.registry
    by_bridge: dict[int, list[dict]] = {}
    for bridge, truck, waste_type, net, minute in year.plant_loads(d):
        unit = registry.trucks[truck]
        by_bridge.setdefault(bridge, []).append(
            {
                "time": _time(day, minute),
                "plate": unit.truck.plate,
                "waste_type": waste_type,
                "gross_kg": float(net + unit.tare_kg),
                "tare_kg": float(unit.tare_kg),
                "net_kg": net,
            }
        )
    for bridge in sorted(by_bridge):
        device = registry.weighbridges[bridge][0]
        message = {
            "id": f"{day:%Y%m%d}",
            "device": device.code,
            "kind": "plant_intake",
            "records": sorted(by_bridge[bridge], key=lambda r: r["time"]),
        }
        yield _raw(message, device)
