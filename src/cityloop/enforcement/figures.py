"""The enforcement figures of the bureau's annual report (行政执法效能), for any period and
optionally one street, and the report's sentence with the real numbers.

The 2023 work report writes: "全区办理行政执法案件3876宗；办理垃圾分类行政处罚案件353宗；办理共享
单车行政处罚案件471宗；清理整治各类违法乱摆卖1.5万多宗，清理“三乱”2.4万多宗，查处违法超门线经营
行为1.9万多宗，整治乱堆放8100多宗；…拆除不合规户外广告70余块；…审查重难点案件135宗". What each
figure counts, and why, is decision 0053 (docs/decisions/0053-enforcement-figures.md).

Everything is counted by three aggregate queries whatever the number of cases: the closed-loop
category ids of the mapping below, the enforcement cases grouped by their team's unit with one
conditional count per figure, and the closed-loop cases closed in the period grouped by street
and figure. Periods are calendar days in the bureau's time zone, both ends included.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cityloop.categories.models import MinorCategory
from cityloop.core.refusals import BadInput
from cityloop.enforcement.choices import Category, Outcome, Procedure
from cityloop.enforcement.models import EnforcementCase, EnforcementEvent
from cityloop.events.choices import DONE_STATES
from cityloop.events.models import Case
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit

# --- what is counted -------------------------------------------------------------------------
# The closed-loop categories (GB/T 30428.2-coded catalogue, kind "event":
# categories/data/gbt30428-categories.csv and local-extensions.csv, the same rows as
# /work/shared/reference/gbt30428-categories.csv) whose cases, closed in the period, a
# 清理整治 figure counts. Major-minor codes with the catalogue's names; decision 0053 says
# which neighbouring categories are left out and why.
CLOSED_LOOP_CATEGORIES: dict[str, tuple[tuple[str, str], ...]] = {
    "vending": (
        ("04", "01"),  # 无照经营游商
        ("04", "06"),  # 占道经营 (违法占用城市道路、桥梁、广场等公共场所进行营利性买卖)
    ),
    "posting": (
        ("02", "01"),  # 非法小广告 (张贴、喷涂、手写各类小广告及乱涂乱画)
        ("02", "02"),  # 街头散发广告
        ("02", "07"),  # 违规标语宣传品 (擅自张贴、悬挂标语、条幅)
    ),
    "out_of_store": (
        ("04", "05"),  # 店外经营 (超出门窗外摆放经营物品，或有跨门占道经营行为)
    ),
    "piling": (
        ("01", "36"),  # 乱堆物堆料
        ("03", "06"),  # 施工物料乱堆放
    ),
    "ads_removed": (
        ("02", "03"),  # 违规户外广告 (结案条件: 拆除)
    ),
}
CLOSED_LOOP_KIND = "event"

# The enforcement category (the catalogue's Violation.category) of each figure that has one.
ENFORCEMENT_CATEGORY: dict[str, str] = {
    "garbage_penalties": Category.GARBAGE,
    "shared_bike_penalties": Category.SHARED_BIKES,
    "vending": Category.VENDING,
    "posting": Category.POSTING,
    "out_of_store": Category.OUT_OF_STORE,
    "piling": Category.PILING,
    "ads_removed": Category.ADS,
}

CASES = "宗"
PIECES = "块"


@dataclass(frozen=True)
class Definition:
    """One figure of the report: its key, the report's phrase, its measure word, the group of
    the sentence it belongs to (groups are joined by "；", figures in a group by "，"), and
    whether the report writes it rounded ("1.5万多宗")."""

    key: str
    label: str
    unit: str
    group: int
    approximate: bool
    name: Any
    basis: Any


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "cases",
        "办理行政执法案件",
        CASES,
        1,
        False,
        _("Enforcement cases handled"),
        _(
            "Enforcement cases filed (ordinary procedure) or decided on the spot (simple "
            "procedure) in the period; clues not filed are not counted."
        ),
    ),
    Definition(
        "garbage_penalties",
        "办理垃圾分类行政处罚案件",
        CASES,
        2,
        False,
        _("Garbage-sorting penalty cases"),
        _("Garbage-sorting enforcement cases decided with a penalty in the period."),
    ),
    Definition(
        "shared_bike_penalties",
        "办理共享单车行政处罚案件",
        CASES,
        3,
        False,
        _("Shared-bike penalty cases"),
        _("Shared-bike enforcement cases decided with a penalty in the period."),
    ),
    Definition(
        "vending",
        "清理整治各类违法乱摆卖",
        CASES,
        4,
        True,
        _("Illegal street vending cleared"),
        _(
            "Closed-loop cases of unlicensed hawking (04-01) and road-occupying vending (04-06) "
            "closed in the period, plus street-vending enforcement cases handled in the period "
            "that were not referred from one of those."
        ),
    ),
    Definition(
        "posting",
        "清理“三乱”",
        CASES,
        4,
        True,
        _("Littering, scrawling and posting cleared"),
        _(
            "Closed-loop cases of illegal small ads and scrawling (02-01), handing out ads "
            "(02-02) and unauthorised banners (02-07) closed in the period, plus "
            "littering-scrawling-posting enforcement cases handled in the period that were not "
            "referred from one of those."
        ),
    ),
    Definition(
        "out_of_store",
        "查处违法超门线经营行为",
        CASES,
        4,
        True,
        _("Business beyond the shop line dealt with"),
        _(
            "Closed-loop cases of business outside the shop (04-05) closed in the period, plus "
            "beyond-the-shop-line enforcement cases handled in the period that were not "
            "referred from one of those."
        ),
    ),
    Definition(
        "piling",
        "整治乱堆放",
        CASES,
        4,
        True,
        _("Piling dealt with"),
        _(
            "Closed-loop cases of piled materials (01-36) and piled building materials (03-06) "
            "closed in the period, plus piling enforcement cases handled in the period that "
            "were not referred from one of those."
        ),
    ),
    Definition(
        "ads_removed",
        "拆除不合规户外广告",
        PIECES,
        5,
        True,
        _("Non-compliant outdoor ads removed"),
        _(
            "Closed-loop cases of non-compliant outdoor ads (02-03, closed by removal) closed "
            "in the period, plus outdoor-ad enforcement cases decided with a penalty whose rule "
            "orders removal (限期拆除), not referred from one of those; one case, one ad."
        ),
    ),
    Definition(
        "difficult_reviewed",
        "审查重难点案件",
        CASES,
        6,
        False,
        _("Difficult cases reviewed"),
        _("Difficult or complex enforcement cases whose legal review passed in the period."),
    ),
)
BY_KEY = {d.key: d for d in DEFINITIONS}


@dataclass(frozen=True)
class Figure:
    """One counted figure: the report's phrase (``label``), the exact ``value``, its measure
    word, and how it is counted (``basis``); ``text`` is the number as the report writes it."""

    key: str
    label: str
    value: int
    unit: str
    basis: Any
    name: Any
    approximate: bool = False

    @property
    def written(self) -> str:
        return written(self.value, approximate=self.approximate)

    @property
    def text(self) -> str:
        """The number and measure word as the report writes them: ``1.5万多宗``, ``3876宗``."""
        return f"{self.written}{self.unit}"


def written(value: int, *, approximate: bool) -> str:
    """A count as the report writes it: exact, or for a rounded figure the whole tenths of
    10,000 (``1.5万多``), hundreds (``8100多``) or tens (``350多``, ``70余``) below it, with
    多/余 only when something was cut off."""
    if not approximate or value < 10:
        return str(value)
    if value >= 10_000:
        tenths = value // 1_000
        whole, tenth = divmod(tenths, 10)
        base, number = tenths * 1_000, f"{whole}.{tenth}万" if tenth else f"{whole}万"
    else:
        step = 100 if value >= 1_000 else 10
        base = value - value % step
        number = str(base)
    if value == base:
        return number
    return number + ("余" if value < 100 else "多")


def sentence(figs: Sequence[Figure], *, area: str = "全区") -> str:
    """The report's sentence with the real numbers: "全区办理行政执法案件3876宗；…".

    ``area`` opens it (全区, or a street's name for one street)."""
    groups: dict[int, list[str]] = defaultdict(list)
    for fig in figs:
        groups[BY_KEY[fig.key].group].append(f"{fig.label}{fig.text}")
    if not groups:
        return ""
    return area + "；".join("，".join(groups[g]) for g in sorted(groups)) + "。"


# --- counting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """A period of calendar days in the bureau's time zone: ``[start 00:00, end+1 00:00)``."""

    since: datetime
    until: datetime

    def of(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})


