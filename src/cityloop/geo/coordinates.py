"""Coordinate systems used in China, and conversion to the stored one (WGS-84).

- WGS-84 (``wgs84``): GPS, and for practical purposes CGCS2000 / 天地图 (they differ by
  centimetres). CityLoop stores every coordinate in WGS-84 (docs/decisions/0003-stored-crs.md).
- GCJ-02 (``gcj02``, 国测局坐标 "Mars coordinates"): AMap (高德), Tencent, Google China. An
  obfuscation of WGS-84 by a published polynomial, applied only inside China.
- BD-09 (``bd09``): Baidu, a further rotation/scaling of GCJ-02.

WGS-84 → GCJ-02 and GCJ-02 → BD-09 are closed formulas. Their inverses are not; we invert
them by fixed-point iteration until the round trip agrees to well under a centimetre, rather
than with the one-step approximations that are off by metres. All functions take scalars or
NumPy arrays.
"""

from __future__ import annotations

import math

import numpy as np

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
CRS_CHOICES = (WGS84, GCJ02, BD09)

# Krasovsky 1940 ellipsoid, as in the published GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_ITERATIONS = 30
_TOLERANCE_DEG = 1e-10  # about 0.01 mm


class UnknownCRS(ValueError):
    """Raised for a coordinate system name other than wgs84, gcj02 or bd09."""


def _in_china(lon, lat):
    # The published rule: no offset outside this box.
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = _in_china(lon, lat)
    return _out(np.where(inside, lon + dlon, lon)), _out(np.where(inside, lat + dlat, lat))


def gcj02_to_bd09(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return _out(z * np.cos(theta) + 0.0065), _out(z * np.sin(theta) + 0.006)


def _invert(forward, lon, lat):
    """Solve forward(x) = target by fixed-point iteration: x ← x + (target − forward(x))."""
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    x_lon, x_lat = target_lon.copy(), target_lat.copy()
    for _ in range(_ITERATIONS):
        f_lon, f_lat = forward(x_lon, x_lat)
        d_lon, d_lat = target_lon - f_lon, target_lat - f_lat
        x_lon, x_lat = x_lon + d_lon, x_lat + d_lat
        if np.all(np.abs(d_lon) < _TOLERANCE_DEG) and np.all(np.abs(d_lat) < _TOLERANCE_DEG):
            break
    return _out(x_lon), _out(x_lat)


def gcj02_to_wgs84(lon, lat):
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon, lat):
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon, lat, crs: str = WGS84):
    """Convert from ``crs`` to WGS-84 (the stored system)."""
    if crs == WGS84:
        return _out(np.asarray(lon, dtype=float)), _out(np.asarray(lat, dtype=float))
    if crs == GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if crs == BD09:
        return bd09_to_wgs84(lon, lat)
    raise UnknownCRS(crs)


def from_wgs84(lon, lat, crs: str = WGS84):
    """Convert from WGS-84 to ``crs`` (for a map whose tiles are in that system)."""
    if crs == WGS84:
        return _out(np.asarray(lon, dtype=float)), _out(np.asarray(lat, dtype=float))
    if crs == GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if crs == BD09:
        return wgs84_to_bd09(lon, lat)
    raise UnknownCRS(crs)


def distance_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (haversine on a 6,371,008.8 m sphere)."""
    r = 6371008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return _out(2 * r * np.arcsin(np.sqrt(h)))


def _out(value):
    """Plain floats for scalar input, arrays for array input."""
    return float(value) if np.ndim(value) == 0 else value
