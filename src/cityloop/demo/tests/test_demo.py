"""The demo district: Luohu's real divisions, complete grids, valid codes, determinism."""

import hashlib
import io

import numpy as np
import pytest
import shapely
from django.core.management import call_command

from cityloop.demo.builder import DEMO_PASSWORD, build_demo, delete_demo
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
