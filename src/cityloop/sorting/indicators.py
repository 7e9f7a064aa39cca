"""Garbage-sorting indicators (docs/indicators.md), computed from the roll-ups only, never from
records.

Contract (for the dashboard and the API; formulas and sources in docs/indicators.md):

- ``unit`` is an ``org.Unit`` of kind district, street or community (others: ``ValueError``).
  A district covers every point of its streets and every device (trucks and plant weighbridges
  too); a street or community covers the points (and their devices) of its communities.
- ``Period.of_day(d)`` / ``Period.of_month(d)`` (any day of the month): local days (Asia/Shanghai),
  ``start`` and ``end`` inclusive, ``grain`` "day" or "month".
- Rates are fractions in [0, 1], or ``None`` when their denominator is 0 (show "—").
  Tonnages are tonnes, per waste type (``WasteType`` values: kitchen, recyclable, hazardous,
  other), every type present (0.0 when nothing).

``summary(unit, period) -> Indicators``
    Every indicator of one unit for one day or month.
``ranking(unit, period, *, by="correct_sorting_rate") -> list[Ranked]``
    The children of ``unit`` (streets of a district, communities of a street) ranked by ``by``
    (any rate field of ``Indicators``, see ``RATES``), best first; children without a value
    come last with ``rank`` None. Each row carries the child's full ``Indicators``.
``trend(unit, start, end, *, grain="day") -> list[Indicators]``
    One ``Indicators`` per day (or per month with grain "month") from ``start`` to ``end``,
    in order, days without data included (zero counts; rates None where their denominator
    is 0). A day (or month) that reaches today is ``is_partial``: its figures are so far.
``point_rates(unit, start, end) -> list[PointRate]``
    Per collection point of ``unit`` (active points, with lon/lat for a map): disposals,
    judged, correct and the correct-sorting rate over the days ``start``..``end``.
``venue_coverage(unit) -> list[VenueCoverage]``
    Per supervised venue category: venues and venues sorting in place (registry state now).
``RATES``: ``(field name, translatable label)`` of the six rate indicators, in display order.
``as_dict(x)``: any of these dataclasses as JSON-ready values (dates as ISO strings).

``Indicators`` fields: unit_id, unit_name, unit_kind, start, end, grain; is_partial (the
period has not ended yet: it reaches today, whose figures are so far, not the whole day's); the
six rates
kitchen_sorting_rate, recycling_rate, participation_rate, correct_sorting_rate,
device_online_rate, venue_coverage; counts disposals, judged, correct, collections, alarms,
households_disposed, households_registered, device_days, device_days_online, devices,
venues, venues_sorting; tonnes disposed_t, collected_t (dict by type) and treated_t (dict by
type for a district, None below: plant weighbridges have no point).

The tonnage basis of the kitchen-waste sorting rate and the recycling rate is the setting
``CITYLOOP_SORTING_RATE_BASIS``: "collected" (truck weights at the bins, the default) or
"disposed" (smart-scale weights of household disposals).

Tables read: ``StreetDay`` (district and street), ``PointDay`` (community, a street's
communities, points), ``CommunityDay``/``CommunityMonth``, ``DeviceDay``, ``PlantDay`` and the
registries (households, venues, devices). Each call costs a fixed number of queries (about 9),
whatever the number of days or children.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.devices.models import Device, DeviceDay
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.choices import WasteType
from cityloop.sorting.models import (
    CollectionPoint,
    CommunityDay,
    CommunityMonth,
    Household,
    PlantDay,
    PointDay,
    StreetDay,
    Venue,
    VenueCategory,
)

TYPES = tuple(WasteType.values)
BASES = ("collected", "disposed")

RATES = (
    ("kitchen_sorting_rate", _("Kitchen-waste sorting rate")),
    ("recycling_rate", _("Recycling rate")),
    ("participation_rate", _("Participation rate")),
    ("correct_sorting_rate", _("Correct-sorting rate")),
    ("device_online_rate", _("Device online rate")),
    ("venue_coverage", _("Venue coverage")),
)
RATE_NAMES = tuple(name for name, _label in RATES)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    grain: str  # "day" or "month"

    @classmethod
    def of_day(cls, day: date) -> Period:
        return cls(day, day, "day")

    @classmethod
    def of_month(cls, day: date) -> Period:
        first = day.replace(day=1)
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return cls(first, last, "month")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _tonnes() -> dict[str, float]:
    return dict.fromkeys(TYPES, 0.0)


@dataclass
class Indicators:
    unit_id: int
    unit_name: str
    unit_kind: str
    start: date
    end: date
    grain: str
    is_partial: bool = False
    kitchen_sorting_rate: float | None = None
    recycling_rate: float | None = None
    participation_rate: float | None = None
    correct_sorting_rate: float | None = None
    device_online_rate: float | None = None
    venue_coverage: float | None = None
    disposals: int = 0
    judged: int = 0
    correct: int = 0
    collections: int = 0
    alarms: int = 0
    households_disposed: int = 0
    households_registered: int = 0
    devices: int = 0
    device_days: int = 0
    device_days_online: int = 0
    venues: int = 0
    venues_sorting: int = 0
    disposed_t: dict[str, float] = field(default_factory=_tonnes)
    collected_t: dict[str, float] = field(default_factory=_tonnes)
    treated_t: dict[str, float] | None = None


@dataclass
class Ranked:
    rank: int | None
    unit_id: int
    unit_name: str
    value: float | None
    indicators: Indicators


@dataclass
class PointRate:
    point_id: int
    code: str
    name: str
    lon: float
    lat: float
    community_id: int
    disposals: int
    judged: int
    correct: int
    rate: float | None


@dataclass
class VenueCoverage:
    category_id: int
    code: str
    name: str
    venues: int
    venues_sorting: int
    rate: float | None


# ---------------------------------------------------------------------------------------------
# Public functions.


def summary(unit: Unit, period: Period) -> Indicators:
    """Every indicator of ``unit`` for one day or month."""
    found = _collect(unit, period.start, period.end, period.grain, by=None)
    return found[None]


def ranking(unit: Unit, period: Period, *, by: str = "correct_sorting_rate") -> list[Ranked]:
    """The children of ``unit`` ranked by the rate ``by``, best first (no value: last)."""
    if by not in RATE_NAMES:
        raise ValueError(f"by: one of {', '.join(RATE_NAMES)}")
    if _kind(unit) == UnitKind.COMMUNITY:
        raise ValueError("a community has no child units to rank")
    found = _collect(unit, period.start, period.end, period.grain, by="child")
    rows = sorted(
        found.values(),
        key=lambda i: (getattr(i, by) is None, -(getattr(i, by) or 0.0), i.unit_name),
    )
    ranked, rank, previous = [], 0, object()
    for position, item in enumerate(rows, start=1):
        value = getattr(item, by)
        if value != previous:
            rank, previous = position, value
        ranked.append(
            Ranked(rank if value is not None else None, item.unit_id, item.unit_name, value, item)
        )
    return ranked


def trend(unit: Unit, start: date, end: date, *, grain: str = "day") -> list[Indicators]:
    """One ``Indicators`` per day (or month) of ``start``..``end``, in order."""
    if grain not in ("day", "month"):
        raise ValueError("grain: day or month")
    if end < start:
        raise ValueError("end before start")
    if grain == "month":
        start, end = start.replace(day=1), Period.of_month(end).end
    found = _collect(unit, start, end, grain, by="time")
    return [found[key] for key in sorted(found)]


def point_rates(unit: Unit, start: date, end: date) -> list[PointRate]:
    """Correct-sorting rate per active collection point of ``unit`` over ``start``..``end``."""
    scope = _scope(unit)
    sums = {
        row["point_id"]: row
        for row in PointDay.objects.filter(day__range=(start, end), **scope.point_day)
        .values("point_id")
        .annotate(disposals=Sum("disposals"), judged=Sum("judged"), correct=Sum("correct"))
    }
    points = CollectionPoint.objects.filter(is_active=True, **scope.point).values_list(
        "pk", "code", "name", "lon", "lat", "community_id"
    )
    rows = []
    for pk, code, name, lon, lat, community in points:
        row = sums.get(pk, {})
        judged, correct = row.get("judged") or 0, row.get("correct") or 0
        rows.append(
            PointRate(
                pk,
                code,
                name,
                lon,
                lat,
                community,
                row.get("disposals") or 0,
                judged,
                correct,
                _ratio(correct, judged),
            )
        )
    return rows


def venue_coverage(unit: Unit) -> list[VenueCoverage]:
    """Venues and venues sorting in place per supervised category, in the categories' order."""
    scope = _scope(unit)
    counts = {
        row["category_id"]: row
        for row in Venue.objects.filter(is_active=True, **scope.point)
        .values("category_id")
        .annotate(venues=Count("pk"), sorting=Count("pk", filter=Q(sorting_in_place=True)))
    }
    rows = []
    for category in VenueCategory.objects.filter(is_active=True):
        row = counts.get(category.pk, {})
        venues, sorting = row.get("venues", 0), row.get("sorting", 0)
        rows.append(
            VenueCoverage(
                category.pk, category.code, category.name, venues, sorting, _ratio(sorting, venues)
            )
        )
    return rows


