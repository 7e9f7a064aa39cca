"""Administration of boundaries, grids and responsibility zones (geometry as GeoJSON text)."""

from __future__ import annotations

import json

import shapely
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cityloop.geo.models import Boundary, Grid, ResponsibilityZone
from cityloop.geo.services import boundary_save, grid_geometry_problems, grid_save, zone_save


def _shape(value: str) -> shapely.Geometry:
    try:
        shape = shapely.from_geojson(value)
    except (shapely.errors.GEOSException, ValueError) as exc:
        raise forms.ValidationError(_("The geometry cannot be read as GeoJSON.")) from exc
    if shape.geom_type not in ("Polygon", "MultiPolygon") or shape.is_empty:
        raise forms.ValidationError(_("The geometry must be a Polygon or a MultiPolygon."))
    return shape


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["code", "community", "name", "area_class", "is_active", "geometry"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems = grid_geometry_problems(
            code=data["code"], geometry=data["geometry"], area_class=data["area_class"]
        )
        for problem in problems:
            field = problem.field if problem.field in self.fields else "geometry"
            self.add_error(field, str(problem.message))
        if data["code"][:12] != data["community"].code:
            self.add_error("code", _("The first 12 digits must be the community's code."))
        return data


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridForm
    list_display = ["code", "name", "community", "area_class", "area_m2", "is_active"]
    list_filter = ["area_class", "is_active", "community__parent"]
    search_fields = ["code", "name", "community__name"]
    autocomplete_fields = ["community"]
    readonly_fields = ["area_m2", "min_lon", "min_lat", "max_lon", "max_lat"]
    list_select_related = ["community"]

    def save_model(self, request, obj, form, change):
        grid_save(grid=obj, shape=_shape(obj.geometry))


class ZoneForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityZone
        fields = ["owner", "kind", "name", "is_active", "geometry"]

    def clean_geometry(self):
        value = self.cleaned_data["geometry"]
        shape = _shape(value)
        if not shape.is_valid:
            raise forms.ValidationError(_("The polygon is invalid (it crosses itself)."))
        return json.dumps(json.loads(value))


@admin.register(ResponsibilityZone)
class ResponsibilityZoneAdmin(admin.ModelAdmin):
    form = ZoneForm
    list_display = ["__str__", "kind", "owner", "area_m2", "is_active"]
    list_filter = ["kind", "is_active", "owner__entity_kind"]
    search_fields = ["name", "owner__name", "owner__credit_code"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["area_m2"]
    list_select_related = ["owner"]

    def save_model(self, request, obj, form, change):
        zone_save(zone=obj, shape=_shape(obj.geometry))


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ["unit", "area_m2", "source"]
    list_filter = ["unit__kind"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["area_m2"]

    def save_model(self, request, obj, form, change):
        boundary_save(unit=obj.unit, shape=_shape(obj.geometry), source=obj.source)
