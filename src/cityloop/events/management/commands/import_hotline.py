"""``cityloop import_hotline FILE``: 12345 work orders (CSV or JSON) in as cases, idempotently."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityloop.events.services.hotline import hotline_import, orders_from_file


class Command(BaseCommand):
    help = "Import 12345 hotline work orders (CSV or JSON); each order once. 导入12345热线工单。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        try:
            orders = orders_from_file(path.read_bytes(), path.name)
        except ValueError as exc:
            raise CommandError(f"无法读取 / cannot read {path}: {exc}") from exc
        self.stdout.write(f"checking {len(orders)} order(s) from {path} …")
        report = hotline_import(orders=orders, dry_run=dry_run)
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
