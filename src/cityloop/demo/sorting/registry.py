"""The demo district's garbage-sorting registries (docs/devices.md, registries): collection points
with their bins and devices, households and their cards, contractors' trucks and the plants'
weighbridges.

Deterministic from the seed (device tokens aside: they are random and shown to nobody; the
admin resets one to try the ingestion doors). Every point lies in its community's boundary
and in one of its grids (placed by ``cityloop.geo.locate``), and is served by the sanitation
contractor whose contract area contains it.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field

import numpy as np
import shapely

from cityloop.core.bulk import bulk_append
from cityloop.devices import tokens
from cityloop.devices.choices import DeviceKind
from cityloop.devices.models import Device
from cityloop.geo.choices import ZoneKind
from cityloop.geo.locate import locate_batch
from cityloop.geo.models import Boundary, Grid
from cityloop.org.choices import EntityKind, UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.choices import PointKind, WasteType
from cityloop.sorting.models import Bin, CollectionPoint, Household, HouseholdCard, Truck

KITCHEN, RECYCLABLE, HAZARDOUS, OTHER = (  # plain str: messages carry JSON's own types
    WasteType.KITCHEN.value,
    WasteType.RECYCLABLE.value,
    WasteType.HAZARDOUS.value,
    WasteType.OTHER.value,
)
TYPES = (KITCHEN, RECYCLABLE, HAZARDOUS, OTHER)  # the index of a type in the model's arrays
HOUSEHOLDS_PER_POINT = 110
DEFAULT_HOUSEHOLDS = 26_000  # about 225 per community
POINT_KINDS = {  # (kind, share, what the point is called)
    "a": [
        (PointKind.MULTI_SORT_ROOM, 0.55, "垃圾分类屋"),
        (PointKind.MULTI_SORT_OPEN, 0.25, "分类投放点"),
        (PointKind.TWO_SORT_ROOM, 0.15, "垃圾厢房"),
        (PointKind.TWO_SORT_OPEN, 0.05, "投放点"),
    ],
    "b": [
        (PointKind.MULTI_SORT_ROOM, 0.45, "垃圾分类屋"),
        (PointKind.MULTI_SORT_OPEN, 0.2, "分类投放点"),
        (PointKind.TWO_SORT_ROOM, 0.25, "垃圾厢房"),
        (PointKind.TWO_SORT_OPEN, 0.1, "投放点"),
    ],
    "c": [
        (PointKind.MULTI_SORT_ROOM, 0.2, "垃圾分类屋"),
        (PointKind.MULTI_SORT_OPEN, 0.2, "分类投放点"),
        (PointKind.TWO_SORT_ROOM, 0.3, "垃圾厢房"),
        (PointKind.TWO_SORT_OPEN, 0.3, "投放点"),
    ],
}
MULTI = {PointKind.MULTI_SORT_ROOM, PointKind.MULTI_SORT_OPEN}
ROOMS = {PointKind.MULTI_SORT_ROOM, PointKind.TWO_SORT_ROOM}
CAPACITY_LITRES = {KITCHEN: 240, RECYCLABLE: 240, HAZARDOUS: 120, OTHER: 660}
TRUCKS = {  # waste type carried: (points a truck serves, capacity kg, tare kg)
    KITCHEN: (30, 5_000, 7_500),
    OTHER: (25, 8_000, 10_500),
    RECYCLABLE: (120, 3_000, 4_500),  # also carries the hazardous boxes (separate weighing)
}
PLANTS = [  # weighbridge code, plate field, name, waste types taken in
    ("WB-LH-KITCHEN", "PLANT-KITCHEN", "罗湖区餐厨垃圾处理厂地磅", (KITCHEN,)),
    ("WB-LH-ENERGY", "PLANT-ENERGY", "罗湖能源生态园地磅", (OTHER,)),
    ("WB-LH-RECYCLE", "PLANT-RECYCLE", "罗湖区再生资源分拣中心地磅", (RECYCLABLE, HAZARDOUS)),
]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Station:
    """A collection point as the model sees it: its place, bins and devices."""

    index: int
    point: CollectionPoint
    community: int  # position in Registry.communities
    multi: bool
    bins: dict[str, list[str]]  # waste type -> RFID tags
    gateway: Device | None = None  # the smart scale or RFID reader (the station's gateway)
    camera: Device | None = None
    fill: Device | None = None
    trucks: dict[str, int] = field(default_factory=dict)  # carried type -> truck position


@dataclass
class TruckUnit:
    truck: Truck
    device: Device
    carries: str
    tare_kg: int


@dataclass
class Registry:
    """Everything the year's model needs, with households as arrays in point order."""

    communities: list[Unit]
    streets: list[int]  # street id of each community
    area_classes: list[str]
    stations: list[Station]
    trucks: list[TruckUnit]
    weighbridges: list[tuple[Device, tuple[str, ...]]]
    household_ids: np.ndarray  # in point order: each point's households are contiguous
    household_point: np.ndarray  # station index of each household
    cards: list[str]  # first card of each household, aligned with household_ids
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def devices(self) -> list[Device]:
        found = [d for s in self.stations for d in (s.gateway, s.camera, s.fill) if d]
        return found + [t.device for t in self.trucks] + [w for w, _ in self.weighbridges]


