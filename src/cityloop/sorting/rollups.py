"""Roll-ups of §4, kept up to date as records are stored (installed as a listener of the
ingestion pipeline, ``cityloop.devices.hooks``: ``plan`` before its transaction, ``apply`` inside
it, with the records stored for the first time), and rebuilt from records on demand.

``apply`` is set-based: the batch is summed in Python (dicts keyed by point/day/type,
household/day, …) and written with a handful of ``executemany`` upserts
(``INSERT … ON CONFLICT … DO UPDATE SET n = table.n + excluded.n``, the same SQL on SQLite and
PostgreSQL), rows in key order so that concurrent workers on PostgreSQL lock them in the same
order and cannot deadlock. Distinct households per community and day (or month) are counted by
inserting ``(household, day)`` with ``ON CONFLICT DO NOTHING RETURNING``: only the rows the
database really inserted add to ``CommunityDay``/``CommunityMonth``, so two workers that see the
same household at once still count it once.

``rebuild`` recomputes a period (widened to whole months) with SQL ``GROUP BY`` over ``Record``,
independently of ``apply``; tests prove both give the same roll-ups (docs/indicators.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from cityloop.devices import device_days, filing
from cityloop.devices.choices import MessageKind
from cityloop.devices.fields import json_values
from cityloop.devices.models import Record
from cityloop.devices.stored import Stored
from cityloop.devices.upserts import upsert
from cityloop.org.models import Unit
from cityloop.sorting.models import (
    CollectionPoint,
    CommunityDay,
    CommunityMonth,
    Household,
    HouseholdDay,
    HouseholdMonth,
    PlantDay,
    PointDay,
    StreetDay,
)

POINT_SUMS = (
    "disposals",
    "judged",
    "correct",
    "disposed_kg",
    "collections",
    "collected_kg",
    "alarms",
)
POINT_KINDS = (MessageKind.DISPOSAL, MessageKind.TRUCK_COLLECTION, MessageKind.AI_ALARM)


@dataclass(slots=True)
class PointSums:
    """A point's sums for one day and waste type (the sum columns of ``PointDay``, in the
    order of ``POINT_SUMS``)."""

    disposals: int = 0
    judged: int = 0
    correct: int = 0
    disposed_kg: float = 0.0
    collections: int = 0
    collected_kg: float = 0.0
    alarms: int = 0

    def values(self) -> tuple[int, int, int, float, int, float, int]:
        """The sums in the order of ``POINT_SUMS`` (the columns ``_add_point_days`` writes)."""
        return (
            self.disposals,
            self.judged,
            self.correct,
            self.disposed_kg,
            self.collections,
            self.collected_kg,
            self.alarms,
        )

    def add(self, other: PointSums) -> None:
        self.disposals += other.disposals
        self.judged += other.judged
        self.correct += other.correct
        self.disposed_kg += other.disposed_kg
        self.collections += other.collections
        self.collected_kg += other.collected_kg
        self.alarms += other.alarms


@dataclass(slots=True)
class PlantSums:
    """The plants' intake for one day and waste type (``PlantDay``)."""

    intakes: int = 0
    treated_kg: float = 0.0


@dataclass
class Plan:
    """A batch summed in Python, ready to be added (``plan`` then ``apply``)."""

    points: dict[tuple[int, date, str], PointSums]  # (point, day, waste type)
    plants: dict[tuple[date, str], PlantSums]  # (day, waste type)
    household_days: set[tuple[int, date]]
    units: dict[int, tuple[int, int]]  # point → (community, street)


