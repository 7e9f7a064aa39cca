"""12345 hotline work orders in, as cases: by API (JSON) or file (CSV or JSON).

Idempotent on the hotline's own order number: an order sent twice is one case, and the
second sending answers with the case made the first time. A batch is checked whole first:
if any order is bad, every problem is reported with its order number and field, and nothing
is imported.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.i18n import bilingual, lazy_format
from cityloop.core.storable import UNSTORABLE, printable
from cityloop.events.choices import Source, Urgency
from cityloop.events.services.intake import (
    case_report,
    report_fields,
    report_place,
    unstorable_fields,
)
from cityloop.events.services.refusals import BadInput

FIELDS = (
    "order_no",
    "content",
    "address",
    "lon",
    "lat",
    "crs",
    "category",
    "caller_name",
    "caller_phone",
    "urgent",
    "received_at",
)
TEXT_FIELDS = ("order_no", "content", "address", "caller_name", "caller_phone")


@dataclass(frozen=True)
class OrderProblem:
    number: int
    order_no: str
    field: str
    message: Any

    def __str__(self) -> str:
        return f"#{self.number} {self.order_no} [{self.field}]: {bilingual(self.message)}"


@dataclass
class HotlineReport:
    orders: int = 0
    created: list[str] = field(default_factory=list)  # tickets
    existing: list[str] = field(default_factory=list)
    problems: list[OrderProblem] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return (
                f"hotline import refused: {len(self.problems)} problem(s) in {self.orders} "
                "order(s); nothing was imported"
            )
        return (
            f"hotline import: {self.orders} order(s), {len(self.created)} new case(s), "
            f"{len(self.existing)} already imported"
        )


def orders_from_file(content: bytes, name: str) -> list[dict]:
    """Orders from a JSON array or a CSV with a header row of the field names."""
    text = content.decode("utf-8-sig")
    if name.lower().endswith(".json") or text.lstrip().startswith("["):
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("a JSON file of orders is an array")
        return data
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def hotline_import(
    *, orders: list[dict], actor: Any = None, dry_run: bool = False
) -> HotlineReport:
    report = HotlineReport(orders=len(orders))
    prepared = [_prepare(n, order, report) for n, order in enumerate(orders, start=1)]
    _check_repeats(orders, report)
    if report.problems or dry_run:
        return report
    with transaction.atomic():
        for order in prepared:
            intake = case_report(source=Source.HOTLINE, reported_by=actor, **order)
            (report.created if intake.created else report.existing).append(intake.case.ticket)
            report.results.append(
                {
                    "order_no": order["external_id"],
                    "ticket": intake.case.ticket,
                    "created": intake.created,
                }
            )
    return report


def _prepare(number: int, order: dict, report: HotlineReport) -> dict | None:
    """The order as ``case_report`` arguments; every bad field is reported, not just the first."""
    order_no = str(order.get("order_no") or "").strip()
    problems: list[BadInput] = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except BadInput as exc:
            problems.append(exc)
            return None

    for name in unstorable_fields({name: order.get(name) for name in TEXT_FIELDS}):
        problems.append(BadInput(UNSTORABLE, field=name, code="string_unicode"))
    order_no = printable(order_no)  # quoted in the problems; refused above if it had to be
    if not order_no:
        problems.append(BadInput(_("This field is required."), field="order_no", code="missing"))
    prepared = {
        "external_id": order_no,
        "description": str(order.get("content") or ""),
        "address": str(order.get("address") or ""),
        "lon": attempt(_number, order.get("lon"), "lon"),
        "lat": attempt(_number, order.get("lat"), "lat"),
        "crs": str(order.get("crs") or "wgs84"),
        "category": attempt(_category, order.get("category")),
        "reporter_name": str(order.get("caller_name") or ""),
        "reporter_phone": str(order.get("caller_phone") or ""),
        "urgency": Urgency.URGENT
        if str(order.get("urgent", "")).lower() in ("1", "true", "yes", "是")
        else Urgency.NORMAL,
    }
    if order.get("received_at"):
        prepared["now"] = attempt(_moment, order["received_at"])
    if not problems:
        args = (
            prepared["category"],
            prepared["urgency"],
            order_no,
            prepared["address"],
            prepared["lon"],
            prepared["lat"],
        )
        attempt(report_fields, Source.HOTLINE, prepared["description"], *args)
    if not problems and prepared["lon"] is not None:
        attempt(report_place, prepared["lon"], prepared["lat"], prepared["crs"])
    elif not prepared["description"].strip() and not any(
        p.field == "description" for p in problems
    ):
        problems.append(BadInput(_("Describe the problem."), field="description", code="missing"))
    for exc in problems:
        field_name = {"description": "content", "external_id": "order_no"}.get(exc.field, exc.field)
        report.problems.append(OrderProblem(number, order_no, field_name, exc.message))
    return None if problems else prepared


def _number(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise BadInput(_("Enter a number."), field=name, code="float_parsing") from exc


def _moment(value: Any):
    moment = value if hasattr(value, "tzinfo") else parse_datetime(str(value))
    if moment is None or moment.tzinfo is None:
        raise BadInput(
            _("Enter a date and time such as 2026-11-24T09:30:00+08:00."),
            field="received_at",
            code="datetime_parsing",
        )
    return moment


def _category(code: Any) -> MinorCategory | None:
    """A catalogue code such as ``event-01-10`` (or ``01-10`` for an event)."""
    if code in (None, ""):
        return None
    parts = str(code).strip().split("-")
    kind = parts.pop(0) if len(parts) == 3 else "event"
    found = None
    if len(parts) == 2:
        found = MinorCategory.objects.filter(
            major__kind=kind, major__code=parts[0], code=parts[1], is_active=True
        ).first()
    if found is None:
        raise BadInput(
            lazy_format(_("No category has the code %(code)s."), {"code": code}),
            field="category",
            code="not_found",
        )
    return found


def _check_repeats(orders: list[dict], report: HotlineReport) -> None:
    seen: set[str] = set()
    for number, order in enumerate(orders, start=1):
        order_no = printable(str(order.get("order_no") or "").strip())
        if order_no and order_no in seen:
            report.problems.append(
                OrderProblem(
                    number,
                    order_no,
                    "order_no",
                    _("The same order number appears twice in this batch."),
                )
            )
        seen.add(order_no)