def basis() -> str:
    """The tonnage the kitchen-waste sorting rate and the recycling rate are computed on."""
    value = getattr(settings, "CITYLOOP_SORTING_RATE_BASIS", "collected")
    if value not in BASES:
        raise ValueError(f"CITYLOOP_SORTING_RATE_BASIS: one of {', '.join(BASES)}, not {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Scopes: which rows of each table belong to a unit, and the column naming its child units.


@dataclass(frozen=True)
class _Scope:
    point_day: dict  # PointDay, StreetDay, CommunityDay, CommunityMonth
    point: dict  # CollectionPoint, Household, Venue (a community FK, no join)
    device: dict  # Device
    is_district: bool
    child_column: str | None  # the child unit in PointDay/CommunityDay terms
    child_of: dict | None  # community → child unit (for Household/Venue rows)
    child_device: str | None  # the child unit in Device terms


def _kind(unit: Unit) -> str:
    if unit.kind not in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY):
        raise ValueError("indicators are computed for a district, a street or a community")
    return unit.kind


def _scope(unit: Unit) -> _Scope:
    kind = _kind(unit)
    if kind == UnitKind.DISTRICT:
        communities = dict(
            Unit.objects.filter(kind=UnitKind.COMMUNITY, parent__parent=unit).values_list(
                "pk", "parent_id"
            )
        )
        alone = not Unit.objects.filter(kind=UnitKind.DISTRICT).exclude(pk=unit.pk).exists()
        if alone:  # the usual deployment: every row is the district's, no filter at all
            return _Scope({}, {}, {}, True, "street_id", communities, "point__community__parent_id")
        streets = sorted(set(communities.values()))
        return _Scope(
            {"street_id__in": streets},
            {"community_id__in": list(communities)},
            {"point__community_id__in": list(communities)},
            True,
            "street_id",
            communities,
            "point__community__parent_id",
        )
    if kind == UnitKind.STREET:
        communities = list(
            Unit.objects.filter(parent=unit, kind=UnitKind.COMMUNITY).values_list("pk", flat=True)
        )
        return _Scope(
            {"street_id": unit.pk},
            {"community_id__in": communities},
            {"point__community_id__in": communities},
            False,
            "community_id",
            {c: c for c in communities},
            "point__community_id",
        )
    mine = {"community_id": unit.pk}
    return _Scope(mine, mine, {"point__community_id": unit.pk}, False, None, None, None)


