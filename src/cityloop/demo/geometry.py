"""Plausible boundaries for the demo district (real ones are not public: docs/demo.md).

The district outline is drawn by hand to follow Luohu's shape and size (78.75 km² between
Futian, Longgang, Yantian and the Shenzhen River). Streets are Voronoi cells of seeds placed
where each real street lies; communities are Voronoi cells of seeded points inside their
street; unit grids are Voronoi cells of a jittered lattice inside each community (250 m
spacing, 500 m on the outskirts), numbered west to east, north to south.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
import shapely.ops
from shapely.geometry import MultiPoint, Point, Polygon

from cityloop.geo.shapes import metres_per_degree

# WGS-84 outline, clockwise from the south-west, following Luohu's shape.
DISTRICT_OUTLINE = [
    (114.0980, 22.5380), (114.1080, 22.5320), (114.1180, 22.5300), (114.1320, 22.5360),
    (114.1480, 22.5400), (114.1650, 22.5460), (114.1850, 22.5520), (114.2050, 22.5560),
    (114.2220, 22.5650), (114.2250, 22.5850), (114.2120, 22.5980), (114.1900, 22.5960),
    (114.1720, 22.6020), (114.1550, 22.6100), (114.1350, 22.6170), (114.1180, 22.6160),
    (114.1040, 22.6050), (114.1000, 22.5850), (114.0970, 22.5600),
]  # fmt: skip

DISTRICT_SCALE = 0.960  # brings the hand-drawn outline (85.4 km²) to about 78.75 km²

# Where each street lies (roughly its real centre), by the last 3 digits of its code.
STREET_SEEDS = {
    "001": (114.1100, 22.5480),  # 桂园
    "002": (114.1400, 22.5520),  # 黄贝
    "003": (114.1220, 22.5530),  # 东门
    "004": (114.1310, 22.5660),  # 翠竹
    "005": (114.1170, 22.5390),  # 南湖
    "006": (114.1060, 22.5670),  # 笋岗
    "007": (114.1700, 22.5780),  # 东湖
    "008": (114.1800, 22.5600),  # 莲塘
    "009": (114.1350, 22.5850),  # 东晓
    "010": (114.1120, 22.5950),  # 清水河
}

CORE_STREETS = {"001", "003", "005"}  # 桂园, 东门, 南湖: the commercial core, area class A
GRID_SPACING_M = 250.0
OUTSKIRTS_GRID_SPACING_M = 500.0


@dataclass
class GridShape:
    serial: int
    shape: shapely.Geometry


def district_shape() -> Polygon:
    """The outline, scaled about its centre to Luohu's published area (78.75 km²)."""
    outline = Polygon(DISTRICT_OUTLINE)
    return shapely.affinity.scale(outline, DISTRICT_SCALE, DISTRICT_SCALE, origin="centroid")


def voronoi_cells(seeds: list[tuple[float, float]], within: shapely.Geometry) -> list:
    """One polygonal cell per seed, clipped to ``within``, in the order of the seeds."""
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=within)
    cells = []
    for seed in seeds:
        point = Point(seed)
        cell = next(r for r in regions.geoms if r.intersects(point))
        cells.append(_polygonal(cell.intersection(within)))
    return cells


def street_shapes(outline: Polygon, street_suffixes: list[str]) -> dict[str, shapely.Geometry]:
    seeds = [STREET_SEEDS[s] for s in street_suffixes]
    return dict(zip(street_suffixes, voronoi_cells(seeds, outline), strict=True))


def community_shapes(street: shapely.Geometry, count: int, rng: random.Random) -> list:
    """``count`` communities in a street: seeded points, relaxed twice (Lloyd), as cells."""
    seeds = _random_points(street, count, rng)
    for _ in range(2):
        cells = voronoi_cells(seeds, street)
        seeds = [_inner_point(c) for c in cells]
    # West to east, north to south, so that codes read across the map.
    cells = voronoi_cells(seeds, street)
    return sorted(cells, key=lambda c: (-round(c.centroid.y, 2), c.centroid.x))


