"""Geometry helpers on WGS-84 shapes: area in square metres, local metric projection."""

from __future__ import annotations

import math

import shapely

EARTH_RADIUS_M = 6371008.8


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at a latitude (spherical Earth)."""
    per_lat = math.pi * EARTH_RADIUS_M / 180.0
    return per_lat * math.cos(math.radians(lat)), per_lat


def area_m2(shape: shapely.Geometry) -> float:
    """Area in square metres, by a local equirectangular projection at the shape's centre.

    For district-sized shapes (tens of kilometres) the error is far below a tenth of a percent.
    """
    if shape.is_empty:
        return 0.0
    lat = shape.centroid.y
    mx, my = metres_per_degree(lat)
    return shape.area * mx * my


def to_local_metres(shape: shapely.Geometry, origin_lat: float) -> shapely.Geometry:
    mx, my = metres_per_degree(origin_lat)
    return shapely.transform(shape, lambda xy: xy * [mx, my])
