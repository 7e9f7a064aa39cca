"""The demo's garbage sorting on a small slice (a week, about 1,200 households, the last two
days through the pipeline): registries placed and tokened, roll-ups on every day, rates in
their bounds, and the raw days' roll-ups equal to their records."""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from cityloop.core.progress import Progress
from cityloop.demo.builder import build_demo, delete_demo
from cityloop.demo.geometry import district_shape
from cityloop.demo.history import delete_history
from cityloop.demo.sorting import delete_sorting, generate_sorting
from cityloop.demo.sorting.model import Year, spring_festival_factor
from cityloop.demo.sorting.registry import (
    HAZARDOUS,
    KITCHEN,
    OTHER,
    RECYCLABLE,
    TYPES,
    Registry,
    Station,
    TruckUnit,
)
from cityloop.devices import tokens
from cityloop.devices.choices import DeviceKind, MessageKind
from cityloop.devices.models import Device, DeviceDay, Record
from cityloop.devices.services import device_token_reset
from cityloop.geo.locate import locate
from cityloop.org.choices import EntityKind, UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.choices import PointKind, WasteType
from cityloop.sorting.models import (
    AlarmCase,
    Bin,
    CollectionPoint,
    CollectionTask,
    CommunityDay,
    CommunityMonth,
    Household,
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

pytestmark = pytest.mark.django_db

SEED, UNTIL, DAYS, HOUSEHOLDS, RAW = 7, date(2026, 6, 15), 7, 1200, 2
DAY_LIST = [UNTIL - timedelta(days=DAYS - k) for k in range(DAYS)]
RAW_DAYS, BULK_DAYS = DAY_LIST[-RAW:], DAY_LIST[:-RAW]


@pytest.fixture(scope="module")
def week(django_db_setup, django_db_blocker):
    """The district and a week of sorting, built once for the module, removed after."""
    with django_db_blocker.unblock():
        build_demo()
        summary = generate_sorting(
            seed=SEED,
            until=UNTIL,
            days=DAYS,
            households=HOUSEHOLDS,
            raw_days=RAW,
            progress=Progress(io.StringIO()),
        )
        yield summary
        delete_sorting()
        delete_history()
        delete_demo()


def test_every_community_has_one_to_three_points_inside_it_and_its_grid(week):
    communities = Unit.objects.filter(kind=UnitKind.COMMUNITY)
    per_community = Counter(CollectionPoint.objects.values_list("community_id", flat=True))
    assert set(per_community) == set(communities.values_list("pk", flat=True))
    assert set(per_community.values()) <= {1, 2, 3}
    contractors = set(
        Unit.objects.filter(entity_kind=EntityKind.SANITATION_CONTRACTOR).values_list(
            "pk", flat=True
        )
    )
    outline = district_shape()  # the real one, from the data file
    for point in CollectionPoint.objects.select_related("grid"):
        assert outline.contains(shapely.Point(point.lon, point.lat))
        place = locate(point.lon, point.lat)
        assert place.community.id == point.community_id
        assert place.grid_id == point.grid_id
        assert point.grid.community_id == point.community_id
        assert point.contractor_id in contractors


def test_bins_follow_the_point_kind_and_carry_unique_tags(week):
    types = defaultdict(set)
    for point_id, waste_type in Bin.objects.values_list("point_id", "waste_type"):
        types[point_id].add(waste_type)
    for point in CollectionPoint.objects.all():
        multi = point.kind in (PointKind.MULTI_SORT_ROOM, PointKind.MULTI_SORT_OPEN)
        expected = set(WasteType.values) if multi else {WasteType.KITCHEN, WasteType.OTHER}
        assert types[point.pk] == expected, point.code
    tags = list(Bin.objects.values_list("rfid_tag", flat=True))
    assert len(tags) == len(set(tags))


def test_devices_have_tokens_and_stations_send_through_their_gateway(week):
    devices = list(Device.objects.all())
    assert all(len(d.token_hash) == 64 and d.token_prefix for d in devices)
    assert len({d.token_hash for d in devices}) == len(devices)
    kinds = Counter(d.kind for d in devices)
    points = CollectionPoint.objects.count()
    assert kinds[DeviceKind.AI_CAMERA] == kinds[DeviceKind.FILL_SENSOR] == points
    assert kinds[DeviceKind.SMART_SCALE] + kinds[DeviceKind.RFID_READER] == points
    assert kinds[DeviceKind.TRUCK_UNIT] >= 5 * 3  # each contractor: kitchen, other, recyclables
    assert kinds[DeviceKind.WEIGHBRIDGE] == 3
    for d in devices:
        if d.kind in (DeviceKind.AI_CAMERA, DeviceKind.FILL_SENSOR):
            assert d.gateway.point_id == d.point_id
    camera = next(d for d in devices if d.kind == DeviceKind.AI_CAMERA)
    key = device_token_reset(device=camera)  # the admin shows a fresh token once
    assert tokens.device_for_token(key) == camera


def test_households_have_cards_and_a_home_kept_apart_from_their_id(week):
    households = list(Household.objects.annotate(n_cards=Count("cards")))
    assert abs(len(households) - HOUSEHOLDS) <= 115  # rounding per community
    assert all(h.n_cards >= 1 and h.building and h.room and h.point_id for h in households)
    assert all(re.fullmatch(r"H[0-9A-F]{12}", h.code) for h in households)  # no home in it
    assert len({h.code for h in households}) == len(households)


def test_fourteen_placeholder_categories_and_venues_mostly_sorting(week):
    assert VenueCategory.objects.count() == 14
    venues = Venue.objects.count()
    assert 250 <= venues <= 400
    sorting = Venue.objects.filter(sorting_in_place=True).count()
    assert 0.7 <= sorting / venues <= 0.95
    assert Venue.objects.filter(category__code="V03", entity__entity_kind="school").count() == 30


def test_roll_ups_cover_every_day(week):
    points = CollectionPoint.objects.count()
    for day in DAY_LIST:
        with_disposals = PointDay.objects.filter(day=day, disposals__gt=0)
        assert with_disposals.values("point").distinct().count() >= 0.9 * points, day
        assert PointDay.objects.filter(day=day, collections__gt=0).exists()
        kinds = set(PlantDay.objects.filter(day=day).values_list("waste_type", flat=True))
        assert {WasteType.KITCHEN, WasteType.OTHER} <= kinds, day
        assert CommunityDay.objects.filter(day=day).count() >= 100, day
        assert DeviceDay.objects.filter(day=day).count() >= 0.9 * Device.objects.count(), day
    assert week.first_day == DAY_LIST[0] and week.last_day == DAY_LIST[-1]
    assert week.bulk_days == DAYS - RAW and week.raw_days == RAW


def test_participation_within_bounds(week):
    registered = Household.objects.count()
    for day in DAY_LIST:
        disposed = CommunityDay.objects.filter(day=day).aggregate(n=Sum("households"))["n"]
        assert 0.6 <= disposed / registered <= 0.9, day
    homes = Counter(Household.objects.values_list("community_id", flat=True))
    by_month = Counter(
        dict(
            CommunityMonth.objects.filter(month=UNTIL.replace(day=1)).values_list(
                "community_id", "households"
            )
        )
    )
    best_day = defaultdict(int)
    for community, n in CommunityDay.objects.values_list("community_id", "households"):
        best_day[community] = max(best_day[community], n)
    for community, n in by_month.items():
        assert best_day[community] <= n <= homes[community]


def test_rates_of_the_bulk_days_are_plausible(week):
    rows = PointDay.objects.filter(day__in=BULK_DAYS)
    assert not rows.filter(judged__gt=0).extra(where=["judged > disposals"]).exists()
    assert not rows.extra(where=["correct > judged"]).exists()
    totals = rows.aggregate(j=Sum("judged"), c=Sum("correct"))
    assert 0.7 <= totals["c"] / totals["j"] <= 0.95
    by_type = dict(rows.values_list("waste_type").annotate(kg=Sum("collected_kg")))
    assert 0.25 <= by_type[WasteType.KITCHEN] / sum(by_type.values()) <= 0.4
    assert 0.25 <= week.kitchen_share <= 0.4 and 0.6 <= week.participation <= 0.9
    assert 0.9 <= week.online < 1.0


def test_only_the_raw_days_keep_records(week):
    assert set(HouseholdDay.objects.values_list("day", flat=True).distinct()) == set(RAW_DAYS)
    days = {
        r.astimezone(SHANGHAI).date() for r in Record.objects.values_list("occurred_at", flat=True)
    }
    assert days == set(RAW_DAYS)
    assert week.raw.records == Record.objects.count() and week.raw.quarantined == 0


def _from_records(day: date) -> dict[tuple, list]:
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0.0, 0, 0.0, 0])
    for r in Record.objects.filter(kind__in=[MessageKind.DISPOSAL, MessageKind.TRUCK_COLLECTION,
                                             MessageKind.AI_ALARM]):  # fmt: skip
        if r.occurred_at.astimezone(SHANGHAI).date() != day:
            continue
        row = sums[(r.point_id, r.waste_type)]
        if r.kind == MessageKind.DISPOSAL:
            row[0] += 1
            row[1] += r.is_correct is not None
            row[2] += r.is_correct is True
            row[3] += r.weight_kg
        elif r.kind == MessageKind.TRUCK_COLLECTION:
            row[4] += 1
            row[5] += r.weight_kg
        else:
            row[6] += 1
    return sums


