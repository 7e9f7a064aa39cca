"""JSON API of the geography: locate a point, read grids as GeoJSON, import grids."""

from typing import Annotated, Literal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cityloop.core.api_errors import ApiError
from cityloop.core.i18n import both
from cityloop.core.pagination import PageNumbers
from cityloop.core.scoping import get_visible_or_404
from cityloop.geo.geojson import grids_geojson, grids_import
from cityloop.geo.locate import LocateError, locate, locate_batch
from cityloop.geo.models import Grid
from cityloop.org.choices import Role

router = Router()

CRS = Literal["wgs84", "gcj02", "bd09"]
MAX_BATCH = 10_000
Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]


class PointIn(Schema):
    lon: float = Field(..., ge=-180, le=180, description="longitude 经度")
    lat: float = Field(..., ge=-90, le=90, description="latitude 纬度")
    crs: CRS = Field("wgs84", description="wgs84 (GPS) · gcj02 (AMap, Tencent) · bd09 (Baidu)")


class UnitRefOut(Schema):
    id: int
    code: str
    name: str


class ZoneOut(Schema):
    id: int
    kind: str
    name: str
    owner: UnitRefOut
    owner_kind: str


class LocationOut(Schema):
    lon: float = Field(..., description="WGS-84")
    lat: float = Field(..., description="WGS-84")
    grid_code: str
    community: UnitRefOut
    street: UnitRefOut | None
    zones: list[ZoneOut]


class BatchIn(Schema):
    points: list[tuple[Longitude, Latitude]] = Field(
        ..., max_length=MAX_BATCH, description="[lon, lat]"
    )
    crs: CRS = "wgs84"


class BatchOut(Schema):
    located: int
    outside: int
    results: list[LocationOut | None]


class GridFilter(Schema):
    community: str | None = Field(None, description="12-digit community code")
    street: str | None = Field(None, description="9-digit street code")
    crs: CRS = Field("wgs84", description="coordinate system of the output")


@router.get("/locate", response=LocationOut, summary="Locate a point 定位到网格")
def locate_point(request, point: Query[PointIn]):
    try:
        return locate(point.lon, point.lat, point.crs)
    except LocateError as exc:
        raise ApiError(422, "lon", exc.message, code=exc.code) from exc


@router.post("/locate/batch", response=BatchOut, summary="Locate many points 批量定位")
def locate_many(request, body: BatchIn):
    if not body.points:
        return {"located": 0, "outside": 0, "results": []}
    lons, lats = zip(*body.points, strict=True)
    batch = locate_batch(list(lons), list(lats), body.crs)
    results = [batch.location(i) for i in range(len(body.points))]
    located = int(batch.found.sum())
    return {"located": located, "outside": len(results) - located, "results": results}


@router.get("/grids.geojson", summary="Grids as GeoJSON 网格导出")
def grid_geojson(request, filters: Query[GridFilter]):
    grids = Grid.objects.visible_to(request.user).filter(is_active=True)
    if filters.community:
        grids = grids.filter(community__code=filters.community)
    if filters.street:
        grids = grids.filter(community__parent__code=filters.street)
    return grids_geojson(grids.order_by("code"), crs=filters.crs)


class GridOut(Schema):
    code: str
    name: str
    area_class: str
    area_m2: float
    community_id: int
    geometry: str


@router.get("/grids", response=list[GridOut], summary="Grids I may see 网格列表")
@paginate(PageNumbers, page_size=100)
def grid_list(request, q: str | None = None):
    grids = Grid.objects.visible_to(request.user)
    if q:
        grids = grids.filter(Q(code__startswith=q) | Q(name__icontains=q))
    return grids.order_by("code")


class ImportOut(Schema):
    ok: bool
    summary: str
    created: int
    updated: int
    problems: list[dict]


@router.post("/grids/import", response={200: ImportOut, 422: ImportOut})
def grid_import(request, dry_run: bool = False, crs: CRS = "wgs84"):
    """Import a GeoJSON FeatureCollection of grids (administrators); all or nothing."""
    user = request.user
    if not (user.is_superuser or user.has_role(Role.ADMINISTRATOR)):
        raise ApiError(403, "__all__", _("Only administrators may import grids."), "forbidden")
    report = grids_import(data=request.body, crs=crs, dry_run=dry_run)
    body = {
        "ok": report.ok,
        "summary": report.summary(),
        "created": report.created,
        "updated": report.updated,
        "problems": [
            {"number": p.number, "code": p.code, "field": p.field, **both(p.message)}
            for p in report.problems
        ],
    }
    return Status(200 if report.ok else 422, body)


# Declared last: "/grids/{code}" would otherwise swallow "/grids/import".
@router.get("/grids/{code}", response=GridOut, summary="One grid 网格详情")
def grid_detail(request, code: str):
    return get_visible_or_404(Grid.objects.all(), request.user, code=code)
