"""Where the demo's cases happen: points drawn uniformly inside unit grids (weighted by area
class) or inside social entities' zones (a shop's 门前三包 strip, an estate, a market), then
placed by the same batch ``locate`` that intake uses, so grid, community, street and zone are
what a live report at that point would get.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from cityloop.demo import names
from cityloop.demo.history import mix
from cityloop.geo.index import GeoIndex
from cityloop.geo.locate import locate_batch
from cityloop.org.models import Unit


class TriangleSampler:
    """Uniform points inside polygons: each polygon cut into triangles once, then a triangle
    drawn by area and a point drawn inside it (vectorised)."""

    def __init__(self, polygons) -> None:
        corners, owners = [], []
        for n, polygon in enumerate(polygons):
            parts = shapely.get_parts(shapely.constrained_delaunay_triangles(polygon))
            coords = shapely.get_coordinates(parts).reshape(len(parts), 4, 2)[:, :3, :]
            corners.append(coords)
            owners.append(np.full(len(parts), n))
        self.corners = np.concatenate(corners)
        owner = np.concatenate(owners)
        a, b, c = self.corners[:, 0], self.corners[:, 1], self.corners[:, 2]
        area = 0.5 * np.abs(
            (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
        )
        self.cumulative = np.cumsum(area)
        starts = np.searchsorted(owner, np.arange(len(polygons)))
        self.start_area = np.concatenate([[0.0], self.cumulative])[starts]
        self.polygon_area = np.bincount(owner, weights=area, minlength=len(polygons))

    def sample(self, which: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One point inside each polygon ``which[i]``."""
        target = self.start_area[which] + rng.random(len(which)) * self.polygon_area[which]
        tri = np.minimum(np.searchsorted(self.cumulative, target), len(self.cumulative) - 1)
        r1, r2 = rng.random(len(which)), rng.random(len(which))
        flip = r1 + r2 > 1
        r1, r2 = np.where(flip, 1 - r1, r1), np.where(flip, 1 - r2, r2)
        a, b, c = self.corners[tri, 0], self.corners[tri, 1], self.corners[tri, 2]
        point = a + r1[:, None] * (b - a) + r2[:, None] * (c - a)
        return point[:, 0], point[:, 1]


@dataclass
class Spot:
    """A placed point: what intake's ``report_place`` would store for it, and an address."""

    lon: float
    lat: float
    grid_id: int
    grid_code: str
    community: Unit
    street: Unit
    area_class: str
    zone_id: int | None  # the case's zone, as intake sets it
    zone_ids: list[int]  # every zone containing the point (routing looks at all of them)
    address: str


class Places:
    """The district's grids and zones, ready to draw points from."""

    def __init__(self, index: GeoIndex, units: dict[int, Unit]) -> None:
        self.index = index
        self.units = units
        self.grid_class = np.array(index.grid_area_class)
        self.grids = TriangleSampler(index.grid_shapes)
        self.grid_weights = {
            name: self._normalise(np.array([w[c] for c in self.grid_class]))
            for name, w in mix.GRID_WEIGHTS.items()
        }
        zone_shapes = index.zone_tree.geometries
        self.zone_pos: dict[str, np.ndarray] = {}
        self.zone_weights: dict[str, np.ndarray] = {}
        self.zone_samplers: dict[str, TriangleSampler] = {}
        centroids = shapely.centroid(zone_shapes)
        centroid_class = self.grid_class[np.maximum(index.grid_hits(centroids), 0)]
        for kind in mix.ZONE_KINDS:
            pos = np.array([i for i, z in enumerate(index.zones) if z.kind == kind], dtype=np.int64)
            weights = np.array([mix.ZONE_AREA_WEIGHTS[c] for c in centroid_class[pos]])
            self.zone_pos[kind] = pos
            self.zone_weights[kind] = self._normalise(weights)
            self.zone_samplers[kind] = TriangleSampler(zone_shapes[pos])

    @staticmethod
    def _normalise(weights: np.ndarray) -> np.ndarray:
        return weights / weights.sum()

    def draw(self, kinds: list[str], rng: np.random.Generator, pick) -> list[Spot]:
        """One spot for each place kind (a GRID_WEIGHTS key or a zone kind); ``pick`` draws
        the numbers of street addresses."""
        n = len(kinds)
        lon, lat = np.zeros(n), np.zeros(n)
        hints: list[str] = [""] * n
        kinds_arr = np.array(kinds)
        for kind in sorted(set(kinds)):
            rows = np.flatnonzero(kinds_arr == kind)
            if kind in self.zone_samplers:
                chosen = rng.choice(
                    len(self.zone_pos[kind]), size=len(rows), p=self.zone_weights[kind]
                )
                x, y = self.zone_samplers[kind].sample(chosen, rng)
                for row, c in zip(rows, chosen, strict=True):
                    hints[row] = self._zone_address(int(self.zone_pos[kind][c]))
            else:
                chosen = rng.choice(len(self.grid_class), size=len(rows), p=self.grid_weights[kind])
                x, y = self.grids.sample(chosen, rng)
            lon[rows], lat[rows] = x, y
        return self._locate(lon, lat, hints, pick)

    def _zone_address(self, pos: int) -> str:
        zone = self.index.zones[pos]
        owner = self.units.get(zone.owner.id)
        if zone.kind == "frontage" and owner is not None and owner.address:
            return f"{owner.address}（{owner.name}门前）"
        return zone.name

    def _locate(self, lon, lat, hints, pick) -> list[Spot]:
        batch = locate_batch(lon, lat)
        order = np.argsort(batch.zone_pairs[0], kind="stable")
        points, zones = batch.zone_pairs[0][order], batch.zone_pairs[1][order]
        bounds = np.searchsorted(points, np.arange(len(lon) + 1))
        spots = []
        for i in range(len(lon)):
            pos = int(batch.grid_pos[i])
            if pos < 0:  # cannot happen: every drawn point lies in a grid
                raise ValueError(f"demo point {lon[i]}, {lat[i]} is in no grid")
            community = self.units[int(batch.community_id[i])]
            street = self.units[community.parent_id]
            zone_ids = [z.id for z in self.index.zones_at(zones[bounds[i] : bounds[i + 1]])]
            spots.append(
                Spot(
                    lon=float(batch.lon[i]),
                    lat=float(batch.lat[i]),
                    grid_id=int(batch.grid_id[i]),
                    grid_code=self.index.grid_codes[pos],
                    community=community,
                    street=street,
                    area_class=str(self.grid_class[pos]),
                    zone_id=zone_ids[0] if zone_ids else None,
                    zone_ids=zone_ids,
                    address=hints[i] or _street_address(street, pick()),
                )
            )
        return spots


def _street_address(street: Unit, pick: float) -> str:
    roads = names.ROADS.get((street.code or "")[6:9]) or ["街面"]
    road = roads[int(pick * len(roads)) % len(roads)]
    number = 1 + int(pick * 997) % 400
    return f"深圳市罗湖区{road}{number}号附近"
