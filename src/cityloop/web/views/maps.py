"""The district's boundary layers for the pages' maps (public: the citizens' map needs them)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cityloop.web.maps import LAYERS, layer_geojson, layer_version


@require_GET
def map_layer(request: HttpRequest, layer: str) -> HttpResponse:
    if layer not in LAYERS:
        raise Http404
    etag = f'"{layer}-{layer_version()}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    response = HttpResponse(layer_geojson(layer), content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
