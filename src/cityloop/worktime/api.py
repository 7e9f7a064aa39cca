"""JSON API of this app (django-ninja router, mounted by cityloop.api at /api/worktime/).

Refusals use the API's one error shape (``cityloop.core.api_errors``): 422 with
``{"detail": [{field, code, zh, en}]}``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from cityloop.core.api_errors import ApiError, ErrorOut
from cityloop.core.i18n import lazy_format
from cityloop.org.models import Unit
from cityloop.worktime.choices import CalendarSource, ClockKind, DayKind
from cityloop.worktime.clock import add_working_time, aware
from cityloop.worktime.errors import CalendarUnavailable, WorkingTimeInputError
from cityloop.worktime.models import FIRST_YEAR, LAST_YEAR
from cityloop.worktime.selectors import (
    CalendarDay,
    calendar_warning,
    first_provisional_year,
    provisional_years,
    year_calendar,
    year_has_data,
    years_with_data,
)

router = Router()

NEGATIVE_MINUTES = _("duration_minutes must not be negative.")
UNKNOWN_UNIT = _("No unit has this id.")
YEAR_RANGE = _("The year must be between %(first)s and %(last)s.")


class DeadlineOut(Schema):
    start: datetime
    duration_minutes: int
    clock: ClockKind
    unit: int | None
    deadline: datetime
    provisional: bool  # counted on a year without its official 调休 (statutory days only)


class DayOut(Schema):
    date: date
    kind: DayKind
    name_zh: str
    name_en: str
    is_override: bool


class CalendarOut(Schema):
    year: int
    has_data: bool
    source: CalendarSource | None
    declared_source: str
    days_off: list[DayOut]
    adjusted_working_days: list[DayOut]
    overrides: list[DayOut]


class YearsOut(Schema):
    years: list[int]  # the official arrangement: the package's years and the declared ones
    provisional: list[int]  # counted from the law's statutory days until the notice is entered
    enter_next_year: int | None  # from 1 November: next year still waits for its arrangement


@router.get("/deadline", response={200: DeadlineOut, 422: ErrorOut})
def deadline(
    request,
    start: datetime,
    duration_minutes: int,
    clock: ClockKind = ClockKind.WORKING,
    unit: int | None = None,
):
    """The deadline of a limit of ``duration_minutes`` started at ``start`` (with its offset).

    ``clock=working`` counts office hours of working days (of ``unit``, else the default);
    ``clock=continuous`` counts 24×7. A year without a holiday calendar is refused (422).
    """
    if duration_minutes < 0:
        raise ApiError(422, "duration_minutes", NEGATIVE_MINUTES, code="negative")
    unit_obj = _unit(unit)
    try:
        due = add_working_time(start, timedelta(minutes=duration_minutes), unit_obj, clock=clock)
    except WorkingTimeInputError as exc:
        raise ApiError(422, exc.field, exc.message, code=exc.code) from exc
    except CalendarUnavailable as exc:
        # the start's own year, or a later one the limit runs into
        field = "start" if not year_has_data(aware(start, "start").year) else "duration_minutes"
        raise ApiError(422, field, exc.message, code="calendar_unavailable") from exc
    return {
        "start": aware(start, "start"),
        "duration_minutes": duration_minutes,
        "clock": clock,
        "unit": unit,
        "deadline": due,
        "provisional": clock == ClockKind.WORKING
        and first_provisional_year(start, due) is not None,
    }


def _unit(unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ApiError(422, "unit", UNKNOWN_UNIT, code="not_found")
    return unit


@router.get("/years", response=YearsOut)
def years(request):
    """The years with their official arrangement, the provisional ones, and the reminder."""
    today = timezone.localdate()
    return {
        "years": years_with_data(),
        "provisional": provisional_years(until=today.year + 1),
        "enter_next_year": calendar_warning(today),
    }


@router.get("/calendar/{year}", response={200: CalendarOut, 422: ErrorOut})
def calendar(request, year: int):
    """A year's weekdays off and weekend working days (调休), and whether it has data at all."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = lazy_format(YEAR_RANGE, {"first": FIRST_YEAR, "last": LAST_YEAR})
        raise ApiError(422, "year", message, code="out_of_range")
    found = year_calendar(year)
    return {
        "year": found.year,
        "has_data": found.has_data,
        "source": found.source,
        "declared_source": found.declared_source,
        "days_off": [_day(d) for d in found.days_off],
        "adjusted_working_days": [_day(d) for d in found.adjusted_working_days],
        "overrides": [_day(d) for d in found.overrides],
    }


def _day(day: CalendarDay) -> dict:
    return {
        "date": day.day,
        "kind": day.kind,
        "name_zh": day.name_zh,
        "name_en": day.name_en,
        "is_override": day.is_override,
    }
