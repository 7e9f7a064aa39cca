"""Geography: unit boundaries, unit grids (单元网格) and responsibility zones.

Every geometry is stored as GeoJSON text in WGS-84 (docs/decisions/0003-stored-crs.md), with
its bounding box in plain float columns so that a database query can pre-filter by box. The
spatial work itself (point in polygon, overlaps) is done by shapely in the application, on
an in-memory index (``cityloop.geo.index``), so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import shapely
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.scoping import ScopedQuerySet
from cityloop.geo.choices import AreaClass, ZoneKind
from cityloop.org.models import Unit


class GeometryMixin(models.Model):
    """GeoJSON geometry (WGS-84) with its bounding box and area in square metres."""

    geometry = models.TextField(_("geometry (GeoJSON, WGS-84)"))
    min_lon = models.FloatField(_("west"), default=0)
    min_lat = models.FloatField(_("south"), default=0)
    max_lon = models.FloatField(_("east"), default=0)
    max_lat = models.FloatField(_("north"), default=0)
    area_m2 = models.FloatField(_("area (m²)"), default=0)

    class Meta:
        abstract = True

    @property
    def shape(self) -> shapely.Geometry:
        return shapely.from_geojson(self.geometry)

    def set_shape(self, shape: shapely.Geometry) -> None:
        """Store a shapely geometry and refresh the box and area derived from it."""
        from cityloop.geo.shapes import area_m2

        self.geometry = shapely.to_geojson(shape)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape.bounds
        self.area_m2 = area_m2(shape)


class BoundaryQuerySet(ScopedQuerySet):
    scope_unit_fields = ("unit",)


class Boundary(GeometryMixin):
    """The boundary polygon of a district, street or community."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="boundary"
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the boundary comes from.")
    )

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.unit)


class GridQuerySet(ScopedQuerySet):
    scope_unit_fields = ("community",)


class Grid(GeometryMixin):
    """A unit grid (单元网格): the smallest area of urban management.

    Its 15-digit code is 6 digits of GB/T 2260 division, 3 of street, 3 of community and a
    3-digit serial numbered west to east, north to south within the community
    (reference/china-urban-management.md §5; GB/T 47678.3 field 所在单元网格标识码, 15 chars).
    """

    code = models.CharField(_("grid code"), max_length=15, unique=True)
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": "community"},
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    area_class = models.CharField(
        _("area class"), max_length=1, choices=AreaClass.choices, default=AreaClass.B
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit grid")
        verbose_name_plural = _("unit grids")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ZoneQuerySet(ScopedQuerySet):
    scope_unit_fields = ("owner",)


class ResponsibilityZone(GeometryMixin):
    """An area a social entity answers for: a shop's 门前三包 stretch, an estate, a contract area.

    Basis: 《城市市容和环境卫生管理条例》第二十五条 (卫生责任区) and the local 门前三包 rules
    (reference/china-urban-management.md §7).
    """

    owner = models.ForeignKey(
        Unit,
        verbose_name=_("responsible entity"),
        on_delete=models.CASCADE,
        related_name="zones",
        limit_choices_to={"kind": "social_entity"},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ZoneKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility zone")
        verbose_name_plural = _("responsibility zones")
        indexes = [models.Index(fields=["min_lon", "min_lat"], name="geo_zone_bbox_idx")]

    def __str__(self) -> str:
        return self.name or f"{self.owner} · {self.get_kind_display()}"


class LayerVersion(models.Model):
    """One row whose value changes (to a random one) whenever grids, zones or boundaries change.

    Each process keeps its spatial index with the version it was built from and rebuilds it
    when the stored counter has moved, so every web worker sees an edit at its next lookup.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("geography layer version")
        verbose_name_plural = _("geography layer version")

    def __str__(self) -> str:
        return f"v{self.version}"