# ---------------------------------------------------------------------------------------------
# The computation: one grouped query per roll-up table, whatever the number of keys. Rows are
# grouped by day (never by a month expression, which SQLite evaluates in Python row by row)
# and days are bucketed into months here.


def _collect(unit: Unit, start: date, end: date, grain: str, *, by: str | None) -> dict:
    """Indicators keyed by None (the whole unit), by child unit id ("child") or by day/month
    first day ("time")."""
    scope = _scope(unit)
    today = timezone.localdate()
    out = _started(unit, scope, start, end, grain, by, today)
    grouping = _Grouping(by, grain, {"child": scope.child_column, "time": "day", None: None}[by])
    _add_point_sums(out, unit, scope, grouping, start, end)
    _add_households_disposed(out, scope, grouping, start, end)
    _add_registries(out, scope, by)
    _add_devices(out, scope, grouping, start, end, today)
    if scope.is_district and by != "child":
        _add_treated(out, grouping, start, end)
    tonnage = basis()
    for item in out.values():
        _rates(item, tonnage)
    return out


@dataclass(frozen=True)
class _Grouping:
    """How ``_collect`` groups the roll-up rows and finds the ``Indicators`` a row adds to."""

    by: str | None  # None (one total), "child" or "time"
    grain: str  # "day" or "month"
    column: str | None  # the column rows are grouped by (a child unit, the day, or none)

    def key(self, row: dict, column: str = "key"):
        """The key of ``_collect``'s result that ``row`` adds to: None, a child unit id, or a
        day (a month's first day when the grain is a month)."""
        if self.by is None:
            return None
        value = row[column]
        if self.by == "time":
            value = _as_date(value)
            return value.replace(day=1) if self.grain == "month" else value
        return value


