"""Writes of the geography app. Each bumps the layer version so every process's index follows."""

from __future__ import annotations

import json

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.geo.geojson import grids_import
from cityloop.geo.index import bump_version
from cityloop.geo.models import Boundary, Grid, ResponsibilityZone
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit


def grid_geometry_problems(*, code: str, geometry: str, area_class: str = "b") -> list:
    """Check one grid as the importer would (validity, community, overlaps); [] when clean."""
    try:
        geometry_obj = json.loads(geometry)
    except ValueError:
        geometry_obj = None
    feature = {
        "type": "Feature",
        "properties": {"code": code, "area_class": area_class},
        "geometry": geometry_obj,
    }
    report = grids_import(data={"type": "FeatureCollection", "features": [feature]}, dry_run=True)
    return report.problems


@transaction.atomic
def grid_save(*, grid: Grid, shape: shapely.Geometry) -> Grid:
    """Save a grid with a new shape (already validated) and refresh the spatial index."""
    grid.set_shape(shape)
    grid.save()
    bump_version()
    return grid


@transaction.atomic
def zone_save(*, zone: ResponsibilityZone, shape: shapely.Geometry) -> ResponsibilityZone:
    """Save a responsibility zone; its owner must be a social entity and its shape valid."""
    if zone.owner.kind != UnitKind.SOCIAL_ENTITY:
        raise ValidationError({"owner": _("A responsibility zone belongs to a social entity.")})
    if not shape.is_valid or shape.is_empty:
        raise ValidationError({"geometry": _("The zone's polygon is empty or invalid.")})
    zone.set_shape(shape)
    zone.save()
    bump_version()
    return zone


@transaction.atomic
def boundary_save(*, unit: Unit, shape: shapely.Geometry, source: str = "") -> Boundary:
    """Set the boundary of a district, street or community."""
    boundary, _created = Boundary.objects.get_or_create(
        unit=unit, defaults={"geometry": "{}", "source": source}
    )
    boundary.source = source or boundary.source
    boundary.set_shape(shape)
    boundary.save()
    bump_version()
    return boundary