def test_the_raw_days_roll_ups_equal_their_records(week):
    fields = ("disposals", "judged", "correct", "disposed_kg", "collections", "collected_kg",
              "alarms")  # fmt: skip
    for day in RAW_DAYS:
        expected = _from_records(day)
        stored = {
            (row[0], row[1]): list(row[2:])
            for row in PointDay.objects.filter(day=day).values_list(
                "point_id", "waste_type", *fields
            )
        }
        assert stored.keys() == expected.keys()
        for key, row in expected.items():
            assert stored[key] == pytest.approx(row), key
        disposers = defaultdict(set)
        for r in Record.objects.filter(kind=MessageKind.DISPOSAL).select_related("household"):
            if r.occurred_at.astimezone(SHANGHAI).date() == day:
                disposers[r.household.community_id].add(r.household_id)
        community_days = dict(
            CommunityDay.objects.filter(day=day).values_list("community_id", "households")
        )
        assert community_days == {c: len(h) for c, h in disposers.items()}
        kept = set(HouseholdDay.objects.filter(day=day).values_list("household_id", flat=True))
        assert kept == set().union(*disposers.values())
        plants = Record.objects.filter(kind=MessageKind.PLANT_INTAKE)
        intakes = Counter(
            r.waste_type for r in plants if r.occurred_at.astimezone(SHANGHAI).date() == day
        )
        assert (
            dict(PlantDay.objects.filter(day=day).values_list("waste_type", "intakes")) == intakes
        )


