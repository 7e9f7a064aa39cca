"""Shared fixtures: a tiny four-tier district with boundaries, grids, zones and users.

Layout (WGS-84, near Luohu): the district is the box 114.10–114.14 E × 22.54–22.56 N.
Street 001 is its west half, street 002 the east half; each street has two communities
(north and south halves), each community four 2×2 grids. One shop (under community
440303001001) holds a frontage zone in the north-west corner of grid 440303001001001.
"""

from __future__ import annotations

import json

import pytest
import shapely

from cityloop.geo.geojson import grids_import
from cityloop.geo.models import ResponsibilityZone
from cityloop.geo.services import boundary_save, zone_save
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.codes import make_credit_code
from cityloop.org.services import unit_create, user_create

WEST, EAST, SOUTH, NORTH = 114.10, 114.14, 22.54, 22.56
PASSWORD = "s3cret-pass-42"  # noqa: S105


def box(west, south, east, north):
    return shapely.box(west, south, east, north)


def grid_features(community_code: str, cell: shapely.Geometry) -> list[dict]:
    """Four grids over a community's box, numbered west→east, north→south."""
    w, s, e, n = cell.bounds
    mx, my = (w + e) / 2, (s + n) / 2
    quads = [box(w, my, mx, n), box(mx, my, e, n), box(w, s, mx, my), box(mx, s, e, my)]
    return [
        {
            "type": "Feature",
            "properties": {"code": f"{community_code}{i:03d}"},
            "geometry": json.loads(shapely.to_geojson(q)),
        }
        for i, q in enumerate(quads, start=1)
    ]


class TinyDistrict:
    """Handles to the units and users of the tiny district."""

    def __init__(self) -> None:
        self.district = unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")
        boundary_save(unit=self.district, shape=box(WEST, SOUTH, EAST, NORTH))
        mid_lon, mid_lat = (WEST + EAST) / 2, (SOUTH + NORTH) / 2
        self.streets, self.communities, features = {}, {}, []
        for suffix, (w, e) in {"001": (WEST, mid_lon), "002": (mid_lon, EAST)}.items():
            street = unit_create(
                kind=UnitKind.STREET,
                name=f"街道{suffix}",
                code=f"440303{suffix}",
                parent=self.district,
            )
            boundary_save(unit=street, shape=box(w, SOUTH, e, NORTH))
            self.streets[suffix] = street
            for csuffix, (s, n) in {"001": (mid_lat, NORTH), "002": (SOUTH, mid_lat)}.items():
                code = f"440303{suffix}{csuffix}"
                community = unit_create(
                    kind=UnitKind.COMMUNITY, name=f"社区{suffix}{csuffix}", code=code, parent=street
                )
                boundary_save(unit=community, shape=box(w, s, e, n))
                self.communities[code] = community
                features += grid_features(code, box(w, s, e, n))
        report = grids_import(data={"type": "FeatureCollection", "features": features})
        assert report.ok, [str(p) for p in report.problems]
        self.shop = unit_create(
            kind=UnitKind.SOCIAL_ENTITY,
            name="东门肠粉店",
            entity_kind=EntityKind.SHOP,
            parent=self.communities["440303001001"],
            credit_code=make_credit_code("92440303MA5DC4P38"),
        )
        zone = ResponsibilityZone(owner=self.shop, kind="frontage", name="东门肠粉店门前三包")
        self.shop_zone = zone_save(zone=zone, shape=box(WEST, NORTH - 0.001, WEST + 0.001, NORTH))
        self.users = {
            "district": self._user("district-dispatcher", self.district, Role.DISPATCHER),
            "street": self._user("street-001-handler", self.streets["001"], Role.HANDLER),
            "community": self._user(
                "community-001001-handler", self.communities["440303001001"], Role.HANDLER
            ),
            "other_street": self._user("street-002-handler", self.streets["002"], Role.HANDLER),
            "shop": self._user("shop-handler", self.shop, Role.HANDLER),
        }

    @staticmethod
    def _user(username, unit, role):
        return user_create(username=username, password=PASSWORD, unit=unit, roles=[role])


@pytest.fixture
def tiny(db) -> TinyDistrict:
    return TinyDistrict()


@pytest.fixture
def login(client):
    """Log a user in on the test client and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
