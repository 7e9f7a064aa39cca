"""Grid import from GeoJSON: every bad feature is named, and nothing is imported."""

import json

import pytest
import shapely

from cityloop.conftest import box
from cityloop.geo import coordinates as c
from cityloop.geo.geojson import grids_geojson, grids_import
from cityloop.geo.models import Grid, LayerVersion

pytestmark = pytest.mark.django_db

# The tiny district's community 440303001001 is the box 114.10–114.12 × 22.55–22.56.
INSIDE = box(114.101, 22.551, 114.102, 22.552)


def feature(code, geometry, **props):
    geometry = json.loads(shapely.to_geojson(geometry)) if hasattr(geometry, "wkt") else geometry
    return {"type": "Feature", "properties": {"code": code, **props}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def empty_community(tiny):
    """Community 440303001001 without its grids, so that new ones may be drawn in it."""
    Grid.objects.filter(community__code="440303001001").delete()
    return tiny


def test_a_clean_file_imports_and_a_second_run_updates(empty_community):
    data = collection(feature("440303001001001", INSIDE, name="一号网格", area_class="A"))
    report = grids_import(data=data)
    assert report.ok and (report.created, report.updated) == (1, 0)
    grid = Grid.objects.get(code="440303001001001")
    assert (grid.name, grid.area_class, grid.community.code) == ("一号网格", "a", "440303001001")
    assert 10_000 < grid.area_m2 < 12_000  # 0.001° × 0.001° at 22.55° N ≈ 102.8 m × 111.2 m
    again = grids_import(data=data)
    assert (again.created, again.updated) == (0, 1)


def test_every_bad_feature_is_reported_by_number_and_code_and_nothing_is_imported(
    empty_community,
):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [114.101, 22.551],
                [114.102, 22.552],
                [114.102, 22.551],
                [114.101, 22.552],
                [114.101, 22.551],
            ]
        ],
    }
    data = collection(
        feature("440303001001001", INSIDE),  # good on its own
        feature("44030300100100", INSIDE),  # 14 digits
        feature("440303009009001", INSIDE),  # no such community
        feature("440303001001002", bowtie),  # self-intersecting
        feature("440303001001003", box(114.1015, 22.5515, 114.103, 22.553)),  # overlaps #1
        feature("440303001001004", box(114.119, 22.551, 114.125, 22.552)),  # leaves community
        feature("440303001001001", box(114.11, 22.551, 114.111, 22.552)),  # duplicate code
        feature("440303001001005", {"type": "Point", "coordinates": [114.105, 22.555]}),
        feature("440303001001006", INSIDE, area_class="D"),
    )
    before = LayerVersion.objects.get().version
    report = grids_import(data=data)
    assert not report.ok
    by_number = {p.number: p for p in report.problems}
    assert sorted(by_number) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert by_number[2].field == "code"
    assert "440303009009" in str(by_number[3])
    assert "Self-intersection" in str(by_number[4])
    assert "440303001001001" in str(by_number[5])  # the grid it overlaps
    assert "outside" in str(by_number[6]) and "社区001001" in str(by_number[6])
    assert by_number[7].code == "440303001001001"
    assert by_number[8].field == "geometry"
    assert by_number[9].field == "area_class"
    assert "nothing was imported" in report.summary()
    assert not Grid.objects.filter(community__code="440303001001").exists()
    assert LayerVersion.objects.get().version == before


def test_a_grid_overlapping_an_existing_grid_is_refused(tiny):
    # 440303001002 is the south half of street 001; this square pokes into its grid 001.
    data = collection(feature("440303001002009", box(114.101, 22.5495, 114.102, 22.5505)))
    report = grids_import(data=data)
    assert not report.ok
    assert any("440303001002001" in str(p) or "outside" in str(p) for p in report.problems)


@pytest.mark.parametrize(
    "data",
    ["not json", json.dumps({"type": "Feature"}), json.dumps({"type": "FeatureCollection"})],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(tiny, data):
    report = grids_import(data=data)
    assert not report.ok and report.problems[0].number == 0


def test_export_then_import_is_a_clean_round_trip(tiny):
    exported = grids_geojson(Grid.objects.all())
    assert len(exported["features"]) == 16
    first = exported["features"][0]["properties"]
    assert first["street_code"] == "440303001" and first["community"] == "社区001001"
    report = grids_import(data=exported, dry_run=True)
    assert report.ok and report.updated == 16


def test_import_in_gcj02_is_stored_in_wgs84(empty_community):
    gcj = shapely.transform(
        INSIDE, lambda xy: __import__("numpy").column_stack(c.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    )
    report = grids_import(data=collection(feature("440303001001001", gcj)), crs=c.GCJ02)
    assert report.ok, [str(p) for p in report.problems]
    stored = Grid.objects.get(code="440303001001001").shape
    assert stored.symmetric_difference(INSIDE).area / INSIDE.area < 1e-6


def test_the_import_command_prints_the_problems_and_fails(tiny, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection(feature("1", INSIDE))))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_grids", str(path))
