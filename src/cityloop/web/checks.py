"""System checks of the web settings (run by `cityloop check` and at start-up)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

TILE_CRS = (
    "wgs84",
    "gcj02",
)  # Leaflet draws Web Mercator tiles; BD-09 tiles need another projection


@register()
def map_tile_crs(app_configs, **kwargs) -> list[Error]:
    crs = settings.CITYLOOP_MAP_TILE_CRS
    if crs in TILE_CRS:
        return []
    return [
        Error(
            f"CITYLOOP_MAP_TILE_CRS is {crs!r}; use one of {', '.join(TILE_CRS)}.",
            hint="wgs84 for 天地图 (Tianditu), gcj02 for AMap or Tencent tiles.",
            id="cityloop.web.E001",
        )
    ]
