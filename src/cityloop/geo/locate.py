"""``locate()``: from a point to its grid, community, street and responsibility zones.

Input coordinates may be WGS-84 (GPS), GCJ-02 (AMap, Tencent) or BD-09 (Baidu); they are
converted to the stored WGS-84 first. A point outside the district is an explicit error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.geo import coordinates
from cityloop.geo.index import GeoIndex, UnitRef, ZoneRef, get_index


class LocateError(ValueError):
    """A point that cannot be placed; ``code`` tells why, the message says it in words."""

    code = "locate_error"

    def __init__(self, message, *, lon: float, lat: float) -> None:
        super().__init__(str(message))
        self.message = message
        self.lon, self.lat = lon, lat


class OutsideDistrict(LocateError):
    code = "outside_district"


class NoGrid(LocateError):
    """Inside the district boundary but in no grid (grids not yet drawn there)."""

    code = "no_grid"


@dataclass(frozen=True)
class Location:
    """Where a point is: its grid, community, street and the zones that contain it."""

    lon: float  # WGS-84
    lat: float
    grid_id: int
    grid_code: str
    area_class: str
    community: UnitRef
    street: UnitRef | None
    zones: list[ZoneRef] = field(default_factory=list)  # smallest (most specific) first


@dataclass(frozen=True)
class BatchLocation:
    """The batch form: arrays aligned with the input points."""

    lon: np.ndarray  # WGS-84
    lat: np.ndarray
    grid_pos: np.ndarray  # position in the index, -1 outside every grid
    grid_id: np.ndarray  # 0 where outside
    community_id: np.ndarray  # 0 where outside
    zone_pairs: np.ndarray  # (2, n): point position, zone position
    index: GeoIndex

    @property
    def found(self) -> np.ndarray:
        return self.grid_pos >= 0

    def location(self, i: int) -> Location | None:
        """The full answer for point i, or None when it lies in no grid."""
        pos = int(self.grid_pos[i])
        if pos < 0:
            return None
        zone_pos = self.zone_pairs[1][self.zone_pairs[0] == i]
        return _location(self.index, float(self.lon[i]), float(self.lat[i]), pos, zone_pos)


def _location(index: GeoIndex, lon: float, lat: float, pos: int, zone_pos) -> Location:
    community, street = index.community_chain(int(index.grid_community[pos]))
    return Location(
        lon=lon,
        lat=lat,
        grid_id=int(index.grid_ids[pos]),
        grid_code=index.grid_codes[pos],
        area_class=index.grid_area_class[pos],
        community=community,
        street=street,
        zones=index.zones_at(zone_pos),
    )


def locate(lon: float, lat: float, crs: str = coordinates.WGS84) -> Location:
    """Place one point; raises ``OutsideDistrict`` or ``NoGrid`` when it cannot."""
    batch = locate_batch(np.array([lon], dtype=float), np.array([lat], dtype=float), crs)
    found = batch.location(0)
    if found is not None:
        return found
    wlon, wlat = float(batch.lon[0]), float(batch.lat[0])
    district = batch.index.district_shape
    if district is not None and district.intersects(shapely.Point(wlon, wlat)):
        raise NoGrid(
            lazy_format(
                _("The point (%(lon).6f, %(lat).6f) is in the district but in no unit grid."),
                {"lon": lon, "lat": lat},
            ),
            lon=lon,
            lat=lat,
        )
    raise OutsideDistrict(
        lazy_format(
            _("The point (%(lon).6f, %(lat).6f) is outside the district."), {"lon": lon, "lat": lat}
        ),
        lon=lon,
        lat=lat,
    )


def locate_batch(lons, lats, crs: str = coordinates.WGS84) -> BatchLocation:
    """Place many points at once (vectorised conversion and one STRtree query)."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    if lons.shape != lats.shape or lons.ndim != 1:
        raise ValueError("lons and lats must be 1-D arrays of the same length")
    wlon, wlat = coordinates.to_wgs84(lons, lats, crs)
    wlon, wlat = np.atleast_1d(wlon), np.atleast_1d(wlat)
    index = get_index()
    points = shapely.points(wlon, wlat)
    pos = index.grid_hits(points)
    inside = pos >= 0
    grid_id = np.where(
        inside, index.grid_ids[np.where(inside, pos, 0)] if len(index.grid_ids) else 0, 0
    )
    community_id = np.where(
        inside, index.grid_community[np.where(inside, pos, 0)] if len(index.grid_ids) else 0, 0
    )
    return BatchLocation(
        lon=wlon,
        lat=wlat,
        grid_pos=pos,
        grid_id=grid_id,
        community_id=community_id,
        zone_pairs=index.zone_hits(points),
        index=index,
    )