def plan(stored: list[Stored]) -> Plan:
    """Sum ``stored`` per point/day/type, plant/day/type and household/day, and read the
    points' units: the work that needs no lock, done by ``ingest`` before its transaction."""
    points: dict[tuple[int, date, str], PointSums] = defaultdict(PointSums)
    plants: dict[tuple[date, str], PlantSums] = defaultdict(PlantSums)
    household_days: set[tuple[int, date]] = set()
    disposal, collection, alarm = (
        MessageKind.DISPOSAL,
        MessageKind.TRUCK_COLLECTION,
        MessageKind.AI_ALARM,
    )
    for s in stored:
        kind = s.kind
        if kind == disposal:
            if s.household_id is not None:
                household_days.add((s.household_id, s.day))
            if s.point_id is None:
                continue
            sums = points[(s.point_id, s.day, s.waste_type)]
            sums.disposals += 1
            if s.is_correct is not None:
                sums.judged += 1
                sums.correct += s.is_correct is True
            sums.disposed_kg += s.weight_kg or 0.0
        elif kind == collection:
            if s.point_id is None:
                continue
            sums = points[(s.point_id, s.day, s.waste_type)]
            sums.collections += 1
            sums.collected_kg += s.weight_kg or 0.0
        elif kind == alarm:
            if s.point_id is None:
                continue
            points[(s.point_id, s.day, s.waste_type)].alarms += 1
        elif kind == MessageKind.PLANT_INTAKE:
            intake = plants[(s.day, s.waste_type)]
            intake.intakes += 1
            intake.treated_kg += s.weight_kg or 0.0
    units = _units_of_points({point for point, _day, _type in points}) if points else {}
    return Plan(points, plants, household_days, units)


def apply(stored: list[Stored], planned: Plan | None = None, now: datetime | None = None) -> None:
    """Add ``stored`` (or its ``planned`` sums) to PointDay/StreetDay/PlantDay/HouseholdDay/
    HouseholdMonth/CommunityDay/CommunityMonth (the signature of a pipeline listener's
    ``apply``; the time is not needed: days are the records')."""
    sums = planned if planned is not None else plan(stored)
    with connection.cursor() as cursor:
        if sums.points:
            _add_point_days(cursor, sums.points, sums.units)
        if sums.plants:
            _add_plant_days(cursor, sums.plants)
        if sums.household_days:
            _add_households(cursor, sums.household_days)


