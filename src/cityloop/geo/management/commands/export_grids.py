"""``cityloop export_grids``: write unit grids as a GeoJSON FeatureCollection."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from cityloop.geo import coordinates
from cityloop.geo.geojson import grids_geojson
from cityloop.geo.models import Grid


class Command(BaseCommand):
    help = "Export unit grids as GeoJSON (to a file or standard output). 导出单元网格。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--community", help="12-digit community code")
        parser.add_argument("--street", help="9-digit street code")
        parser.add_argument("--crs", choices=coordinates.CRS_CHOICES, default=coordinates.WGS84)

    def handle(self, *args, output, community, street, crs, **options):
        grids = Grid.objects.filter(is_active=True).order_by("code")
        if community:
            grids = grids.filter(community__code=community)
        if street:
            grids = grids.filter(community__parent__code=street)
        collection = grids_geojson(grids, crs=crs)
        text = json.dumps(collection, ensure_ascii=False)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"exported {len(collection['features'])} grid(s) to {output}")
        else:
            self.stdout.write(text)