def build_registry(*, seed: int, households: int) -> Registry:
    rng = random.Random(seed * 7_919 + 5)
    np_rng = np.random.default_rng([seed, 5])
    communities = list(
        Unit.objects.filter(kind=UnitKind.COMMUNITY).select_related("parent").order_by("code")
    )
    shapes = {
        b.unit_id: b.shape
        for b in Boundary.objects.filter(unit__kind=UnitKind.COMMUNITY).only("unit", "geometry")
    }
    classes = dict(Grid.objects.order_by("code").values_list("community_id", "area_class"))
    area_classes = [classes.get(c.pk, "b") for c in communities]
    sizes = _household_counts(len(communities), households, np_rng)
    stations, per_station = _points(communities, shapes, area_classes, sizes, rng, np_rng)
    _bins(stations, rng)
    _station_devices(stations)
    trucks = _trucks(stations, rng)
    weighbridges = _weighbridges()
    ids, points, cards = _households(seed, communities, stations, per_station, rng)
    registry = Registry(
        communities=communities,
        streets=[c.parent_id for c in communities],
        area_classes=area_classes,
        stations=stations,
        trucks=trucks,
        weighbridges=weighbridges,
        household_ids=ids,
        household_point=points,
        cards=cards,
    )
    registry.counts = {
        "points": len(stations),
        "bins": sum(len(t) for s in stations for t in s.bins.values()),
        "devices": len(registry.devices),
        "trucks": len(trucks),
        "households": len(ids),
    }
    return registry


def _household_counts(n: int, total: int, np_rng: np.random.Generator) -> list[int]:
    """About 150–300 per community (scaled to ``total``), every community at least one."""
    weights = np_rng.uniform(150, 300, size=n)
    exact = weights / weights.sum() * max(total, n)
    return [max(1, round(float(x))) for x in exact]


def _points(communities, shapes, area_classes, sizes, rng, np_rng):
    """1–3 points per community, inside it and one of its grids, with the contractor whose
    contract area holds them; returns the stations and each one's household count."""
    wanted = [min(3, max(1, round(size / HOUSEHOLDS_PER_POINT))) for size in sizes]
    spots = _spots(communities, shapes, wanted, np_rng)
    contractors = _contractor_fallback()
    points, stations, per_station = [], [], []
    for c, community in enumerate(communities):
        split = _split(sizes[c], wanted[c])
        kinds = POINT_KINDS.get(area_classes[c], POINT_KINDS["b"])
        for k in range(wanted[c]):
            lon, lat, grid_id, contractor = spots[c][k]
            kind, _, word = rng.choices(kinds, weights=[w for _, w, _ in kinds])[0]
            point = CollectionPoint(
                code=f"CP{community.code}{k + 1}",
                name=f"{community.short_name or community.name}{k + 1}号{word}",
                kind=kind,
                community=community,
                grid_id=grid_id,
                lon=round(lon, 6),
                lat=round(lat, 6),
                contractor_id=contractor or contractors.get(community.parent_id),
            )
            points.append(point)
            stations.append(Station(len(stations), point, c, kind in MULTI, {}))
            per_station.append(split[k])
    CollectionPoint.objects.bulk_create(points, batch_size=500)
    return stations, per_station