def window(start: date, end: date) -> Window:
    """The period from ``start`` to ``end``, both days included; an end before the start is
    refused on ``end``."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise BadInput(_("Give the period as two dates."), field="start", code="invalid")
    if end < start:
        raise BadInput(_("The period ends before it starts."), field="end", code="invalid")
    zone = timezone.get_default_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return Window(since, until)


def _scope(unit: Unit | None) -> Unit | None:
    """The street a count is restricted to; the district (or none) counts everything."""
    if unit is None or unit.kind == UnitKind.DISTRICT:
        return None
    if unit.kind != UnitKind.STREET:
        raise BadInput(
            _("Figures are counted for the district or one street."), field="unit", code="invalid"
        )
    return unit


def _mapped_categories() -> dict[str, list[int]]:
    """The closed-loop category ids of each figure (one query)."""
    wanted = {
        (major, minor): key
        for key, codes in CLOSED_LOOP_CATEGORIES.items()
        for major, minor in codes
    }
    match = Q()
    for major, minor in wanted:
        match |= Q(major__code=major, code=minor)
    rows = MinorCategory.objects.filter(match, major__kind=CLOSED_LOOP_KIND).values_list(
        "pk", "major__code", "code"
    )
    ids: dict[str, list[int]] = {key: [] for key in CLOSED_LOOP_CATEGORIES}
    for pk, major, minor in rows:
        ids[wanted[(major, minor)]].append(pk)
    return ids


def _closed_loop_closed(period: Window, category_ids: list[int]):
    return Case.objects.filter(
        period.of("closed_at"), state__in=DONE_STATES, category_id__in=category_ids
    )


def _enforcement_conditions(period: Window, ids: dict[str, list[int]]) -> dict[str, Q]:
    """Each figure the enforcement cases give, as a condition on a case."""
    handled = (Q(procedure=Procedure.ORDINARY) & period.of("filed_at")) | (
        Q(procedure=Procedure.SIMPLE) & period.of("decided_at")
    )
    penalty = Q(outcome=Outcome.PENALTY) & period.of("decided_at")
    reviewed = EnforcementEvent.objects.filter(
        period.of("at"), case=OuterRef("pk"), action="pass_legal_review"
    )

    def category(key: str) -> Q:
        return Q(violation__category=ENFORCEMENT_CATEGORY[key])

    def not_counted_there(key: str) -> Q:
        # A case referred from a closed-loop case the figure counts is counted once, there.
        there = _closed_loop_closed(period, ids[key]).filter(pk=OuterRef("source_case_id"))
        return ~Q(Exists(there))

    conditions = {
        "cases": handled,
        "garbage_penalties": penalty & category("garbage_penalties"),
        "shared_bike_penalties": penalty & category("shared_bike_penalties"),
    }
    for key in ("vending", "posting", "out_of_store", "piling"):
        conditions[key] = handled & category(key) & not_counted_there(key)
    removal = penalty & category("ads_removed") & Q(violation__order_to_correct=True)
    conditions["ads_removed"] = removal & not_counted_there("ads_removed")
    conditions["difficult_reviewed"] = Q(difficult=True) & Q(Exists(reviewed))
    return conditions


def _enforcement_counts(period: Window, street: Unit | None, ids) -> dict[int | None, dict]:
    """The enforcement figures per team unit (one grouped query)."""
    conditions = _enforcement_conditions(period, ids)
    reviewed = EnforcementEvent.objects.filter(period.of("at"), action="pass_legal_review")
    touched = period.of("filed_at") | period.of("decided_at") | Q(pk__in=reviewed.values("case"))
    cases = EnforcementCase.objects.filter(touched)
    if street is not None:
        cases = cases.filter(unit__path__startswith=street.path)
    rows = (
        cases.order_by()
        .values("unit_id")
        .annotate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    return {row.pop("unit_id"): row for row in rows}


def _closed_loop_counts(period: Window, street: Unit | None, ids) -> dict[int | None, dict]:
    """The closed-loop cases closed in the period per street and figure (one grouped query,
    by category: the figures are the mapped categories' sums, so no CASE per row)."""
    figure_of = {pk: key for key, pks in ids.items() for pk in pks}
    cases = _closed_loop_closed(period, list(figure_of))
    if street is not None:
        cases = cases.filter(street__path__startswith=street.path)
    rows = cases.order_by().values_list("street_id", "category_id").annotate(n=Count("pk"))
    counts: dict[int | None, dict] = defaultdict(lambda: defaultdict(int))
    for street_id, category_id, n in rows:
        counts[street_id][figure_of[category_id]] += n
    return counts


def _tally(start: date, end: date, unit: Unit | None) -> dict[int | None, dict[str, int]]:
    """Every figure per unit (a street, the district for its own team's cases, or None for
    closed-loop cases without a street)."""
    period, street = window(start, end), _scope(unit)
    ids = _mapped_categories()
    tally: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BY_KEY, 0))
    for source in (
        _enforcement_counts(period, street, ids),
        _closed_loop_counts(period, street, ids),
    ):
        for unit_id, counts in source.items():
            for key, n in counts.items():
                tally[unit_id][key] += n
    return tally


