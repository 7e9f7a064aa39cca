"""``cityloop demo``'s garbage-sorting year: registries, a year of roll-ups written in bulk, and
the last days sent through the ingestion pipeline (docs/demo.md, decision 0028).

The bulk days become roll-up rows directly (``PointDay``, ``PlantDay``, ``CommunityDay``,
``HouseholdMonth``, ``CommunityMonth``, ``DeviceDay``), exactly the rows the pipeline would
have written for the records the model describes; their raw records are not kept. The raw
days go through ``ingest`` and keep their records, alarm cases and collection tasks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from cityloop.core.bulk import bulk_append
from cityloop.core.progress import Progress
from cityloop.demo.history.generate import _sqlite_cache
from cityloop.demo.sorting import raw
from cityloop.demo.sorting.model import TYPES, Year
from cityloop.demo.sorting.registry import DEFAULT_HOUSEHOLDS, build_registry
from cityloop.demo.sorting.venues import build_venues
from cityloop.devices.models import Device, DeviceDay, Message, QuarantinedMessage, Record
from cityloop.sorting.models import (
    AlarmCase,
    Bin,
    CollectionPoint,
    CollectionTask,
    CollectionTaskEvent,
    CommunityDay,
    CommunityMonth,
    EvidenceItem,
    EvidencePackage,
    Household,
    HouseholdCard,
    HouseholdDay,
    HouseholdMonth,
    PlantDay,
    PointDay,
    StreetDay,
    Truck,
    Venue,
    VenueCategory,
)
from cityloop.worktime.clock import SHANGHAI

DEFAULT_RAW_DAYS = 3
ALARM_ROW = ""  # camera alarms carry no waste type: the pipeline counts them on this row


@dataclass
class SortingSummary:
    counts: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None
    bulk_days: int = 0
    raw_days: int = 0
    raw: raw.RawSummary = field(default_factory=raw.RawSummary)
    rows: int = 0
    participation: float = 0.0
    correct: float = 0.0
    kitchen_share: float = 0.0
    online: float = 0.0
    seconds: float = 0.0

    def line(self) -> str:
        c = self.counts
        raw_part = (
            f"{self.raw_days} raw days through the pipeline ({self.raw.records:,} records)"
            if self.raw_days
            else "no raw days"
        )
        return (
            f"demo sorting: {c.get('points', 0):,} points, {c.get('devices', 0):,} devices, "
            f"{c.get('households', 0):,} households, {c.get('venues', 0):,} venues; "
            f"{self.first_day} – {self.last_day}: {self.bulk_days} days of roll-ups "
            f"({self.rows:,} rows), {raw_part}; participation {self.participation:.1%}, "
            f"correct sorting {self.correct:.1%}, kitchen {self.kitchen_share:.1%} of the "
            f"collected weight, devices online {self.online:.1%} in {self.seconds:.1f} s"
        )


def sorting_exists() -> bool:
    return CollectionPoint.objects.exists()


SORTING_TABLES = [
    EvidenceItem, EvidencePackage, AlarmCase, CollectionTaskEvent, CollectionTask, DeviceDay,
    CommunityMonth,
    CommunityDay, HouseholdMonth, HouseholdDay, PlantDay, StreetDay, PointDay, Record, Message,
    QuarantinedMessage, HouseholdCard, Household, Bin, Venue, VenueCategory, Truck,
]  # fmt: skip


@transaction.atomic
def delete_sorting() -> None:
    """Remove every garbage-sorting registry, record and roll-up (``cityloop demo --reset``);
    the cases alarms opened go with the cases."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in SORTING_TABLES:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 (our tables)
        table = quote(Device._meta.db_table)
        cursor.execute(f"UPDATE {table} SET gateway_id = NULL")  # noqa: S608
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(CollectionPoint._meta.db_table)}")  # noqa: S608