def _spots(communities, shapes, wanted, np_rng) -> list[list[tuple]]:
    """Random places in each community that ``locate`` puts in a grid of that community."""
    lons, lats, owners = [], [], []
    for c, community in enumerate(communities):
        shape = shapes[community.pk]
        x0, y0, x1, y1 = shape.bounds
        xs, ys = np_rng.uniform(x0, x1, 80), np_rng.uniform(y0, y1, 80)
        inside = shapely.contains_xy(shape, xs, ys)
        lons += list(xs[inside])
        lats += list(ys[inside])
        owners += [c] * int(inside.sum())
    batch = locate_batch(np.array(lons), np.array(lats))
    found: list[list[tuple]] = [[] for _ in communities]
    for i, c in enumerate(owners):
        if len(found[c]) >= wanted[c] or batch.community_id[i] != communities[c].pk:
            continue
        location = batch.location(i)
        contractor = next(
            (z.owner.id for z in location.zones if z.kind == ZoneKind.SANITATION_AREA), None
        )
        found[c].append((location.lon, location.lat, location.grid_id, contractor))
    for c, community in enumerate(communities):
        if len(found[c]) < wanted[c]:  # a sliver of a community: its grids' own inner points
            found[c] += _grid_spots(community, wanted[c] - len(found[c]))
    return found


def _grid_spots(community: Unit, count: int) -> list[tuple]:
    spots = []
    for grid in Grid.objects.filter(community=community).order_by("code")[:count]:
        inner = grid.shape.representative_point()
        spots.append((inner.x, inner.y, grid.pk, None))
    return spots


def _contractor_fallback() -> dict[int, int]:
    """The contractor of each street, for a point no contract area happens to contain."""
    found = {}
    contractors = Unit.objects.filter(entity_kind=EntityKind.SANITATION_CONTRACTOR)
    streets = {u.short_name: u.pk for u in Unit.objects.filter(kind=UnitKind.STREET)}
    for contractor in contractors.prefetch_related("zones"):
        for zone in contractor.zones.all():
            for name, street_id in streets.items():
                if name and zone.name.startswith(name):
                    found[street_id] = contractor.pk
    return found


