"""The geography API: locate (one and many), grids as GeoJSON, grid import, and errors."""

import json

import pytest

from cityloop.geo import coordinates as c
from cityloop.org.choices import Role
from cityloop.org.services import user_create

pytestmark = pytest.mark.django_db


def test_locate_answers_grid_community_street_and_zones(tiny, login):
    client = login(tiny.users["street"])
    body = client.get("/api/geo/locate", {"lon": 114.1005, "lat": 22.5595}).json()
    assert body["grid_code"] == "440303001001001"
    assert body["community"]["code"] == "440303001001"
    assert body["street"]["code"] == "440303001"
    assert body["zones"][0]["owner"]["name"] == "东门肠粉店"


def test_locate_takes_baidu_coordinates(tiny, login):
    lon, lat = c.from_wgs84(114.1370, 22.5420, c.BD09)
    body = (
        login(tiny.users["district"])
        .get("/api/geo/locate", {"lon": lon, "lat": lat, "crs": "bd09"})
        .json()
    )
    assert body["grid_code"] == "440303002002004"


def test_locate_outside_the_district_is_a_422_in_both_languages(tiny, login):
    response = login(tiny.users["district"]).get("/api/geo/locate", {"lon": 113.9, "lat": 22.5})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["code"] == "outside_district"
    assert detail["en"].startswith("The point (113.900000, 22.500000) is outside the district")
    assert "辖区" in detail["zh"]


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"lat": 22.5}, "lon", "missing"),
        ({"lon": "abc", "lat": 22.5}, "lon", "float_parsing"),
        ({"lon": 114.1, "lat": 22.5, "crs": "epsg4326"}, "crs", "literal_error"),
        ({"lon": 200, "lat": 22.5}, "lon", "less_than_equal"),
    ],
)
def test_bad_locate_input_names_the_field(tiny, login, params, field, code):
    response = login(tiny.users["district"]).get("/api/geo/locate", params)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert (detail["field"], detail["code"]) == (field, code)
    assert detail["zh"] != detail["en"]


def test_batch_locate_counts_and_keeps_order(tiny, login):
    points = [[114.1005, 22.5595], [113.9, 22.5], [114.1370, 22.5420]]
    response = login(tiny.users["district"]).post(
        "/api/geo/locate/batch", {"points": points}, content_type="application/json"
    )
    body = response.json()
    assert (body["located"], body["outside"]) == (2, 1)
    assert body["results"][1] is None
    assert body["results"][2]["grid_code"] == "440303002002004"


def test_a_batch_point_off_the_globe_is_a_422_on_its_coordinate(tiny, login):
    # Given a batch whose second point has a longitude no place on Earth has
    points = [[114.1005, 22.5595], [1e308, 22.5], [114.1370, 95.0]]
    # When it is sent to be located
    response = login(tiny.users["district"]).post(
        "/api/geo/locate/batch", {"points": points}, content_type="application/json"
    )
    # Then both bad coordinates are named, in both languages, and nothing is located
    assert response.status_code == 422
    assert [(d["field"], d["code"], d["en"]) for d in response.json()["detail"]] == [
        ("points.1.0", "less_than_equal", "The value is too large."),
        ("points.2.1", "less_than_equal", "The value is too large."),
    ]


def test_grids_geojson_in_gcj02_for_amap(tiny, login):
    client = login(tiny.users["district"])
    wgs = client.get("/api/geo/grids.geojson", {"community": "440303001001"}).json()
    gcj = client.get("/api/geo/grids.geojson", {"community": "440303001001", "crs": "gcj02"}).json()
    assert [f["id"] for f in wgs["features"]] == [f"440303001001{i:03d}" for i in range(1, 5)]
    x0, y0 = wgs["features"][0]["geometry"]["coordinates"][0][0]
    x1, y1 = gcj["features"][0]["geometry"]["coordinates"][0][0]
    assert c.distance_m(*c.wgs84_to_gcj02(x0, y0), x1, y1) < 0.01


def test_only_administrators_import_grids(tiny, login):
    client = login(tiny.users["street"])
    response = client.post("/api/geo/grids/import", "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"][0]["code"] == "forbidden"


def test_grid_import_endpoint_reports_problems_and_imports_nothing(tiny, login):
    admin = user_create(
        username="admin1", password="x-long-pass-1", unit=tiny.district, roles=[Role.ADMINISTRATOR]
    )
    client = login(admin)
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "12"}, "geometry": None}],
    }
    response = client.post(
        "/api/geo/grids/import", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False
    assert body["problems"][0]["number"] == 1 and body["problems"][0]["field"] == "code"
    assert body["problems"][0]["zh"] != body["problems"][0]["en"]
