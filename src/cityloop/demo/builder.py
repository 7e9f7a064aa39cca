"""Build the demo district deterministically: Luohu's real outline, streets and communities,
plausible boundaries of the streets and communities inside the outline, unit grids,
departments, social entities with responsibility zones, and one user per role per tier. All
writes are bulk writes; the same seed gives the same district.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.contrib.auth.hashers import make_password
from django.db import transaction

from cityloop.core.progress import Progress
from cityloop.demo import geometry, names
from cityloop.geo.choices import AreaClass, ZoneKind
from cityloop.geo.index import bump_version
from cityloop.geo.models import Boundary, Grid, ResponsibilityZone
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.codes import make_credit_code
from cityloop.org.models import RoleGrant, Unit, User
from cityloop.org.services import unit_create, unit_paths_assign

DATA = Path(__file__).resolve().parent / "data"
DIVISIONS_CSV = DATA / "luohu-divisions.csv"
DEMO_PASSWORD = "cityloop-demo"  # noqa: S105 — the printed demo password, for the demo only
DEFAULT_SEED = 2024
SHOP_COUNT = 2000
ESTATE_COUNT = 180
PROPERTY_MANAGER_COUNT = 40
SCHOOL_COUNT = 30
BOUNDARY_SOURCE = "CityLoop demo: generated inside the real district outline, not the real one"


@dataclass
class DemoSummary:
    streets: int = 0
    communities: int = 0
    grids: int = 0
    departments: int = 0
    entities: int = 0
    zones: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)  # username, roles, unit

    def line(self) -> str:
        return (
            f"demo district: {self.streets} streets, {self.communities} communities, "
            f"{self.grids:,} grids, {self.departments} departments, {self.entities:,} social "
            f"entities, {self.zones:,} responsibility zones, {len(self.users)} users"
        )


def demo_exists() -> bool:
    return Unit.objects.filter(kind=UnitKind.DISTRICT, code="440303").exists()


@transaction.atomic
def build_demo(*, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> DemoSummary:
    """Build the whole demo district in one transaction."""
    progress = progress or Progress()
    rng = random.Random(seed)
    builder = _Builder(rng, progress)
    builder.divisions()
    builder.grids()
    builder.departments()
    builder.entities()
    builder.users()
    bump_version()
    return builder.summary


@transaction.atomic
def delete_demo() -> None:
    """Remove every unit, grid, zone and unit member (``cityloop demo --reset``)."""
    ResponsibilityZone.objects.all().delete()
    Grid.objects.all().delete()
    Boundary.objects.all().delete()
    User.objects.filter(unit__isnull=False).delete()  # accounts made outside the demo stay
    for depth in sorted(set(Unit.objects.values_list("depth", flat=True)), reverse=True):
        Unit.objects.filter(depth=depth).delete()
    bump_version()


class _Builder:
    def __init__(self, rng: random.Random, progress: Progress) -> None:
        self.rng = rng
        self.progress = progress
        self.summary = DemoSummary()
        self.credit_codes: set[str] = set()
        self.street_by_suffix: dict[str, Unit] = {}
        self.street_shapes: dict[str, shapely.Geometry] = {}
        self.communities: list[tuple[Unit, shapely.Geometry, str]] = []  # unit, shape, class
        self.grid_rows: list[tuple[Grid, shapely.Geometry]] = []

    # --- divisions and boundaries -------------------------------------------------------
    def divisions(self) -> None:
        self.progress.stage("divisions: Luohu, its 10 streets and 115 communities")
        rows = list(csv.DictReader(DIVISIONS_CSV.open(encoding="utf-8")))
        district_row = next(r for r in rows if r["level"] == "district")
        district = unit_create(
            kind=UnitKind.DISTRICT,
            name=district_row["name"],
            short_name=district_row["short_name"],
            code=district_row["code_short"],
        )
        outline = geometry.district_shape()
        boundaries = [self._boundary(district, outline, geometry.DISTRICT_SOURCE)]
        streets = [r for r in rows if r["level"] == "street"]
        street_units = self._bulk_units(
            [
                Unit(
                    kind=UnitKind.STREET,
                    name=r["name"],
                    short_name=r["short_name"],
                    code=r["code_short"],
                    parent=district,
                )
                for r in streets
            ]
        )
        suffixes = [u.code[6:] for u in street_units]
        self.street_shapes = geometry.street_shapes(outline, suffixes)
        for unit in street_units:
            self.street_by_suffix[unit.code[6:]] = unit
            boundaries.append(self._boundary(unit, self.street_shapes[unit.code[6:]]))
        boundaries += self._communities(rows)
        Boundary.objects.bulk_create(boundaries, batch_size=500)
        self.summary.streets = len(street_units)
        self.summary.communities = len(self.communities)

    def _communities(self, rows: list[dict]) -> list[Boundary]:
        by_street: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            if r["level"] == "community":
                by_street[r["parent_code_12"][6:9]].append(r)
        units, shapes, classes = [], [], []
        for suffix, street in self.street_by_suffix.items():
            community_rows = by_street[suffix]
            cells = geometry.community_shapes(
                self.street_shapes[suffix], len(community_rows), self.rng
            )
            for r, cell in zip(community_rows, cells, strict=True):
                units.append(
                    Unit(
                        kind=UnitKind.COMMUNITY,
                        name=r["name"],
                        short_name=r["short_name"],
                        code=r["code_short"],
                        parent=street,
                    )
                )
                shapes.append(cell)
                classes.append(self._area_class(suffix, r, cell))
        units = self._bulk_units(units)
        self.communities = list(zip(units, shapes, classes, strict=True))
        return [self._boundary(u, s) for u, s in zip(units, shapes, strict=True)]

    @staticmethod
    def _area_class(street_suffix: str, row: dict, shape: shapely.Geometry) -> str:
        if street_suffix in geometry.CORE_STREETS:
            return AreaClass.A
        from cityloop.geo.shapes import area_m2

        # NBS 城乡分类 112 (城乡结合区) and the large wooded communities are outskirts.
        if row["urban_rural_class"] == "112" or area_m2(shape) > 3_000_000:
            return AreaClass.C
        return AreaClass.B

    def _bulk_units(self, units: list[Unit]) -> list[Unit]:
        for unit in units:
            unit.path = "/"
        created = Unit.objects.bulk_create(units, batch_size=1000)
        return unit_paths_assign(created)

    @staticmethod
    def _boundary(unit: Unit, shape: shapely.Geometry, source: str = BOUNDARY_SOURCE) -> Boundary:
        boundary = Boundary(unit=unit, source=source)
        boundary.set_shape(shape)
        return boundary

    # --- grids ---------------------------------------------------------------------------
    def grids(self) -> None:
        self.progress.stage("unit grids over every community")
        rows = []
        for n, (community, shape, area_class) in enumerate(self.communities, start=1):
            spacing = (
                geometry.OUTSKIRTS_GRID_SPACING_M
                if area_class == AreaClass.C
                else geometry.GRID_SPACING_M
            )
            for cell in geometry.grid_shapes(shape, spacing, self.rng):
                grid = Grid(
                    code=f"{community.code}{cell.serial:03d}",
                    community=community,
                    area_class=area_class,
                )
                grid.set_shape(cell.shape)
                rows.append((grid, cell.shape))
            self.progress.step("grids", n, len(self.communities))
        Grid.objects.bulk_create([g for g, _ in rows], batch_size=500)
        self.grid_rows = rows
        self.summary.grids = len(rows)

    # --- departments and social entities -------------------------------------------------
    def _credit_code(self, prefix: str) -> str:
        """A valid, unique unified social credit code: prefix (2) + 440303 + org code + check."""
        while True:
            body = "".join(self.rng.choice("0123456789") for _ in range(8))
            code = make_credit_code(f"{prefix}440303{body}{_org_code_check(body)}")
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def departments(self) -> None:
        self.progress.stage("functional departments")
        district = Unit.objects.get(kind=UnitKind.DISTRICT, code="440303")
        units = [
            Unit(
                kind=UnitKind.DEPARTMENT,
                name=name,
                function=function,
                bureau=bureau,
                parent=district,
                credit_code=self._credit_code("11"),
            )
            for name, function, bureau in names.DEPARTMENTS
        ]
        self._bulk_units(units)
        self.summary.departments = len(units)

    def entities(self) -> None:
        self.progress.stage("social entities and their responsibility zones")
        used_grids: set[str] = set()
        placements: list[_Placement] = []
        placements += self._contractors()
        placements += self._estates(used_grids)
        placements += self._markets_and_schools(used_grids)
        placements += self._shops()
        units = self._bulk_units([p.unit for p in placements])
        zones = []
        for unit, placement in zip(units, placements, strict=True):
            for kind, shape, zone_name in placement.zones:
                zone = ResponsibilityZone(owner=unit, kind=kind, name=zone_name)
                zone.set_shape(shape)
                zones.append(zone)
        ResponsibilityZone.objects.bulk_create(zones, batch_size=500)
        self.summary.entities = len(units)
        self.summary.zones = len(zones)

    def _entity(self, name, entity_kind, parent, prefix="91", address="") -> Unit:
        return Unit(
            kind=UnitKind.SOCIAL_ENTITY,
            name=name,
            entity_kind=entity_kind,
            parent=parent,
            credit_code=self._credit_code(prefix),
            address=address,
            contact_phone=f"0755-2{self.rng.randrange(1000000, 9999999)}",
        )

    def _contractors(self) -> list[_Placement]:
        """Sanitation contractors, each holding the cleaning contract of two streets."""
        suffixes = sorted(self.street_by_suffix)
        placements = []
        for i, name in enumerate(names.SANITATION_CONTRACTORS):
            served = suffixes[2 * i : 2 * i + 2]
            unit = self._entity(
                name, EntityKind.SANITATION_CONTRACTOR, self.street_by_suffix[served[0]]
            )
            zones = [
                (
                    ZoneKind.SANITATION_AREA,
                    self.street_shapes[s],
                    f"{self.street_by_suffix[s].short_name}环卫作业区",
                )
                for s in served
            ]
            placements.append(_Placement(unit, zones))
        return placements

    def _estates(self, used_grids: set[str]) -> list[_Placement]:
        """Property managers, each managing a few estates (the block inside its roads)."""
        residential = [(g, s) for g, s in self.grid_rows if g.area_class == AreaClass.B]
        chosen = self.rng.sample(residential, min(ESTATE_COUNT, len(residential)))
        by_street: dict[str, list] = defaultdict(list)
        for grid, shape in chosen:
            by_street[grid.code[6:9]].append((grid, shape))
        streets = sorted(by_street)
        words = self.rng.sample(names.PROPERTY_MANAGER_WORDS, PROPERTY_MANAGER_COUNT)
        placements = [
            _Placement(
                self._entity(
                    f"深圳市{word}物业管理有限公司",
                    EntityKind.PROPERTY_MANAGER,
                    self.street_by_suffix[streets[i % len(streets)]],
                ),
                [],
            )
            for i, word in enumerate(words)
        ]
        managers_of = defaultdict(list)
        for i, placement in enumerate(placements):
            managers_of[streets[i % len(streets)]].append(placement)
        for suffix, estates in by_street.items():
            for n, (grid, shape) in enumerate(estates):
                used_grids.add(grid.code)
                estate = f"{self.rng.choice(names.WORDS)}{self.rng.choice(names.ESTATE_SUFFIXES)}"
                road = self.rng.choice(names.ROADS[suffix])
                manager = managers_of[suffix][n % len(managers_of[suffix])]
                manager.zones.append(
                    (ZoneKind.ESTATE, geometry.inset(shape, 15), f"{estate}（{road}）")
                )
        return placements

    def _markets_and_schools(self, used_grids: set[str]) -> list[_Placement]:
        free = [
            (g, s)
            for g, s in self.grid_rows
            if g.code not in used_grids and g.area_class != AreaClass.C
        ]
        picks = self.rng.sample(free, len(names.MARKETS) + SCHOOL_COUNT)
        placements = []
        for (grid, shape), market in zip(picks, names.MARKETS, strict=False):
            used_grids.add(grid.code)
            zone = geometry.clip_box(shape, 70, 70)
            unit = self._entity(market, EntityKind.MARKET, grid.community)
            placements.append(_Placement(unit, [(ZoneKind.MARKET, zone, market)]))
        for grid, shape in picks[len(names.MARKETS) :]:
            used_grids.add(grid.code)
            community = grid.community.short_name.removesuffix("社区")
            name = f"深圳市罗湖区{community}{self.rng.choice(names.SCHOOL_KINDS)}"
            zone = geometry.clip_box(shape, 120, 90)
            unit = self._entity(name, EntityKind.SCHOOL, grid.community, prefix="12")
            placements.append(_Placement(unit, [(ZoneKind.CAMPUS, zone, name)]))
        return placements

    def _shops(self) -> list[_Placement]:
        """Shops along the grids' edges, most in the core, each with its 门前三包 stretch."""
        weights = {AreaClass.A: 6.0, AreaClass.B: 1.0, AreaClass.C: 0.1}
        grids = self.grid_rows
        chosen = self.rng.choices(
            grids, weights=[weights[g.area_class] for g, _ in grids], k=SHOP_COUNT * 2
        )
        cursor: dict[str, float] = {}
        placements = []
        for grid, shape in chosen:
            if len(placements) == SHOP_COUNT:
                break
            width = self.rng.uniform(8, 20)
            position = cursor.get(grid.code, self.rng.uniform(0, 50))
            if position + width > geometry.perimeter_m(shape):
                continue
            cursor[grid.code] = position + width + self.rng.uniform(2, 12)
            strip = geometry.frontage_strip(shape, position, width, 6)
            if strip is None:
                continue
            suffix = grid.code[6:9]
            road = self.rng.choice(names.ROADS[suffix])
            name = f"{self.rng.choice(names.WORDS)}{self.rng.choice(names.SHOP_TYPES)}"
            address = f"深圳市罗湖区{road}{self.rng.randrange(1, 400)}号"
            unit = self._entity(name, EntityKind.SHOP, grid.community, prefix="92", address=address)
            placements.append(
                _Placement(unit, [(ZoneKind.FRONTAGE, strip, f"{name}门前三包责任区")])
            )
        return placements

    # --- users -------------------------------------------------------------------------
    def users(self) -> None:
        self.progress.stage("one user per role per tier")
        district = Unit.objects.get(kind=UnitKind.DISTRICT, code="440303")
        street = Unit.objects.get(code="440303001")
        shop = (
            Unit.objects.filter(entity_kind=EntityKind.SHOP, parent__parent=street)
            .order_by("parent__code", "id")
            .first()
        )
        community = shop.parent
        manager = _first(EntityKind.PROPERTY_MANAGER)
        contractor = _first(EntityKind.SANITATION_CONTRACTOR)
        water = Unit.objects.get(kind=UnitKind.DEPARTMENT, function="water")
        plan = [("district", district, list(Role))]
        plan += [
            (
                "street",
                street,
                [
                    Role.INSPECTOR,
                    Role.DISPATCHER,
                    Role.HANDLER,
                    Role.ENFORCEMENT_OFFICER,
                    Role.LEADER,
                ],
            )
        ]
        plan += [("community", community, [Role.INSPECTOR, Role.HANDLER, Role.LEADER])]
        plan += [("shop", shop, [Role.HANDLER]), ("property", manager, [Role.HANDLER])]
        plan += [
            ("contractor", contractor, [Role.HANDLER]),
            ("dept", water, [Role.HANDLER, Role.LEADER]),
        ]
        password = make_password(DEMO_PASSWORD)
        users, grants = [], []
        for tier, unit, roles in plan:
            for role in roles:
                username = (
                    "admin"
                    if role == Role.ADMINISTRATOR
                    else f"{tier}-{role.value.replace('_', '-')}"
                )
                user = User(
                    username=username,
                    password=password,
                    unit=unit,
                    display_name=f"{unit.display_name}{role.label}",
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR,
                )
                users.append(user)
                grants.append((user, role))
                self.summary.users.append((username, role.value, unit.name))
        User.objects.bulk_create(users)
        RoleGrant.objects.bulk_create([RoleGrant(user=u, role=r) for u, r in grants])


@dataclass
class _Placement:
    """A social entity to create and the zones (kind, shape, name) it answers for."""

    unit: Unit
    zones: list[tuple[str, shapely.Geometry, str]]


def _first(entity_kind: str) -> Unit:
    return Unit.objects.filter(entity_kind=entity_kind).order_by("id").first()


def _org_code_check(body8: str) -> str:
    """Check digit of a GB 11714 organisation code (the 9th character)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(c) * w for c, w in zip(body8, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))
