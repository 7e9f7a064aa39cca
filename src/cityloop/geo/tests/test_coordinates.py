"""WGS-84, GCJ-02 and BD-09: conversions and their round trips."""

import numpy as np
import pytest

from cityloop.geo import coordinates as c


@pytest.fixture
def points():
    rng = np.random.default_rng(7)
    # Luohu and a margin around it, plus a spread over mainland China.
    local = rng.uniform([114.05, 22.50], [114.30, 22.66], (2000, 2))
    china = rng.uniform([75.0, 20.0], [134.0, 52.0], (2000, 2))
    return np.vstack([local, china])


def test_gcj02_offset_in_shenzhen_is_the_known_few_hundred_metres():
    lon, lat = 114.1207, 22.5449
    glon, glat = c.wgs84_to_gcj02(lon, lat)
    assert 500 < c.distance_m(lon, lat, glon, glat) < 700
    assert glon > lon and glat < lat  # Shenzhen's Mars shift is east and a little south


@pytest.mark.parametrize("crs", [c.GCJ02, c.BD09])
def test_round_trip_through_each_system_is_under_a_millimetre(points, crs):
    lon, lat = points[:, 0], points[:, 1]
    there = c.from_wgs84(lon, lat, crs)
    back = c.to_wgs84(*there, crs)
    assert c.distance_m(lon, lat, *back).max() < 0.001


def test_bd09_is_gcj02_shifted_again():
    glon, glat = c.wgs84_to_gcj02(114.1207, 22.5449)
    blon, blat = c.gcj02_to_bd09(glon, glat)
    assert 600 < c.distance_m(glon, glat, blon, blat) < 1000
    assert c.distance_m(glon, glat, *c.bd09_to_gcj02(blon, blat)) < 0.001


def test_no_offset_outside_china():
    assert c.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_scalars_give_floats_and_arrays_give_arrays():
    assert isinstance(c.to_wgs84(114.1, 22.5, c.GCJ02)[0], float)
    lon, _lat = c.to_wgs84(np.array([114.1, 114.2]), np.array([22.5, 22.6]), c.BD09)
    assert lon.shape == (2,)


def test_unknown_system_is_refused():
    with pytest.raises(c.UnknownCRS):
        c.to_wgs84(114.1, 22.5, "epsg:3857")
