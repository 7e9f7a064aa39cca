"""locate(): point → grid → community → street, plus the zones that contain it."""

import json

import numpy as np
import pytest
import shapely

from cityloop.conftest import box
from cityloop.geo import coordinates as c
from cityloop.geo.geojson import grids_import
from cityloop.geo.locate import NoGrid, OutsideDistrict, locate, locate_batch
from cityloop.geo.models import Grid

pytestmark = pytest.mark.django_db

# Inside the north-west grid of the north-west community, and inside the shop's zone.
SHOP_POINT = (114.1005, 22.5595)


def test_a_wgs84_point_finds_grid_community_street_and_zone(tiny):
    where = locate(*SHOP_POINT)
    assert where.grid_code == "440303001001001"
    assert where.community.code == "440303001001"
    assert where.street.code == "440303001"
    assert [z.name for z in where.zones] == ["东门肠粉店门前三包"]
    assert where.zones[0].owner.name == "东门肠粉店"


@pytest.mark.parametrize("crs", [c.WGS84, c.GCJ02, c.BD09])
def test_the_same_place_in_any_system_finds_the_same_grid(tiny, crs):
    lon, lat = c.from_wgs84(114.1370, 22.5420, crs)
    where = locate(lon, lat, crs)
    assert where.grid_code == "440303002002004"
    assert c.distance_m(where.lon, where.lat, 114.1370, 22.5420) < 1.0


def test_gcj02_coordinates_read_as_wgs84_land_somewhere_else(tiny):
    # AMap's coordinates for the point are ~600 m east: taken raw they miss the district.
    lon, lat = c.wgs84_to_gcj02(114.1370, 22.5420)
    with pytest.raises(OutsideDistrict):
        locate(lon, lat, c.WGS84)


def test_a_point_outside_the_district_is_an_explicit_error(tiny):
    with pytest.raises(OutsideDistrict) as exc:
        locate(113.9, 22.5)
    assert exc.value.code == "outside_district"
    assert "113.900000" in str(exc.value)


def test_a_point_in_the_district_but_in_no_grid_says_so(tiny):
    Grid.objects.filter(code="440303001001001").update(is_active=False)
    from cityloop.geo.index import bump_version

    bump_version()
    with pytest.raises(NoGrid):
        locate(*SHOP_POINT)


def test_a_point_on_a_shared_edge_belongs_to_one_grid_deterministically(tiny):
    mid = (114.10 + 114.12) / 2
    first = locate(mid, 22.5575).grid_code
    assert first == locate(mid, 22.5575).grid_code
    assert first in {"440303001001001", "440303001001002"}


def test_the_index_follows_imported_changes(tiny):
    # Replace grid 001 by a smaller one: its north-west corner is no longer covered.
    w, s, e, n = Grid.objects.get(code="440303001001001").shape.bounds
    smaller = box(w + 0.003, s, e, n)
    feature = {
        "type": "Feature",
        "properties": {"code": "440303001001001"},
        "geometry": json.loads(shapely.to_geojson(smaller)),
    }
    assert locate(*SHOP_POINT).grid_code == "440303001001001"
    assert grids_import(data={"type": "FeatureCollection", "features": [feature]}).ok
    with pytest.raises(NoGrid):
        locate(*SHOP_POINT)


def test_batch_gives_the_same_answers_as_one_by_one(tiny):
    rng = np.random.default_rng(3)
    pts = rng.uniform([114.095, 22.535], [114.145, 22.565], (500, 2))
    batch = locate_batch(pts[:, 0], pts[:, 1])
    for i, (lon, lat) in enumerate(pts):
        try:
            expected = locate(lon, lat).grid_code
        except OutsideDistrict:
            expected = None
        got = batch.location(i)
        assert (got.grid_code if got else None) == expected
    assert 200 < batch.found.sum() < 350  # the district covers about half the box