def grid_shapes(community: shapely.Geometry, spacing_m: float, rng: random.Random) -> list:
    """Unit grids of a community, numbered west to east, north to south (serial 1…)."""
    mx, my = metres_per_degree(community.centroid.y)
    dx, dy = spacing_m / mx, spacing_m / my
    west, south, east, north = community.bounds
    seeds, rows = [], []
    for row, y in enumerate(np.arange(north - dy / 2, south - dy, -dy)):
        for x in np.arange(west + dx / 2, east + dx, dx):
            point = (x + rng.uniform(-0.3, 0.3) * dx, y + rng.uniform(-0.3, 0.3) * dy)
            if community.contains(Point(point)):
                seeds.append(point)
                rows.append(row)
    if not seeds:
        seeds, rows = [_inner_point(community)], [0]
    cells = voronoi_cells(seeds, community)
    order = sorted(range(len(seeds)), key=lambda i: (rows[i], seeds[i][0]))
    return [GridShape(serial + 1, cells[i]) for serial, i in enumerate(order)]


def _random_points(shape: shapely.Geometry, count: int, rng: random.Random) -> list:
    west, south, east, north = shape.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        point = (rng.uniform(west, east), rng.uniform(south, north))
        if shape.contains(Point(point)):
            points.append(point)
    return points


def _inner_point(shape: shapely.Geometry) -> tuple[float, float]:
    c = shape.centroid
    if not shape.contains(c):
        c = shape.representative_point()
    return (c.x, c.y)


def _polygonal(shape: shapely.Geometry) -> shapely.Geometry:
    """Drop points and lines that a clip may leave next to the polygon."""
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        return shape
    parts = [g for g in getattr(shape, "geoms", []) if g.geom_type == "Polygon"]
    return shapely.union_all(parts)


def frontage_strip(
    grid: shapely.Geometry, position_m: float, width_m: float, depth_m: float
) -> shapely.Geometry | None:
    """A shop's 门前三包 stretch: ``width_m`` along the grid's edge from ``position_m``,
    ``depth_m`` deep, inside the grid (the grid's edge stands for the street in front)."""
    mx, my = metres_per_degree(grid.centroid.y)
    grid_m = shapely.transform(grid, lambda xy: xy * [mx, my])
    ring_m = (grid_m.geoms[0] if grid_m.geom_type == "MultiPolygon" else grid_m).exterior
    start = position_m % ring_m.length
    stretch = shapely.ops.substring(ring_m, start, min(start + width_m, ring_m.length))
    strip = _polygonal(stretch.buffer(depth_m, cap_style="flat").intersection(grid_m))
    if strip.is_empty or strip.area < width_m * depth_m * 0.3:
        return None
    return shapely.transform(strip, lambda xy: xy / [mx, my])


def perimeter_m(shape: shapely.Geometry) -> float:
    mx, my = metres_per_degree(shape.centroid.y)
    ring = (shape.geoms[0] if shape.geom_type == "MultiPolygon" else shape).exterior
    return shapely.transform(ring, lambda xy: xy * [mx, my]).length


def inset(shape: shapely.Geometry, metres: float) -> shapely.Geometry:
    """The shape shrunk by ``metres`` (an estate inside the roads around its block)."""
    mx, my = metres_per_degree(shape.centroid.y)
    local = shapely.transform(shape, lambda xy: xy * [mx, my]).buffer(-metres)
    return shapely.transform(_polygonal(local), lambda xy: xy / [mx, my])


def clip_box(shape: shapely.Geometry, width_m: float, height_m: float) -> shapely.Geometry:
    """A ``width_m`` × ``height_m`` box at the shape's inner point, clipped to the shape."""
    return _polygonal(
        box_around(shape.representative_point(), width_m, height_m).intersection(shape)
    )


def box_around(point: shapely.Point, width_m: float, height_m: float) -> Polygon:
    mx, my = metres_per_degree(point.y)
    hw, hh = width_m / 2 / mx, height_m / 2 / my
    return shapely.box(point.x - hw, point.y - hh, point.x + hw, point.y + hh)