def _started(unit, scope, start, end, grain, by, today: date) -> dict:
    """An empty ``Indicators`` for each key (``_keys``), partial if its period reaches today."""
    out = {}
    for key, (name, kind, unit_id, k_start, k_end) in _keys(
        unit, scope, start, end, grain, by
    ).items():
        out[key] = Indicators(unit_id, name, kind, k_start, k_end, grain, k_end >= today)
        if scope.is_district and by != "child":
            out[key].treated_t = _tonnes()
    return out


def _add_point_sums(out: dict, unit, scope, grouping: _Grouping, start, end) -> None:
    """Disposals, collections and alarms, tonnes by waste type: from the street sums where
    they suffice, else from the points'."""
    by_street = scope.is_district or (unit.kind == UnitKind.STREET and grouping.by != "child")
    table = StreetDay if by_street else PointDay
    rows = table.objects.filter(day__range=(start, end), **scope.point_day)
    sums = ("disposals", "judged", "correct", "disposed_kg", "collections", "collected_kg")
    rows = _sums(rows, grouping.column, ["waste_type"], **{n: Sum(n) for n in (*sums, "alarms")})
    for row in rows:
        item = out.get(grouping.key(row))
        if item is None:
            continue
        item.disposals += row["disposals"] or 0
        item.judged += row["judged"] or 0
        item.correct += row["correct"] or 0
        item.collections += row["collections"] or 0
        item.alarms += row["alarms"] or 0
        waste_type = row["waste_type"]
        if waste_type in item.disposed_t:
            item.disposed_t[waste_type] += (row["disposed_kg"] or 0.0) / 1000
            item.collected_t[waste_type] += (row["collected_kg"] or 0.0) / 1000


def _add_households_disposed(out: dict, scope, grouping: _Grouping, start, end) -> None:
    """Households that disposed (distinct per day, or per month)."""
    model, column = (CommunityDay, "day") if grouping.grain == "day" else (CommunityMonth, "month")
    rows = model.objects.filter(**{f"{column}__range": (start, end)}, **scope.point_day)
    group = column if grouping.by == "time" else grouping.column
    for row in _sums(rows, group, [], n=Sum("households")):
        if (item := out.get(grouping.key(row))) is not None:
            item.households_disposed += row["n"] or 0


def _add_registries(out: dict, scope, by: str | None) -> None:
    """Registered households and venues: the registries as they are now."""
    child = scope.child_of if by == "child" else None
    registered = _counted(Household.objects.filter(**scope.point), child, Count("pk"))
    venues = _counted(
        Venue.objects.filter(is_active=True, category__is_active=True, **scope.point),
        child,
        Count("pk"),
        Count("pk", filter=Q(sorting_in_place=True)),
    )
    for k, item in out.items():
        at = k if by == "child" else None
        (item.households_registered,) = registered.get(at, (0,))
        item.venues, item.venues_sorting = venues.get(at, (0, 0))


def _add_devices(out: dict, scope, grouping: _Grouping, start, end, today: date) -> None:
    """Devices: device-days online ÷ device-days the active devices existed (up to today)."""
    by_child = grouping.by == "child"
    child = scope.child_device if by_child else None
    devices = Device.objects.filter(**scope.device).values_list(
        "pk", "is_active", "created_at", *([child] if child else [])
    )
    home, born, inactive = {}, defaultdict(list), []
    for pk, active, created, *where in devices:
        if not active:
            inactive.append(pk)
            continue
        home[pk] = where[0] if child else None
        born[home[pk]].append(timezone.localtime(created).date())
    for k, item in out.items():
        made = born.get(k if by_child else None, [])
        item.devices = len(made)
        last = min(item.end, today)
        item.device_days = sum(max(0, (last - max(item.start, b)).days + 1) for b in made)
    online = DeviceDay.objects.filter(day__range=(start, min(end, today)))
    if scope.device:
        online = online.filter(device_id__in=list(home))
    elif inactive:
        online = online.exclude(device_id__in=inactive)
    if by_child:
        for row in _sums(online, "device_id", [], n=Count("pk")):
            if (item := out.get(home.get(row["key"]))) is not None:
                item.device_days_online += row["n"]
    else:
        for row in _sums(online, grouping.column, [], n=Count("pk")):
            if (item := out.get(grouping.key(row))) is not None:
                item.device_days_online += row["n"]


