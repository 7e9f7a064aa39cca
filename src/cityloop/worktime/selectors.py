"""Reads of the working-time app: working days, which years have a calendar, office hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cityloop.org.models import Unit
from cityloop.worktime.choices import CalendarSource, DayKind
from cityloop.worktime.clock import aware
from cityloop.worktime.facts import current_facts
from cityloop.worktime.models import CalendarOverride, CalendarYear
from cityloop.worktime.officehours import Period
from cityloop.worktime.statutory import RULE_YEARS
from cityloop.worktime.workdays import (
    PACKAGE_YEARS,
    package_covers,
    package_holiday_name,
    year_source,
)

# From this month on, administrators are warned until next year's arrangement is entered: the
# State Council publishes it around November–December (decision 0035).
WARN_FROM_MONTH = 11


def is_workday(day: date) -> bool:
    """Whether people work on ``day`` (法定节假日, 调休 and overrides applied).

    An aware datetime counts by its date in Asia/Shanghai. Raises ``CalendarUnavailable`` for
    a year without a calendar.
    """
    if isinstance(day, datetime):
        day = aware(day, "day").date()
    return current_facts().is_workday(day)


def years_with_data() -> list[int]:
    """The years a working-time computation may touch: the package's and the declared ones."""
    declared = CalendarYear.objects.values_list("year", flat=True)
    return sorted(set(PACKAGE_YEARS).union(declared))


def year_has_data(year: int) -> bool:
    """Whether ``year`` has its official arrangement (the package's or a declared one)."""
    return package_covers(year) or CalendarYear.objects.filter(year=year).exists()


def year_is_provisional(year: int) -> bool:
    """Whether ``year`` is counted from the law's statutory days alone (no official 调休 yet)."""
    return current_facts().source(year) == CalendarSource.PROVISIONAL


def provisional_years(*, until: int) -> list[int]:
    """The provisional years up to ``until``: future years counted from the statutory rule."""
    facts = current_facts()
    return [y for y in RULE_YEARS if y <= until and facts.source(y) == CalendarSource.PROVISIONAL]


def first_provisional_year(first: datetime, last: datetime) -> int | None:
    """The first year from ``first`` to ``last`` (aware) counted provisionally, if any."""
    start, end = aware(first, "first").date(), aware(last, "last").date()
    return current_facts().first_provisional_year(start, end)


def calendar_warning(today: date) -> int | None:
    """The next year, when it is time to enter its arrangement and it is still provisional.

    From 1 November (``WARN_FROM_MONTH``) administrators are warned until the State Council's
    arrangement for next year is entered (overrides and a declaration) or the package has it.
    """
    coming = today.year + 1
    if today.month >= WARN_FROM_MONTH and year_is_provisional(coming):
        return coming
    return None


def office_periods(unit: Unit | None) -> tuple[Period, ...]:
    """The office periods that apply to ``unit``: its own, its nearest ancestor's or the default."""
    return tuple(Period(_time(start), _time(end)) for start, end in current_facts().spans(unit))


@dataclass(frozen=True)
class CalendarDay:
    """A date that differs from the Monday-to-Friday week, or an override, and why."""

    day: date
    kind: DayKind
    name_zh: str
    name_en: str
    is_override: bool


@dataclass(frozen=True)
class YearCalendar:
    """A year's calendar as the API shows it: where it comes from and how it differs."""

    year: int
    has_data: bool  # the official arrangement: the package's or declared
    source: CalendarSource | None
    declared_source: str
    days_off: list[CalendarDay]  # Monday to Friday, yet nobody works
    adjusted_working_days: list[CalendarDay]  # Saturday or Sunday, yet people work (调休上班)
    overrides: list[CalendarDay]


def year_calendar(year: int) -> YearCalendar:
    """A year's working-day exceptions, or only the overrides entered so far if it has no data."""
    declaration = CalendarYear.objects.filter(year=year).first()
    overrides = {o.day: o for o in CalendarOverride.objects.filter(day__year=year)}
    source = year_source(year, declared=declaration is not None)
    has_data = source in (CalendarSource.PACKAGE, CalendarSource.DECLARED)
    days = _exceptions(year, overrides) if source is not None else []
    return YearCalendar(
        year=year,
        has_data=has_data,
        source=source,
        declared_source=declaration.source if declaration else "",
        days_off=[d for d in days if d.kind == DayKind.DAY_OFF],
        adjusted_working_days=[d for d in days if d.kind == DayKind.WORKING_DAY],
        overrides=[_override_day(o) for o in overrides.values()],
    )


def _exceptions(year: int, overrides: dict[date, CalendarOverride]) -> list[CalendarDay]:
    facts, day, found = current_facts(), date(year, 1, 1), []
    while day.year == year:
        works = facts.is_workday(day)
        if works != (day.weekday() < 5):
            kind = DayKind.WORKING_DAY if works else DayKind.DAY_OFF
            found.append(_override_day(overrides[day]) if day in overrides else _day(day, kind))
        day += timedelta(days=1)
    return found


def _day(day: date, kind: DayKind) -> CalendarDay:
    name = package_holiday_name(day) or {"zh": "", "en": ""}
    return CalendarDay(day, kind, name["zh"], name["en"], is_override=False)


def _override_day(override: CalendarOverride) -> CalendarDay:
    kind = DayKind(override.kind)
    return CalendarDay(override.day, kind, override.note, override.note, is_override=True)


def _time(offset: int) -> time:
    seconds, micro = divmod(offset, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)
