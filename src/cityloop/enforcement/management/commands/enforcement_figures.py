"""``cityloop enforcement_figures --from 2024-01-01 --to 2024-12-31 [--unit CODE] [--xlsx F]``:
the annual report's enforcement figures for a period (decision 0053), each on a line, then the
report's sentence with the real numbers; optionally the Excel workbook. Reads only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityloop.core.i18n import bilingual
from cityloop.core.refusals import BadInput
from cityloop.enforcement import figures as report
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD) / 日期格式应为 YYYY-MM-DD: {text}") from exc


class Command(BaseCommand):
    help = (
        "Print the annual report's enforcement figures for a period, and its sentence. "
        "输出年度报告的行政执法数据及其表述。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--unit", help="a street's division code (default: the district)")
        parser.add_argument("--xlsx", type=Path, help="also write the Excel workbook here")

    def handle(self, *args, start: str, end: str, unit: str | None, xlsx: Path | None, **opts):
        first, last = _day(start), _day(end)
        street = self._unit(unit)
        try:
            figs = report.figures(first, last, street)
        except BadInput as exc:
            raise CommandError(f"{exc.field}: {bilingual(exc.message)}") from exc
        area = street.name if street is not None and street.kind == UnitKind.STREET else "全区"
        self.stdout.write(f"{area} {first.isoformat()} – {last.isoformat()}")
        width = max(len(f.label) for f in figs)
        for fig in figs:
            rounded = f"  ({fig.text})" if fig.text != f"{fig.value}{fig.unit}" else ""
            self.stdout.write(f"  {fig.label:<{width}}  {fig.value:>8}{fig.unit}{rounded}")
        self.stdout.write("")
        self.stdout.write(report.sentence(figs, area=area))
        if xlsx is not None:
            xlsx.write_bytes(report.export_xlsx(figs, first, last, unit=street))
            self.stdout.write(self.style.SUCCESS(f"written / 已写入: {xlsx}"))

    @staticmethod
    def _unit(code: str | None) -> Unit | None:
        if not code:
            return None
        found = Unit.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"no unit with division code {code} / 没有该区划代码的单位")
        return found
