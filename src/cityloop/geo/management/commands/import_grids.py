"""``cityloop import_grids FILE``: import unit grids from GeoJSON, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityloop.geo import coordinates
from cityloop.geo.geojson import grids_import


class Command(BaseCommand):
    help = (
        "Import unit grids from a GeoJSON FeatureCollection (properties: code, name, "
        "area_class). Nothing is imported if any feature is bad. 从 GeoJSON 导入单元网格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--crs", choices=coordinates.CRS_CHOICES, default=coordinates.WGS84)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, path: Path, crs: str, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        self.stdout.write(f"checking {path} …")
        report = grids_import(data=path.read_bytes(), crs=crs, dry_run=dry_run)
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