def _units_of_points(point_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """point → (community, street), one query."""
    rows = CollectionPoint.objects.filter(pk__in=list(point_ids)).values_list(
        "pk", "community_id", "community__parent_id"
    )
    return {pk: (community, street) for pk, community, street in rows}


def _add_point_days(cursor, points: dict[tuple[int, date, str], PointSums], units: dict) -> None:
    rows = []
    streets: dict[tuple[date, int, str], PointSums] = defaultdict(PointSums)
    for key in sorted(points):
        point, day, waste_type = key
        if point not in units:  # a point deleted since the record came in
            continue
        community, street = units[point]
        sums = points[key]
        rows.append((point, community, street, day, waste_type, *sums.values()))
        streets[(day, street, waste_type)].add(sums)
    upsert(
        cursor,
        PointDay,
        ["point_id", "community_id", "street_id", "day", "waste_type"],
        list(POINT_SUMS),
        rows,
        conflict=["point_id", "day", "waste_type"],
    )
    upsert(
        cursor,
        StreetDay,
        ["day", "street_id", "waste_type"],
        list(POINT_SUMS),
        [(*key, *streets[key].values()) for key in sorted(streets)],
    )


def _add_plant_days(cursor, plants: dict[tuple[date, str], PlantSums]) -> None:
    rows = [
        (day, waste_type, plants[(day, waste_type)].intakes, plants[(day, waste_type)].treated_kg)
        for day, waste_type in sorted(plants)
    ]
    upsert(cursor, PlantDay, ["day", "waste_type"], ["intakes", "treated_kg"], rows)


# Per process: (household, day) and (household, month) pairs known to be stored, added only
# once the transaction that stored them has committed (a rolled-back batch teaches nothing). A
# household that disposes again the same day then costs no database work. Recent keys only.
_KNOWN_DAYS: dict[date, set[int]] = {}
_KNOWN_MONTHS: dict[date, set[int]] = {}
_KNOWN_KEYS = 3  # days or months kept: today, yesterday, the day before (bounded memory)


def _unknown(pairs, known: dict[date, set[int]]) -> list[tuple[int, date]]:
    return sorted(p for p in pairs if p[0] not in known.get(p[1], ()))


def _remember(days: list[tuple[int, date]], months: list[tuple[int, date]]) -> None:
    for pairs, known in ((days, _KNOWN_DAYS), (months, _KNOWN_MONTHS)):
        for household, when in pairs:
            known.setdefault(when, set()).add(household)
        for stale in sorted(known)[:-_KNOWN_KEYS]:
            del known[stale]


def forget() -> None:
    """Drop the per-process memory of stored households (when roll-ups are deleted)."""
    _KNOWN_DAYS.clear()
    _KNOWN_MONTHS.clear()


def _add_households(cursor, household_days: set[tuple[int, date]]) -> None:
    """Insert the (household, day) and (household, month) pairs; those really inserted add one
    household to their community's day and month."""
    days = _unknown(household_days, _KNOWN_DAYS)
    firsts = {day: day.replace(day=1) for day in {day for _h, day in household_days}}
    months = _unknown({(h, firsts[day]) for h, day in household_days}, _KNOWN_MONTHS)
    new_days = _insert_returning(cursor, HouseholdDay, "day", days)
    new_months = _insert_returning(cursor, HouseholdMonth, "month", months)
    if days or months:
        transaction.on_commit(lambda: _remember(days, months), using=connection.alias)
    if not new_days and not new_months:
        return
    homes = _homes({h for h, _d in new_days} | {h for h, _m in new_months})
    for model, column, pairs in (
        (CommunityDay, "day", new_days),
        (CommunityMonth, "month", new_months),
    ):
        counts: dict[tuple, int] = defaultdict(int)
        for household, when in pairs:
            if household in homes:
                counts[(*homes[household], when)] += 1
        rows = [(c, s, when, counts[(c, s, when)]) for c, s, when in sorted(counts)]
        upsert(
            cursor,
            model,
            ["community_id", "street_id", column],
            ["households"],
            rows,
            conflict=["community_id", column],
        )


def _homes(households: set[int]) -> dict[int, tuple[int, int]]:
    """household → (community, street), one query with the ids as one parameter."""
    home = connection.ops.quote_name(Household._meta.db_table)
    unit = connection.ops.quote_name(Unit._meta.db_table)
    where, param = f"h.id IN ({json_values(cast='bigint')})", json.dumps(sorted(households))
    sql = f"SELECT h.id, h.community_id, u.parent_id FROM {home} h JOIN {unit} u ON u.id = h.community_id WHERE {where}"  # noqa: S608, E501
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        return {pk: (community, street) for pk, community, street in cursor.fetchall()}


def _insert_returning(cursor, model, column: str, pairs: list[tuple[int, date]]) -> list[tuple]:
    """Insert ``(household, <column>)`` pairs, ignoring those already there; return the pairs
    the database inserted. The pairs travel as one JSON text parameter: a statement with tens
    of thousands of placeholders costs more to parse than to run, and psycopg adapts each
    element of a list parameter slowly (7 µs)."""
    if not pairs:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    columns = f"household_id, {column}"
    params = [json.dumps([(h, d.isoformat()) for h, d in pairs])]
    if connection.vendor == "postgresql":
        source = (
            "SELECT (value ->> 0)::bigint, (value ->> 1)::date FROM json_array_elements(%s::json)"
        )
    else:
        source = "SELECT value ->> 0, value ->> 1 FROM json_each(%s) WHERE true"
    sql = f"INSERT INTO {table} ({columns}) {source} ON CONFLICT ({columns}) DO NOTHING RETURNING {columns}"  # noqa: E501
    cursor.execute(sql, params)
    return [(household, _as_date(when)) for household, when in cursor.fetchall()]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# ---------------------------------------------------------------------------------------------
# Rebuild from records.


@dataclass
class Rebuilt:
    start: date
    end: date
    records: int = 0
    point_days: int = 0
    plant_days: int = 0
    household_days: int = 0
    household_months: int = 0
    community_days: int = 0
    community_months: int = 0
    device_days_added: int = 0

    def line(self) -> str:
        return (
            f"{self.start}..{self.end}: {self.records:,} records → {self.point_days:,} point-days, "
            f"{self.plant_days:,} plant-days, {self.household_days:,} household-days, "
            f"{self.household_months:,} household-months, {self.community_days:,} "
            f"community-days, {self.community_months:,} community-months, "
            f"{self.device_days_added:,} device-days added"
        )


def month_span(start: date, end: date) -> tuple[date, date]:
    """``start``..``end`` widened to whole months."""
    first = start.replace(day=1)
    following = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


@transaction.atomic
def rebuild(start_day: date, end_day: date, *, progress: Callable[[str], None] | None = None):
    """Recompute the roll-ups of ``start_day``..``end_day`` (widened to whole months) from the
    records, and add the devices' DeviceDay rows (``device_days.rebuild``); returns a ``Rebuilt``
    summary."""
    say = progress or (lambda _line: None)
    forget()
    start, end = month_span(start_day, end_day)
    summary = Rebuilt(start, end)
    # Records are found by their local day (the column the pipeline fills from the time in
    # TIME_ZONE) through the (day, household) index, after filing any record not yet in it
    # (``filing``); no index on the time itself is kept
    # (docs/decisions/0033-filing-in-arrears.md). The rebuild is one transaction, and on SQLite
    # it holds the write lock from its first statement (transaction_mode IMMEDIATE): no record
    # can arrive unfiled between the filing and the reads.
    filing.file_pending(every=0)
    in_period = Q(filed=True, day__range=(start, end))
    _clear(start, end)
    summary.records = Record.objects.filter(in_period).count()
    say(f"cleared {start}..{end}; {summary.records:,} records to roll up")
    summary.point_days = _rebuild_point_days(in_period)
    _rebuild_street_days(start, end)
    say(f"point-days: {summary.point_days:,}")
    summary.plant_days = _rebuild_plant_days(in_period)
    household_days, months = _rebuild_households(in_period)
    summary.household_days, summary.household_months = len(household_days), len(months)
    say(f"household-days: {summary.household_days:,}, household-months: {len(months):,}")
    summary.community_days, summary.community_months = _rebuild_communities(
        start, end, household_days, months
    )
    summary.device_days_added = device_days.rebuild(start, end)
    say(summary.line())
    return summary


def _clear(start: date, end: date) -> None:
    """Delete the roll-ups of the period (DeviceDay excepted: it is only added to)."""
    for model in (PointDay, StreetDay, PlantDay, HouseholdDay, CommunityDay):
        model.objects.filter(day__range=(start, end)).delete()
    for model in (HouseholdMonth, CommunityMonth):
        model.objects.filter(month__range=(start, end)).delete()


def _rebuild_point_days(in_period: Q) -> int:
    """PointDay from the disposals, truck collections and camera alarms at points (one
    ``GROUP BY`` over the records); returns the number of rows."""
    disposal = Q(kind=MessageKind.DISPOSAL)
    truck = Q(kind=MessageKind.TRUCK_COLLECTION)
    rows = (
        Record.objects.filter(in_period, kind__in=POINT_KINDS, point__isnull=False)
        .values(
            "point_id",
            "point__community_id",
            "point__community__parent_id",
            "day",
            "waste_type",
        )
        .annotate(
            disposals=Count("pk", filter=disposal),
            judged=Count("pk", filter=disposal & Q(is_correct__isnull=False)),
            correct=Count("pk", filter=disposal & Q(is_correct=True)),
            disposed_kg=Sum("weight_kg", filter=disposal, default=0.0),
            collections=Count("pk", filter=truck),
            collected_kg=Sum("weight_kg", filter=truck, default=0.0),
            alarms=Count("pk", filter=Q(kind=MessageKind.AI_ALARM)),
        )
    )
    point_days = [
        PointDay(
            point_id=r["point_id"],
            community_id=r["point__community_id"],
            street_id=r["point__community__parent_id"],
            day=r["day"],
            waste_type=r["waste_type"],
            **{name: r[name] for name in POINT_SUMS},
        )
        for r in rows.iterator()
    ]
    PointDay.objects.bulk_create(point_days, batch_size=2_000)
    return len(point_days)


def _rebuild_street_days(start: date, end: date) -> None:
    """StreetDay: the sums of the period's (rebuilt) PointDay rows per street."""
    street_days = (
        PointDay.objects.filter(day__range=(start, end))
        .values("day", "street_id", "waste_type")
        .annotate(**{name: Sum(name) for name in POINT_SUMS})
        .order_by()
    )
    StreetDay.objects.bulk_create(
        (StreetDay(**row) for row in street_days.iterator()), batch_size=2_000
    )


def _rebuild_plant_days(in_period: Q) -> int:
    """PlantDay from the weighbridges' intake records; returns the number of rows."""
    plant = (
        Record.objects.filter(in_period, kind=MessageKind.PLANT_INTAKE)
        .values("day", "waste_type")
        .annotate(intakes=Count("pk"), treated_kg=Sum("weight_kg", default=0.0))
    )
    plant_days = [
        PlantDay(
            day=r["day"],
            waste_type=r["waste_type"],
            intakes=r["intakes"],
            treated_kg=r["treated_kg"],
        )
        for r in plant
    ]
    PlantDay.objects.bulk_create(plant_days)
    return len(plant_days)


def _rebuild_households(in_period: Q) -> tuple[list[tuple[int, date]], list[tuple[int, date]]]:
    """HouseholdDay and HouseholdMonth: the distinct households that disposed, per day and per
    month (its first day); returns both lists of (household, day or month)."""
    pairs = (
        Record.objects.filter(in_period, kind=MessageKind.DISPOSAL, household__isnull=False)
        .values_list("household_id", "day")
        .distinct()
    )
    days = list(pairs.iterator())
    HouseholdDay.objects.bulk_create(
        [HouseholdDay(household_id=h, day=d) for h, d in days], batch_size=5_000
    )
    months = sorted({(h, d.replace(day=1)) for h, d in days})
    HouseholdMonth.objects.bulk_create(
        [HouseholdMonth(household_id=h, month=m) for h, m in months], batch_size=5_000
    )
    return days, months


def _rebuild_communities(
    start: date,
    end: date,
    household_days: list[tuple[int, date]],
    household_months: list[tuple[int, date]],
) -> tuple[int, int]:
    """CommunityDay and CommunityMonth: the households of each community (and its street) that
    disposed per day and per month; returns the number of rows of each."""
    homes = dict(
        (pk, (c, s))
        for pk, c, s in Household.objects.filter(
            pk__in=HouseholdMonth.objects.filter(month__range=(start, end)).values("household_id")
        ).values_list("pk", "community_id", "community__parent_id")
    )
    written = []
    for model, column, source in (
        (CommunityDay, "day", household_days),
        (CommunityMonth, "month", household_months),
    ):
        counts: dict[tuple, int] = defaultdict(int)
        for household, when in source:
            if household in homes:
                counts[(*homes[household], when)] += 1
        model.objects.bulk_create(
            [
                model(community_id=c, street_id=s, households=n, **{column: when})
                for (c, s, when), n in sorted(counts.items())
            ],
            batch_size=5_000,
        )
        written.append(len(counts))
    return written[0], written[1]