def _add_treated(out: dict, grouping: _Grouping, start, end) -> None:
    """Treated at the plants, by waste type (the district's indicators only)."""
    rows = PlantDay.objects.filter(day__range=(start, end))
    for row in _sums(rows, grouping.column, ["waste_type"], kg=Sum("treated_kg")):
        item = out.get(grouping.key(row))
        if item is not None and row["waste_type"] in item.treated_t:
            item.treated_t[row["waste_type"]] += (row["kg"] or 0.0) / 1000


def _as_date(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value


def _sums(rows, group, fields: list[str], **aggregates) -> list[dict]:
    """``rows`` summed per ``group`` (a column or an expression, as ``key``) and ``fields``;
    without either, one total."""
    if group is None and not fields:
        return [rows.aggregate(**aggregates)]
    if group is not None:
        rows = rows.annotate(key=F(group) if isinstance(group, str) else group)
        return list(rows.values("key", *fields).annotate(**aggregates).order_by())
    return list(rows.values(*fields).annotate(**aggregates).order_by())


def _counted(rows, child_of: dict | None, *aggregates) -> dict:
    """Totals of ``rows`` (a registry with a community), per child unit when ``child_of``
    maps each community to its child unit."""
    names = [f"n{i}" for i in range(len(aggregates))]
    named = dict(zip(names, aggregates, strict=True))
    if child_of is None:
        totals = rows.aggregate(**named)
        return {None: tuple(totals[n] or 0 for n in names)}
    found: dict = {}
    for row in rows.values("community_id").annotate(**named).order_by():
        child = child_of.get(row["community_id"])
        before = found.get(child, (0,) * len(names))
        found[child] = tuple(b + (row[n] or 0) for b, n in zip(before, names, strict=True))
    return found


def _keys(unit, scope, start, end, grain, by) -> dict:
    """key → (name, kind, unit id, start, end) of each Indicators to compute."""
    if by == "child":
        children = Unit.objects.filter(
            parent=unit, kind=UnitKind.STREET if scope.is_district else UnitKind.COMMUNITY
        ).order_by("path")
        return {
            c.pk: (c.display_name, c.kind, c.pk, start, end)
            for c in children.only("pk", "name", "short_name", "kind")
        }
    name = unit.display_name
    if by is None:
        return {None: (name, unit.kind, unit.pk, start, end)}
    keys, cursor = {}, start
    while cursor <= end:
        if grain == "day":
            keys[cursor] = (name, unit.kind, unit.pk, cursor, cursor)
            cursor += timedelta(days=1)
        else:
            month = Period.of_month(cursor)
            keys[cursor] = (name, unit.kind, unit.pk, month.start, month.end)
            cursor = month.end + timedelta(days=1)
    return keys


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _rates(item: Indicators, tonnage: str) -> None:
    for weights in (item.disposed_t, item.collected_t, item.treated_t or {}):
        for waste_type, tonnes in weights.items():
            weights[waste_type] = round(tonnes, 6)  # to the kilogram's thousandth
    weights = item.collected_t if tonnage == "collected" else item.disposed_t
    total = sum(weights.values())
    item.kitchen_sorting_rate = _ratio(weights[WasteType.KITCHEN], total)
    item.recycling_rate = _ratio(weights[WasteType.KITCHEN] + weights[WasteType.RECYCLABLE], total)
    item.participation_rate = _ratio(item.households_disposed, item.households_registered)
    item.correct_sorting_rate = _ratio(item.correct, item.judged)
    item.device_online_rate = _ratio(item.device_days_online, item.device_days)
    item.venue_coverage = _ratio(item.venues_sorting, item.venues)


def as_dict(item) -> dict:
    """A dataclass of this module as plain JSON-ready values (dates as ISO strings)."""

    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {k: plain(v) for k, v in asdict(item).items()}