def generate_sorting(
    *,
    seed: int,
    until: date | None = None,
    days: int = 365,
    households: int = DEFAULT_HOUSEHOLDS,
    raw_days: int = DEFAULT_RAW_DAYS,
    progress: Progress | None = None,
) -> SortingSummary:
    """Registries, ``days`` days of roll-ups ending the day before ``until`` (default: today,
    Asia/Shanghai), the last ``raw_days`` of them (days already over) through the pipeline."""
    started = time.monotonic()
    progress = progress or Progress()
    until = until or timezone.localdate()
    day_list = [until - timedelta(days=days - k) for k in range(days)]
    summary = SortingSummary(first_day=day_list[0], last_day=day_list[-1])
    progress.stage(f"demo sorting: points, bins, devices, {households:,} households, venues")
    with transaction.atomic():
        registry = build_registry(seed=seed, households=households)
        # The devices were installed before the history began: the online rate counts each
        # device's days from its ``created_at``.
        installed = datetime.combine(day_list[0], clock_time(0), SHANGHAI)
        Device.objects.filter(created_at__gte=installed).update(created_at=installed)
        progress.stage(f"demo sorting: the model of {days} days")
        year = Year(registry, seed, day_list)
        bad = set(np.flatnonzero(year.bad).tolist())
        summary.counts = {**registry.counts, **build_venues(seed=seed, until=until, bad=bad)}
    raw_set = _raw_days(day_list, raw_days, summary)
    bulk = [d for d in range(len(day_list)) if d not in raw_set]
    summary.bulk_days, summary.raw_days = len(bulk), len(raw_set)
    progress.stage(f"demo sorting: {len(bulk)} days of roll-ups in bulk")
    summary.rows = _write_bulk(year, bulk, raw_set, progress)
    for n, d in enumerate(sorted(raw_set), start=1):
        progress.stage(f"demo sorting: raw day {day_list[d]} through the pipeline")
        raw.send_day(year, d, summary.raw)
        progress.step("raw days", n, len(raw_set), force=True)
    _last_seen(year, until)
    _rates(year, summary)
    summary.seconds = time.monotonic() - started
    return summary


def _raw_days(day_list: list[date], wanted: int, summary: SortingSummary) -> set[int]:
    """The last ``wanted`` days that are already over (the pipeline refuses the future)."""
    if wanted <= 0:
        return set()
    today = timezone.localdate()
    over = [d for d, day in enumerate(day_list) if day < today]
    return set(over[-wanted:])


# --- bulk roll-ups -------------------------------------------------------------------------
def _write_bulk(year: Year, bulk: list[int], raw_days: set[int], progress: Progress) -> int:
    """A month of days per transaction, then the months and the devices' days."""
    rows = 0
    chunks = [bulk[i : i + 31] for i in range(0, len(bulk), 31)]
    with _sqlite_cache():
        for n, chunk in enumerate(chunks, start=1):
            with transaction.atomic():
                rows += _point_days(year, chunk) + _plant_days(year, chunk)
                rows += _community_days(year, chunk)
            progress.step("sorting days", n, len(chunks), force=n == len(chunks))
        with transaction.atomic():
            rows += _months(year, set(bulk), raw_days) + _device_days(year)
    return rows


def _day_values(year: Year) -> list:
    """Each day as the backend stores it (adapted once, not once per row)."""
    return [connection.ops.adapt_datefield_value(day) for day in year.days]


POINT_FIELDS = ["point_id", "community_id", "street_id", "day", "waste_type", "disposals", "judged",
                "correct", "disposed_kg", "collections", "collected_kg", "alarms"]  # fmt: skip


def _point_days(year: Year, chunk: list[int]) -> int:
    """The rows of each point, day and type with disposals or collections, and each point's
    camera alarms on the untyped row, found with numpy and written as plain values."""
    registry, p = year.registry, year.points
    stations = registry.stations
    point = np.array([s.point.pk for s in stations])
    community = np.array([s.point.community_id for s in stations])
    street = np.array([registry.streets[s.community] for s in stations])
    days, values = np.array(chunk), _day_values(year)
    busy = (p.disposals[:, :, days] > 0) | (p.collections[:, :, days] > 0)
    s, c, t = np.nonzero(busy.transpose(1, 2, 0))  # in the unique index's order
    d = days[c]
    rows = list(
        zip(
            point[s].tolist(), community[s].tolist(), street[s].tolist(),
            [values[k] for k in d.tolist()], [TYPES[k] for k in t.tolist()],
            p.disposals[t, s, d].tolist(), p.judged[t, s, d].tolist(),
            p.correct[t, s, d].tolist(), np.round(p.disposed_kg[t, s, d], 2).tolist(),
            p.collections[t, s, d].tolist(), p.collected_kg[t, s, d].tolist(),
            [0] * len(d),
            strict=True,
        )
    )  # fmt: skip
    s, c = np.nonzero(p.alarms[:, days])
    d = days[c]
    ids = list(zip(point.tolist(), community.tolist(), street.tolist(), strict=True))
    rows += [
        (*ids[a], values[k], ALARM_ROW, 0, 0, 0, 0.0, 0, 0.0, n)
        for a, k, n in zip(s.tolist(), d.tolist(), p.alarms[s, d].tolist(), strict=True)
    ]
    written = bulk_append(model=PointDay, fields=POINT_FIELDS, rows=rows)
    return written + _street_days(rows)


def _street_days(point_rows: list[tuple]) -> int:
    """``StreetDay``: the point rows summed per street, day and type (as the pipeline keeps
    them beside ``PointDay``)."""
    sums: dict[tuple, list] = {}
    for _point, _community, street, day, waste_type, *values in point_rows:
        found = sums.get((day, street, waste_type))
        if found is None:
            sums[(day, street, waste_type)] = list(values)
        else:
            for i, value in enumerate(values):
                found[i] += value
    rows = [(street, day, waste_type, *values)
            for (day, street, waste_type), values in sorted(sums.items())]  # fmt: skip
    return bulk_append(model=StreetDay, fields=["street_id", *POINT_FIELDS[3:]], rows=rows)


