"""What the pages' maps need: the tile settings and the district's boundary layers as GeoJSON.

Geometry is stored in WGS-84 and served in WGS-84; ``static/web/map.js`` moves it into the
tile provider's system (GCJ-02 for AMap) with ``static/web/coords.js`` and converts clicks
back, so the server only ever sees WGS-84. Layers are simplified for the screen (tolerance per
layer, about 1–20 m) and cached per ``geo.LayerVersion``, so an edit shows at once.
"""

from __future__ import annotations

import json

import shapely
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from cityloop.geo.models import Boundary, Grid, LayerVersion
from cityloop.org.choices import UnitKind

# layer → (unit kind or None for grids, simplification tolerance in degrees)
LAYERS = {
    "district": (UnitKind.DISTRICT, 0.0002),
    "streets": (UnitKind.STREET, 0.0001),
    "communities": (UnitKind.COMMUNITY, 0.00005),
    "grids": (None, 0.00001),
}
PRECISION = 1e-6  # about 0.1 m: more digits only make the payload bigger


def layer_version() -> int:
    row = LayerVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def _feature(geometry: str, tolerance: float, properties: dict) -> dict:
    shape = shapely.from_geojson(geometry)
    shape = shapely.set_precision(shape.simplify(tolerance, preserve_topology=True), PRECISION)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": json.loads(shapely.to_geojson(shape)),
    }


def _rows(layer: str):
    kind, _ = LAYERS[layer]
    if kind is None:
        return Grid.objects.filter(is_active=True).values_list("geometry", "code", "name")
    return Boundary.objects.filter(unit__kind=kind, unit__is_active=True).values_list(
        "geometry", "unit__code", "unit__name"
    )


def layer_geojson(layer: str) -> str:
    """One layer as a GeoJSON FeatureCollection (text), simplified and cached."""
    key = f"web:layer:{layer}:{layer_version()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    tolerance = LAYERS[layer][1]
    features = [
        _feature(geometry, tolerance, {"code": code, "name": name})
        for geometry, code, name in _rows(layer)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    cache.set(key, text, 24 * 3600)
    return text


def district_bounds() -> list[list[float]] | None:
    """[[south, west], [north, east]] of the district in WGS-84, or None before any boundary."""
    row = (
        Boundary.objects.filter(unit__kind=UnitKind.DISTRICT)
        .values_list("min_lon", "min_lat", "max_lon", "max_lat")
        .first()
    )
    if row is None:
        return None
    west, south, east, north = row
    return [[south, west], [north, east]]


def map_config() -> dict:
    """The settings every page's map reads (passed with ``json_script``)."""
    subdomains = settings.CITYLOOP_MAP_TILE_SUBDOMAINS
    return {
        "tileUrl": settings.CITYLOOP_MAP_TILE_URL,
        "tileCrs": settings.CITYLOOP_MAP_TILE_CRS,
        "tileAttribution": settings.CITYLOOP_MAP_TILE_ATTRIBUTION,
        "tileSubdomains": subdomains.split(",") if subdomains else "abc",
        "layersUrl": reverse("web:map_layer", args=["LAYER"]).replace("LAYER", "{layer}"),
        "bounds": district_bounds(),
    }
