"""The in-memory spatial index behind ``locate()``: shapely 2 STRtrees over grids and zones.

Built once per process from the database and rebuilt when ``LayerVersion`` has moved (any
grid, zone or boundary change bumps it in the same transaction). Checking the version is one
primary-key read per lookup call; a batch call pays it once for all its points.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.strtree import STRtree

from cityloop.geo.models import Boundary, Grid, LayerVersion, ResponsibilityZone
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class ZoneRef:
    id: int
    kind: str
    name: str
    owner: UnitRef
    owner_kind: str
    area_m2: float = 0.0


class GeoIndex:
    """Immutable snapshot of the geography layers at one version."""

    def __init__(self, version: int) -> None:
        self.version = version
        grids = list(
            Grid.objects.filter(is_active=True).values_list(
                "id", "code", "community_id", "geometry", "area_class"
            )
        )
        self.grid_ids = np.array([g[0] for g in grids], dtype=np.int64)
        self.grid_codes = [g[1] for g in grids]
        self.grid_community = np.array([g[2] for g in grids], dtype=np.int64)
        self.grid_area_class = [g[4] for g in grids]
        self.grid_shapes = shapely.from_geojson([g[3] for g in grids]) if grids else np.array([])
        self.grid_tree = STRtree(self.grid_shapes)
        self.units = self._units()
        self.zones, zone_shapes = self._zones()
        self.zone_tree = STRtree(zone_shapes)
        self.district_shape = self._district_shape()
        shapely.prepare(self.grid_shapes)
        shapely.prepare(zone_shapes)

    @staticmethod
    def _units() -> dict[int, tuple[UnitRef, int | None]]:
        rows = Unit.objects.filter(
            kind__in=[UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY]
        ).values_list("id", "code", "name", "parent_id")
        return {r[0]: (UnitRef(r[0], r[1] or "", r[2]), r[3]) for r in rows}

    @staticmethod
    def _zones() -> tuple[list[ZoneRef], np.ndarray]:
        rows = list(
            ResponsibilityZone.objects.filter(is_active=True, owner__is_active=True).values_list(
                "id",
                "kind",
                "name",
                "owner_id",
                "owner__name",
                "owner__entity_kind",
                "geometry",
                "area_m2",
            )
        )
        refs = [ZoneRef(r[0], r[1], r[2], UnitRef(r[3], "", r[4]), r[5] or "", r[7]) for r in rows]
        shapes = shapely.from_geojson([r[6] for r in rows]) if rows else np.array([])
        return refs, shapes

    @staticmethod
    def _district_shape() -> shapely.Geometry | None:
        row = Boundary.objects.filter(unit__kind=UnitKind.DISTRICT).values_list(
            "geometry", flat=True
        )
        shapes = [shapely.from_geojson(g) for g in row]
        return shapely.union_all(shapes) if shapes else None

    def grid_hits(self, points: np.ndarray) -> np.ndarray:
        """For each point the position of its grid in this index, or -1 for none.

        A point on the shared edge of two grids belongs to the one listed first (lowest id),
        so the answer is deterministic.
        """
        result = np.full(len(points), -1, dtype=np.int64)
        if len(self.grid_ids) == 0 or len(points) == 0:
            return result
        pairs = self.grid_tree.query(points, predicate="intersects")
        # pairs[0] is sorted by point; keep the smallest tree index for each point.
        order = np.lexsort((pairs[1], pairs[0]))
        pts, trees = pairs[0][order], pairs[1][order]
        first = np.ones(len(pts), dtype=bool)
        first[1:] = pts[1:] != pts[:-1]
        result[pts[first]] = trees[first]
        return result

    def zone_hits(self, points: np.ndarray) -> np.ndarray:
        """(point position, zone position) pairs for every zone containing a point."""
        if not self.zones or len(points) == 0:
            return np.empty((2, 0), dtype=np.int64)
        return self.zone_tree.query(points, predicate="intersects")

    def zones_at(self, positions) -> list[ZoneRef]:
        """Zones in the order that matters: the most specific (smallest) first."""
        refs = [self.zones[int(z)] for z in positions]
        return sorted(refs, key=lambda z: (z.area_m2, z.id))

    def community_chain(self, community_id: int) -> tuple[UnitRef, UnitRef | None]:
        community, street_id = self.units[community_id]
        street = self.units[street_id][0] if street_id in self.units else None
        return community, street


_lock = threading.Lock()
_current: GeoIndex | None = None


def stored_version() -> int:
    return LayerVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def get_index() -> GeoIndex:
    """The index for the stored layer version, rebuilt first if the layers have changed."""
    global _current
    version = stored_version()
    index = _current
    if index is not None and index.version == version:
        return index
    with _lock:
        if _current is None or _current.version != version:
            _current = GeoIndex(version)
        return _current


def bump_version() -> None:
    """Record that grids, zones or boundaries changed (call inside the writing transaction).

    The new version is random, not the old one plus one: a rolled-back change (or a test
    database rolled back between tests) can never bring back a version number that some
    process has already built an index for.
    """
    LayerVersion.objects.update_or_create(pk=1, defaults={"version": secrets.randbits(62)})
