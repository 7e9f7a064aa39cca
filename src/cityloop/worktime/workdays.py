"""Which dates are working days: the State Council's arrangement, corrected by the bureau.

The rule, in order (``docs/decisions/0005-working-time-calendar.md`` and
``0035-provisional-calendar-years.md``):

1. An administrator's override of the date wins (a working day or a day off).
2. Inside the chinese-calendar package's years, the package decides (法定节假日 and 调休).
3. In a year an administrator has declared complete, Monday to Friday are working days.
4. Any other year the law's rule covers is *provisional*: the statutory days off and their
   补假 (``statutory.py``) are off, Monday to Friday otherwise; no 调休 is guessed.
5. A year none of these covers has no calendar: ``CalendarUnavailable``, never a guess.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data

from cityloop.worktime.choices import CalendarSource, DayKind
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.statutory import rule_covers, statutory_days_off

# The years the package knows, found the way the package itself finds them.
PACKAGE_YEARS = range(
    min(chinese_calendar_data.holidays).year, max(chinese_calendar_data.holidays).year + 1
)


def package_covers(year: int) -> bool:
    return year in PACKAGE_YEARS


def year_source(year: int, *, declared: bool) -> CalendarSource | None:
    """Where a year's calendar comes from: the package, a declaration, the law's rule, or none."""
    if package_covers(year):
        return CalendarSource.PACKAGE
    if declared:
        return CalendarSource.DECLARED
    if rule_covers(year):
        return CalendarSource.PROVISIONAL
    return None


def decide_workday(day: date, *, override: str | None, declared: bool) -> bool:
    """Whether ``day`` is a working day, given its override and whether its year is declared."""
    source = year_source(day.year, declared=declared)
    if source is None:
        raise CalendarUnavailable(day.year)
    if override is not None:
        return override == DayKind.WORKING_DAY
    if source == CalendarSource.PACKAGE:
        return chinese_calendar.is_workday(day)
    if source == CalendarSource.PROVISIONAL and day in statutory_days_off(day.year):
        return False
    return day.weekday() < 5


def package_holiday_name(day: date) -> dict[str, str] | None:
    """The name of the holiday or 调休 a date belongs to, in both languages.

    The package's inside its years; elsewhere the law's statutory day off, if it is one.
    """
    if day.year not in PACKAGE_YEARS:
        return statutory_days_off(day.year).get(day)
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is None:
        return None
    return {"zh": chinese_calendar.Holiday(name).chinese, "en": name}