def _figures_of(counts: dict[str, int]) -> list[Figure]:
    return [
        Figure(
            key=d.key,
            label=d.label,
            value=counts.get(d.key, 0),
            unit=d.unit,
            basis=d.basis,
            name=d.name,
            approximate=d.approximate,
        )
        for d in DEFINITIONS
    ]


def _sum(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(BY_KEY, 0)
    for row in rows:
        for key, n in row.items():
            total[key] += n
    return total


def figures(start: date, end: date, unit: Unit | None = None) -> list[Figure]:
    """The report's enforcement figures from ``start`` to ``end`` (both included), for the
    district or one street (``unit``), in the report's order."""
    return _figures_of(_sum(_tally(start, end, unit).values()))


@dataclass(frozen=True)
class StreetFigures:
    """The figures of one street (or of the district's own team, or of the closed-loop cases
    that have no street: ``unit`` None)."""

    unit: Unit | None
    figures: list[Figure]

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else gettext("(no street)")


def by_street(start: date, end: date, unit: Unit | None = None) -> list[StreetFigures]:
    """The figures per street in the scope, every street listed (zeros included), then the
    district's own team and the cases without a street where they have any."""
    tally, street = _tally(start, end, unit), _scope(unit)
    streets = Unit.objects.filter(kind=UnitKind.STREET)
    if street is not None:
        streets = streets.filter(pk=street.pk)
    wanted = Unit.objects.filter(Q(pk__in=[k for k in tally if k is not None]) | Q(pk__in=streets))
    units = sorted(wanted, key=lambda u: (u.kind != UnitKind.STREET, u.code or "", u.pk))
    rows = [StreetFigures(u, _figures_of(tally.get(u.pk, {}))) for u in units]
    if None in tally:
        rows.append(StreetFigures(None, _figures_of(tally[None])))
    return rows


# --- the workbook ----------------------------------------------------------------------------
BOLD = Font(bold=True)


def _figures_sheet(sheet, figs: Sequence[Figure], start: date, end: date, area: str) -> None:
    sheet.append([gettext("Period"), f"{start.isoformat()} – {end.isoformat()}"])
    sheet.append([gettext("Area"), area])
    sheet.append([])
    header = [
        gettext("Figure"),
        gettext("Name"),
        gettext("Count"),
        gettext("As the report writes it"),
        gettext("Measure word"),
        gettext("How it is counted"),
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for fig in figs:
        sheet.append([fig.label, str(fig.name), fig.value, fig.text, fig.unit, str(fig.basis)])
    sheet.append([])
    sheet.append([gettext("Sentence"), sentence(figs, area=area)])
    for column, width in zip("ABCDEF", (26, 34, 10, 16, 8, 90), strict=True):
        sheet.column_dimensions[column].width = width


def _street_sheet(sheet, rows: Sequence[StreetFigures]) -> None:
    sheet.append([gettext("Street"), *(d.label for d in DEFINITIONS)])
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([row.name, *(fig.value for fig in row.figures)])
    total = _sum({f.key: f.value for f in row.figures} for row in rows)
    sheet.append([gettext("Total"), *(total[d.key] for d in DEFINITIONS)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 20


def export_xlsx(
    figs: Sequence[Figure], start: date, end: date, *, unit: Unit | None = None
) -> bytes:
    """The figures as an Excel workbook: one sheet of the figures (exact and as the report
    writes them, with how each is counted, and the sentence), one sheet by street."""
    area = unit.name if _scope(unit) is not None else "全区"
    book = Workbook()
    _figures_sheet(book.active, figs, start, end, area)
    book.active.title = gettext("Figures")
    _street_sheet(book.create_sheet(gettext("By street")), by_street(start, end, unit))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "CLOSED_LOOP_CATEGORIES",
    "DEFINITIONS",
    "Figure",
    "StreetFigures",
    "by_street",
    "export_xlsx",
    "figures",
    "sentence",
    "window",
    "written",
]
