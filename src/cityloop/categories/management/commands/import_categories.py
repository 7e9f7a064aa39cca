"""``cityloop import_categories PATH [--dry-run]``: load a catalogue or directory CSV file.

The file's header says which it is: a GB/T 30428.2-coded catalogue (``filing_condition`` …,
like data/gbt30428-categories.csv and data/local-extensions.csv) or the GB/T 47678.5-2026
directory (``code5`` …). All or nothing: any bad row and nothing is imported; every bad row is
listed with its line number and the reason.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityloop.categories import services
from cityloop.categories.catalogue_rows import csv_rows_read
from cityloop.core.i18n import bilingual
from cityloop.core.progress import Progress


class Command(BaseCommand):
    help = (
        "Import a category catalogue or GB/T 47678.5 directory CSV (all or nothing). "
        "导入部件事件分类（立结案标准）或 GB/T 47678.5 目录 CSV，有错误则全部不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the CSV file (UTF-8, header on line 1)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, write nothing / 只检查不写入"
        )

    def handle(self, *args, path: Path, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        importer, what = self._importer(path)
        progress = Progress(self.stdout)
        progress.stage(f"importing {what} from {path}{' (dry run)' if dry_run else ''}")
        report = importer(path=path, dry_run=dry_run, on_progress=progress.step)
        for line in report.summary_lines():
            self.stdout.write(f"  {line}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"  line {error.line}: {bilingual(error)}")
            raise CommandError(
                f"{len(report.errors)} bad row(s) in {path}: nothing imported / 有错误，未导入"
            )
        verdict = "dry run, nothing written / 试运行，未写入" if dry_run else "done / 完成"
        self.stdout.write(self.style.SUCCESS(f"{report.rows} rows checked: {verdict}"))

    def _importer(self, path: Path):
        try:
            header, _rows = csv_rows_read(path)
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text / 文件不是 UTF-8 编码: {exc}") from exc
        if "code5" in header:
            return services.directory_import, "the GB/T 47678.5-2026 directory"
        if "filing_condition" in header:
            return services.catalogue_import, "catalogue rows"
        raise CommandError(
            f"{path}: the header has neither filing_condition (catalogue) nor code5 (directory)"
        )