def test_street_days_are_the_sums_of_their_point_days_on_every_day(week):
    fields = ("disposals", "judged", "correct", "disposed_kg", "collections", "collected_kg",
              "alarms")  # fmt: skip
    sums = {
        (row["street_id"], row["day"], row["waste_type"]): [row[f] for f in fields]
        for row in PointDay.objects.values("street_id", "day", "waste_type").annotate(
            **{f: Sum(f) for f in fields}
        )
    }
    streets = {
        (row[0], row[1], row[2]): list(row[3:])
        for row in StreetDay.objects.values_list("street_id", "day", "waste_type", *fields)
    }
    assert streets.keys() == sums.keys()
    assert {day for _, day, _ in streets} == set(DAY_LIST)
    for key, values in sums.items():
        assert streets[key] == pytest.approx(values), key


def test_months_count_each_household_once_across_bulk_and_raw_days(week):
    month = UNTIL.replace(day=1)
    rows = Counter(
        HouseholdMonth.objects.filter(month=month).values_list("household__community_id", flat=True)
    )
    stored = dict(
        CommunityMonth.objects.filter(month=month).values_list("community_id", "households")
    )
    assert stored == dict(rows)


def test_raw_days_raise_alarm_cases_and_collection_tasks(week):
    alarms = Record.objects.filter(kind=MessageKind.AI_ALARM).count()
    assert alarms > 0
    assert 0 < AlarmCase.objects.count() <= alarms
    assert CollectionTask.objects.exists()
    fills = Record.objects.filter(kind=MessageKind.FILL_LEVEL)
    assert any(r.payload["level"] >= 0.8 for r in fills)