def _split(total: int, parts: int) -> list[int]:
    base = [total // parts] * parts
    for k in range(total - sum(base)):
        base[k] += 1
    return base


def _bins(stations: list[Station], rng: random.Random) -> None:
    rows = []
    for station in stations:
        point = station.point
        types = TYPES if station.multi else (KITCHEN, OTHER)
        for waste_type in types:
            count = 2 if waste_type in (KITCHEN, OTHER) and rng.random() < 0.4 else 1
            tags = [f"E280{station.index:05d}{TYPES.index(waste_type)}{n}" for n in range(count)]
            station.bins[waste_type] = tags
            capacity = CAPACITY_LITRES[waste_type]
            if waste_type == OTHER and point.kind not in ROOMS:
                capacity = 240
            rows += [
                Bin(point=point, waste_type=waste_type, capacity_litres=capacity, rfid_tag=tag)
                for tag in tags
            ]
    Bin.objects.bulk_create(rows, batch_size=1000)


def _device(code: str, kind: str, name: str, **place) -> Device:
    _, prefix, digest = tokens.new_token()
    return Device(code=code, kind=kind, name=name, token_prefix=prefix, token_hash=digest, **place)


def _station_devices(stations: list[Station]) -> None:
    """A smart scale (rooms) or RFID reader (open points) that is the station's gateway, an
    AI camera and a fill-level sensor sending through it."""
    gateways = []
    for s in stations:
        point = s.point
        scale = point.kind in ROOMS
        kind = DeviceKind.SMART_SCALE if scale else DeviceKind.RFID_READER
        label = "智能称重" if scale else "RFID读卡"
        s.gateway = _device(f"{'SC' if scale else 'RD'}-{point.code}", kind, label, point=point)
        gateways.append(s.gateway)
    Device.objects.bulk_create(gateways, batch_size=500)
    subdevices = []
    for s in stations:
        point = s.point
        s.camera = _device(
            f"CAM-{point.code}",
            DeviceKind.AI_CAMERA,
            "AI识别摄像头",
            point=point,
            gateway=s.gateway,
        )
        s.fill = _device(
            f"FL-{point.code}", DeviceKind.FILL_SENSOR, "满溢传感器", point=point, gateway=s.gateway
        )
        subdevices += [s.camera, s.fill]
    Device.objects.bulk_create(subdevices, batch_size=500)


def _trucks(stations: list[Station], rng: random.Random) -> list[TruckUnit]:
    """Each contractor's trucks by type carried, sized to its points; each point gets one
    truck of each type (recyclables and hazardous boxes share one)."""
    by_contractor: dict[int, list[Station]] = {}
    for s in stations:
        by_contractor.setdefault(s.point.contractor_id, []).append(s)
    plates: set[str] = set()
    units = []
    for contractor_id in sorted(c for c in by_contractor if c):
        served = by_contractor[contractor_id]
        for carried, (per_truck, capacity, tare) in TRUCKS.items():
            count = math.ceil(len(served) / per_truck)
            first = len(units)
            for _ in range(count):
                plate = _plate(rng, plates)
                truck = Truck(
                    plate=plate, contractor_id=contractor_id, waste_type=carried,
                    capacity_kg=capacity,
                )  # fmt: skip
                device = _device(
                    f"TRK-{len(units) + 1:03d}", DeviceKind.TRUCK_UNIT, "车载RFID称重",
                    truck_plate=plate,
                )  # fmt: skip
                units.append(TruckUnit(truck, device, carried, tare))
            for n, s in enumerate(served):
                s.trucks[carried] = first + n % count
    Truck.objects.bulk_create([u.truck for u in units])
    Device.objects.bulk_create([u.device for u in units])
    first = {}
    for i, unit in enumerate(units):
        first.setdefault(unit.carries, i)
    for s in stations:  # a point without a contractor is served by the first trucks
        for carried in TRUCKS:
            if carried not in s.trucks and carried in first:
                s.trucks[carried] = first[carried]
    return units


def _plate(rng: random.Random, used: set[str]) -> str:
    while True:
        plate = f"粤B{rng.choice(PLATE_LETTERS)}{rng.randrange(10_000):04d}"
        if plate not in used:
            used.add(plate)
            return plate


def _weighbridges() -> list[tuple[Device, tuple[str, ...]]]:
    found = [
        (_device(code, DeviceKind.WEIGHBRIDGE, name, truck_plate=plate), types)
        for code, plate, name, types in PLANTS
    ]
    Device.objects.bulk_create([d for d, _ in found])
    return found


def _households(seed, communities, stations, per_station, rng):
    """Households with a pseudonymous id, building and room, and one card (a quarter hold a
    second one), in point order; written with ``bulk_append`` (tens of thousands of rows)."""
    rows, plan = [], []
    for s, count in zip(stations, per_station, strict=True):
        floors = rng.choice((7, 9, 18, 26, 33))
        building = 1 + sum(1 for t in stations[: s.index] if t.community == s.community) * 10
        point, community = s.point.pk, s.point.community_id
        for n in range(count):
            flat, unit = divmod(n, 4)
            code = _pseudonym(seed, "H", f"{s.point.code}/{n}", 12)
            home = (f"{building + flat // floors}栋", f"{1 + flat % floors}{unit + 1:02d}")
            rows.append((code, community, point, *home))
            plan.append(s.index)
    fields = ["code", "community_id", "point_id", "building", "room"]
    bulk_append(model=Household, fields=fields, rows=rows)
    points = [s.point.pk for s in stations]
    pks = dict(Household.objects.filter(point__in=points).values_list("code", "pk"))
    ids = [pks[row[0]] for row in rows]
    cards, first = [], []
    for (code, *_), pk in zip(rows, ids, strict=True):
        holds = 2 if rng.random() < 0.25 else 1
        held = [_pseudonym(seed, "04", f"{code}/{k}", 12) for k in range(holds)]
        first.append(held[0])
        cards += [(card, pk, True) for card in held]
    bulk_append(model=HouseholdCard, fields=["card_id", "household_id", "is_active"], rows=cards)
    return np.array(ids, dtype=np.int64), np.array(plan, dtype=np.int32), first


def _pseudonym(seed: int, prefix: str, text: str, length: int) -> str:
    digest = hashlib.blake2b(f"{seed}:{text}".encode(), digest_size=16).hexdigest()
    return prefix + digest[:length].upper()
