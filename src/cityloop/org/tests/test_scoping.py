"""Row scoping in one place: a user sees their unit and below; the district sees everything."""

import pytest

from cityloop.geo.models import Grid, ResponsibilityZone
from cityloop.org.models import Unit

pytestmark = pytest.mark.django_db


def test_a_community_user_sees_only_their_community_and_below(tiny):
    user = tiny.users["community"]
    visible = set(Unit.objects.visible_to(user))
    assert visible == {tiny.communities["440303001001"], tiny.shop}
    grids = set(Grid.objects.visible_to(user).values_list("code", flat=True))
    assert grids == {f"440303001001{i:03d}" for i in range(1, 5)}
    assert list(ResponsibilityZone.objects.visible_to(user)) == [tiny.shop_zone]


def test_a_street_user_sees_its_communities_but_not_another_street(tiny):
    user = tiny.users["street"]
    codes = set(Unit.objects.visible_to(user).exclude(code=None).values_list("code", flat=True))
    assert codes == {"440303001", "440303001001", "440303001002"}
    assert not Grid.objects.visible_to(user).filter(code__startswith="440303002").exists()
    assert Grid.objects.visible_to(user).count() == 8


def test_district_users_see_everything(tiny):
    user = tiny.users["district"]
    assert Unit.objects.visible_to(user).count() == Unit.objects.count()
    assert Grid.objects.visible_to(user).count() == 16


def test_anonymous_sees_nothing(tiny):
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.visible_to(AnonymousUser()).exists()


def test_a_community_user_cannot_read_another_streets_unit_through_the_api(tiny, login):
    client = login(tiny.users["community"])
    other = tiny.communities["440303002001"]
    own = tiny.communities["440303001001"]
    assert client.get(f"/api/org/units/{own.pk}").status_code == 200
    response = client.get(f"/api/org/units/{other.pk}")
    assert response.status_code == 404
    missing = client.get("/api/org/units/999999")
    assert missing.status_code == 404
    assert response.json() == missing.json()  # "not yours" looks exactly like "missing"


def test_a_community_user_cannot_read_another_streets_grid_through_the_api(tiny, login):
    client = login(tiny.users["community"])
    assert client.get("/api/geo/grids/440303001001001").status_code == 200
    assert client.get("/api/geo/grids/440303002001001").status_code == 404
    listing = client.get("/api/geo/grids").json()
    assert listing["count"] == 4
    geojson = client.get("/api/geo/grids.geojson").json()
    assert {f["id"] for f in geojson["features"]} == {f"440303001001{i:03d}" for i in range(1, 5)}


def test_the_unit_list_is_scoped_and_filtered(tiny, login):
    client = login(tiny.users["street"])
    body = client.get("/api/org/units", {"kind": "community"}).json()
    assert [u["code"] for u in body["items"]] == ["440303001001", "440303001002"]


def test_the_api_needs_a_login(tiny, client):
    response = client.get("/api/org/units")
    assert response.status_code == 401
    detail = response.json()["detail"][0]
    assert detail["zh"] and detail["en"] == "Please log in."


def test_me_tells_unit_and_roles(tiny, login):
    body = login(tiny.users["shop"]).get("/api/org/me").json()
    assert body["unit"]["name"] == "东门肠粉店"
    assert body["roles"] == ["handler"]
    assert body["sees_everything"] is False