def _plant_days(year: Year, chunk: list[int]) -> int:
    rows, values = [], _day_values(year)
    for d in chunk:
        totals: dict[str, list] = {}
        for _bridge, _truck, waste_type, net, _minute in year.plant_loads(d):
            row = totals.setdefault(waste_type, [0, 0.0])
            row[0] += 1
            row[1] += net
        rows += [(values[d], t, n, kg) for t, (n, kg) in sorted(totals.items())]
    return bulk_append(
        model=PlantDay, fields=["day", "waste_type", "intakes", "treated_kg"], rows=rows
    )


def _community_days(year: Year, chunk: list[int]) -> int:
    registry, rows, values = year.registry, [], _day_values(year)
    for d in chunk:
        counts = year.community_days(d)
        rows += [
            (community.pk, registry.streets[c], values[d], int(counts[c]))
            for c, community in enumerate(registry.communities)
            if counts[c]
        ]
    fields = ["community_id", "street_id", "day", "households"]
    return bulk_append(model=CommunityDay, fields=fields, rows=rows)


def _months(year: Year, bulk: set[int], raw_days: set[int]) -> int:
    """Households that disposed in each month (on its bulk days: the raw days add theirs
    through the pipeline) counted per community. The households themselves (``HouseholdMonth``,
    what the pipeline checks to count a household once a month) only for the months that
    records may still reach: those of the raw days and the last month (decision 0028)."""
    registry = year.registry
    community = year.point_community[registry.household_point]
    open_months = {year.days[d].replace(day=1) for d in raw_days | {len(year.days) - 1}}
    rows = 0
    for month, positions in year.months():
        days = [d for d in positions if d in bulk]
        if not days:
            continue
        disposed = year.recorded[:, days].any(axis=1)
        if month in open_months:
            stored = connection.ops.adapt_datefield_value(month)
            rows += bulk_append(
                model=HouseholdMonth,
                fields=["household_id", "month"],
                rows=[(h, stored) for h in registry.household_ids[disposed].tolist()],
            )
        counts = np.bincount(community[disposed], minlength=len(registry.communities))
        rows += bulk_append(
            model=CommunityMonth,
            fields=["community_id", "street_id", "month", "households"],
            rows=[
                (c.pk, registry.streets[i], month, int(counts[i]))
                for i, c in enumerate(registry.communities)
                if counts[i]
            ],
        )
    return rows


def _device_day_rows(year: Year) -> Iterator[tuple[int, object]]:
    """Every day each device was up and sending: station devices by their uptime, trucks on
    the days they collected, weighbridges on the days they weighed a load (streamed)."""
    registry, values = year.registry, _day_values(year)
    for s, device, up in _station_devices(year):
        for d in np.flatnonzero(up[s]).tolist():
            yield device.pk, values[d]
    for d, day in enumerate(values):
        loads = year.plant_loads(d)
        for t in sorted({load[1] for load in loads}):
            yield registry.trucks[t].device.pk, day
        for b in sorted({load[0] for load in loads}):
            yield registry.weighbridges[b][0].pk, day


def _station_devices(year: Year):
    """(station position, device, the uptime array of its kind) of every station device."""
    for s, station in enumerate(year.registry.stations):
        yield s, station.gateway, year.gateway_up
        yield s, station.camera, year.camera_up
        yield s, station.fill, year.fill_up


def _device_days(year: Year) -> int:
    return bulk_append(model=DeviceDay, fields=["device_id", "day"], rows=_device_day_rows(year))


def _last_seen(year: Year, until: date) -> None:
    """Devices up on the last day were last seen at its end (the pipeline sets the time it
    received the raw days' messages)."""
    last = len(year.days) - 1
    moment = datetime.combine(until, clock_time(0), SHANGHAI) - timedelta(minutes=5)
    up = [device.pk for s, device, state in _station_devices(year) if state[s, last]]
    Device.objects.filter(pk__in=up, last_seen_at__isnull=True).update(last_seen_at=moment)


def _rates(year: Year, summary: SortingSummary) -> None:
    p = year.points
    households = max(1, len(year.registry.household_ids))
    summary.participation = float(year.recorded.sum() / (households * max(1, len(year.days))))
    judged = p.judged.sum()
    summary.correct = float(p.correct.sum() / judged) if judged else 0.0
    collected = p.collected_kg.sum()
    summary.kitchen_share = float(p.collected_kg[0].sum() / collected) if collected else 0.0
    up = year.gateway_up.sum() + year.camera_up.sum() + year.fill_up.sum()
    summary.online = float(up / (3 * year.gateway_up.size)) if year.gateway_up.size else 0.0