def test_the_command_checks_its_sizes(week):
    with pytest.raises(CommandError):
        call_command("demo", "--households", "0", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo", "--no-sorting", "--days", "1", "--cases", "0", stdout=out)
    assert "demo sorting" not in out.getvalue()
    out = io.StringIO()
    call_command("demo", "--days", "1", "--cases", "0", stdout=out)
    assert "demo sorting: already loaded" in out.getvalue()


def _tiny_registry() -> Registry:
    """Two communities, four points of 50 households each, not saved (the model needs none)."""
    communities = [Unit(pk=1, name="a"), Unit(pk=2, name="b")]
    stations = [
        Station(i, CollectionPoint(code=f"P{i}"), i % 2, i % 2 == 0,
                {t: [f"T{i}{t}"] for t in (TYPES if i % 2 == 0 else (KITCHEN, OTHER))},
                trucks={KITCHEN: 0, OTHER: 1, RECYCLABLE: 2})
        for i in range(4)
    ]  # fmt: skip
    trucks = [
        TruckUnit(Truck(plate=f"P{i}", capacity_kg=5000), Device(code=f"T{i}"), carried, 7000)
        for i, carried in enumerate((KITCHEN, OTHER, RECYCLABLE))
    ]
    bridges = [(Device(code="W1"), (KITCHEN,)), (Device(code="W2"), (OTHER,)),
               (Device(code="W3"), (RECYCLABLE, HAZARDOUS))]  # fmt: skip
    points = np.repeat(np.arange(4, dtype=np.int32), 50)
    cards = [f"C{i}" for i in range(200)]
    return Registry(communities, [9, 9], ["b", "b"], stations, trucks, bridges,
                    np.arange(200), points, cards)  # fmt: skip


WINTER = [date(2026, 1, 1) + timedelta(days=k) for k in range(70)]  # 正月初一 2026-02-17


def test_the_model_is_reproducible_from_its_seed():
    registry = _tiny_registry()
    one, two, other = (
        Year(registry, 3, WINTER),
        Year(registry, 3, WINTER),
        Year(registry, 4, WINTER),
    )
    for name in ("disposals", "disposed_kg", "judged", "correct", "collected_kg", "alarms"):
        assert np.array_equal(getattr(one.points, name), getattr(two.points, name)), name
    assert np.array_equal(one.recorded, two.recorded)
    assert one.plant_loads(5) == two.plant_loads(5)
    assert not np.array_equal(one.recorded, other.recorded)


def test_the_spring_festival_empties_the_city_and_two_sort_points_take_two_types():
    year = Year(_tiny_registry(), 3, WINTER)
    share = year.disposed.mean(axis=0)
    festival = [d for d, day in enumerate(WINTER) if date(2026, 2, 17) <= day < date(2026, 2, 24)]
    january = [d for d, day in enumerate(WINTER) if day.month == 1]
    assert share[festival].mean() < 0.7 * share[january].mean()
    assert spring_festival_factor(date(2026, 6, 1)) == 1.0
    two_sort = [s for s, station in enumerate(year.registry.stations) if not station.multi]
    for t in (TYPES.index(RECYCLABLE), TYPES.index(HAZARDOUS)):
        assert year.points.disposals[t][two_sort].sum() == 0
    assert (year.points.correct <= year.points.judged).all()
    assert (year.points.judged <= year.points.disposals).all()


def test_the_district_device_online_rate_is_a_rate_on_every_demo_day(week):
    """The devices were installed before the history: a past day and the month are rates."""
    from cityloop.sorting import indicators

    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    for day in (BULK_DAYS[0], RAW_DAYS[-1]):
        rate = indicators.summary(district, indicators.Period.of_day(day)).device_online_rate
        assert rate is not None and 0.8 <= rate <= 1.0, (day, rate)
    # (the slice's month runs on past the week, with no data then: a rate, not a high one)
    month = indicators.summary(district, indicators.Period.of_month(BULK_DAYS[0]))
    assert 0 < month.device_online_rate <= 1.0
