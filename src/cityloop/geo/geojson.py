"""Unit grids in and out of GeoJSON (RFC 7946), with validation before anything is written.

Import is all-or-nothing: every feature is checked (code, community, geometry validity,
self-intersection, overlaps with other grids, lying inside its community), every problem is
reported with the feature's number and code, and nothing is written unless there are none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from cityloop.core.i18n import bilingual, lazy_format
from cityloop.geo import coordinates
from cityloop.geo.choices import AreaClass
from cityloop.geo.index import bump_version
from cityloop.geo.models import Grid
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit

GRID_CODE_RE = re.compile(r"^\d{15}$")
# Shared edges are fine; an overlap must cover more than this share of the smaller grid.
OVERLAP_TOLERANCE = 1e-6
# A grid may stick out of its community by rounding noise only.
OUTSIDE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class FeatureProblem:
    """One bad feature: its 1-based number in the file, its code (if any) and why."""

    number: int
    code: str
    field: str
    message: Any

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"#{self.number}{code} [{self.field}]: {bilingual(self.message)}"


@dataclass
class GridImportReport:
    features: int = 0
    created: int = 0
    updated: int = 0
    problems: list[FeatureProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return (
                f"grid import refused: {len(self.problems)} problem(s) in {self.features} "
                "feature(s); nothing was imported"
            )
        verb = "would import" if self.dry_run else "imported"
        return (
            f"grid import: {verb} {self.features} feature(s), "
            f"{self.created} new and {self.updated} updated"
        )


@dataclass
class _Candidate:
    number: int
    code: str
    shape: shapely.Geometry
    community: Unit
    name: str
    area_class: str


def grids_import(
    *, data: Any, crs: str = coordinates.WGS84, dry_run: bool = False
) -> GridImportReport:
    """Validate a GeoJSON FeatureCollection of grids and, if it is clean, upsert it by code."""
    report = GridImportReport(dry_run=dry_run)
    features = _features(data, report)
    if features is None:
        return report
    report.features = len(features)
    candidates = _read_features(features, crs, report)
    _check_overlaps(candidates, report)
    if report.problems or dry_run:
        if dry_run and not report.problems:
            existing = set(
                Grid.objects.filter(code__in=[c.code for c in candidates]).values_list(
                    "code", flat=True
                )
            )
            report.updated = len(existing)
            report.created = len(candidates) - report.updated
        return report
    _write(candidates, report)
    return report


def _features(data: Any, report: GridImportReport) -> list | None:
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as exc:
            report.problems.append(
                FeatureProblem(
                    0, "", "file", lazy_format(_("Not valid JSON: %(error)s"), {"error": exc})
                )
            )
            return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report.problems.append(
            FeatureProblem(0, "", "type", _("The file must be a GeoJSON FeatureCollection."))
        )
        return None
    features = data.get("features")
    if not isinstance(features, list):
        report.problems.append(
            FeatureProblem(0, "", "features", _("The FeatureCollection has no feature list."))
        )
        return None
    return features


def _read_features(features: list, crs: str, report: GridImportReport) -> list[_Candidate]:
    communities = {
        u.code: u for u in Unit.objects.filter(kind=UnitKind.COMMUNITY).select_related("boundary")
    }
    seen: set[str] = set()
    candidates = []
    for number, feature in enumerate(features, start=1):
        candidate = _read_feature(number, feature, crs, communities, seen, report)
        if candidate is not None:
            candidates.append(candidate)
    return candidates


def _read_feature(number, feature, crs, communities, seen, report) -> _Candidate | None:
    def problem(field_name, message, code=""):
        report.problems.append(FeatureProblem(number, code, field_name, message))

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problem("type", _("Not a GeoJSON Feature."))
        return None
    props = feature.get("properties") or {}
    code = str(props.get("code", "")).strip()
    if not GRID_CODE_RE.match(code):
        problem(
            "code",
            lazy_format(_("A grid code has exactly 15 digits, got “%(code)s”."), {"code": code}),
            code,
        )
        return None
    if code in seen:
        problem(
            "code",
            lazy_format(_("The code %(code)s appears more than once in the file."), {"code": code}),
            code,
        )
        return None
    seen.add(code)
    community = communities.get(code[:12])
    if community is None:
        problem(
            "code",
            lazy_format(
                _("No community has the code %(community)s (the first 12 digits)."),
                {"community": code[:12]},
            ),
            code,
        )
        return None
    area_class = str(props.get("area_class") or AreaClass.B).lower()
    if area_class not in AreaClass.values:
        problem("area_class", _("The area class must be A, B or C."), code)
        return None
    shape = _read_geometry(feature.get("geometry"), crs, lambda f, m: problem(f, m, code))
    if shape is None:
        return None
    if not _inside_community(shape, community, lambda f, m: problem(f, m, code)):
        return None
    return _Candidate(number, code, shape, community, str(props.get("name") or ""), area_class)


def _read_geometry(geometry, crs, problem) -> shapely.Geometry | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        problem("geometry", _("The geometry must be a Polygon or a MultiPolygon."))
        return None
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, ValueError) as exc:
        problem(
            "geometry", lazy_format(_("The geometry cannot be read: %(error)s"), {"error": exc})
        )
        return None
    if shape.is_empty:
        problem("geometry", _("The geometry is empty."))
        return None
    west, south, east, north = shape.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        problem("geometry", _("Coordinates must be longitude, latitude in degrees."))
        return None
    if crs != coordinates.WGS84:
        shape = shapely.transform(
            shape, lambda xy: np.column_stack(coordinates.to_wgs84(xy[:, 0], xy[:, 1], crs))
        )
    if not shape.is_valid:
        problem(
            "geometry",
            lazy_format(
                _("The polygon is invalid: %(reason)s"), {"reason": explain_validity(shape)}
            ),
        )
        return None
    if shape.area == 0:
        problem("geometry", _("The geometry is empty."))
        return None
    return shape


def _inside_community(shape, community: Unit, problem) -> bool:
    boundary = getattr(community, "boundary", None)
    if boundary is None:
        return True
    outside = shape.difference(boundary.shape).area / shape.area
    if outside > OUTSIDE_TOLERANCE:
        problem(
            "geometry",
            lazy_format(
                _("The grid lies %(share).1f%% outside its community %(community)s."),
                {"share": outside * 100, "community": community.name},
            ),
        )
        return False
    return True


def _check_overlaps(candidates: list[_Candidate], report: GridImportReport) -> None:
    """Report grids overlapping each other or an existing grid that this file does not replace."""
    codes = {c.code for c in candidates}
    others = [
        (code, shapely.from_geojson(geometry))
        for code, geometry in Grid.objects.filter(is_active=True)
        .exclude(code__in=codes)
        .values_list("code", "geometry")
    ]
    shapes = [c.shape for c in candidates] + [s for _, s in others]
    labels = [c.code for c in candidates] + [code for code, _ in others]
    if not shapes:
        return
    tree = STRtree(shapes)
    left, right = tree.query(
        np.array(shapes[: len(candidates)], dtype=object), predicate="intersects"
    )
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i == j or (j < len(candidates) and j > i):  # report a pair once, on the later one
            continue
        smaller = min(shapes[i].area, shapes[j].area)
        if shapes[i].intersection(shapes[j]).area > OVERLAP_TOLERANCE * smaller:
            c = candidates[i]
            report.problems.append(
                FeatureProblem(
                    c.number,
                    c.code,
                    "geometry",
                    lazy_format(_("The grid overlaps grid %(other)s."), {"other": labels[j]}),
                )
            )


@transaction.atomic
def _write(candidates: list[_Candidate], report: GridImportReport) -> None:
    existing = {
        g.code: g
        for g in Grid.objects.select_for_update().filter(code__in=[c.code for c in candidates])
    }
    new: list[Grid] = []
    changed: list[Grid] = []
    for c in candidates:
        grid = existing.get(c.code) or Grid(code=c.code)
        grid.community, grid.name, grid.area_class, grid.is_active = (
            c.community,
            c.name,
            c.area_class,
            True,
        )
        grid.set_shape(c.shape)
        (changed if grid.pk else new).append(grid)
    Grid.objects.bulk_create(new, batch_size=500)
    fields = [
        "community",
        "name",
        "area_class",
        "is_active",
        "geometry",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "area_m2",
    ]
    Grid.objects.bulk_update(changed, fields, batch_size=500)
    report.created, report.updated = len(new), len(changed)
    bump_version()


def grids_geojson(grids, crs: str = coordinates.WGS84) -> dict:
    """A FeatureCollection of grids, with their community and street, in ``crs``."""
    features = []
    for grid in grids.select_related("community", "community__parent"):
        shape = grid.shape
        if crs != coordinates.WGS84:
            shape = shapely.transform(
                shape, lambda xy: np.column_stack(coordinates.from_wgs84(xy[:, 0], xy[:, 1], crs))
            )
        features.append(
            {
                "type": "Feature",
                "id": grid.code,
                "geometry": json.loads(shapely.to_geojson(shape)),
                "properties": {
                    "code": grid.code,
                    "name": grid.name,
                    "area_class": grid.area_class.upper(),
                    "area_m2": round(grid.area_m2, 1),
                    "community_code": grid.community.code,
                    "community": grid.community.name,
                    "street_code": grid.community.parent.code if grid.community.parent else "",
                    "street": grid.community.parent.name if grid.community.parent else "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
