"""Which dates are working days: the State Council's arrangement, corrected by the bureau.

The rule, in order (``docs/decisions/0005-working-time-calendar.md``):

1. A year that the chinese-calendar package does not cover and that no administrator has
   declared complete has no calendar: ``CalendarUnavailable``, never a guess.
2. An administrator's override of the date wins (a working day or a day off).
3. Inside the package's years, the package decides (法定节假日 and 调休).
4. In a declared year, Monday to Friday are working days.
"""

from __future__ import annotations

from datetime import date

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data

from cityloop.worktime.choices import DayKind
from cityloop.worktime.errors import CalendarUnavailable

# The years the package knows, found the way the package itself finds them.
PACKAGE_YEARS = range(
    min(chinese_calendar_data.holidays).year, max(chinese_calendar_data.holidays).year + 1
)


def package_covers(year: int) -> bool:
    return year in PACKAGE_YEARS


def decide_workday(day: date, *, override: str | None, declared: bool) -> bool:
    """Whether ``day`` is a working day, given its override and whether its year is declared."""
    if day.year not in PACKAGE_YEARS and not declared:
        raise CalendarUnavailable(day.year)
    if override is not None:
        return override == DayKind.WORKING_DAY
    if day.year in PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def package_holiday_name(day: date) -> dict[str, str] | None:
    """The package's name of the holiday or 调休 a date belongs to, in both languages."""
    if day.year not in PACKAGE_YEARS:
        return None
    _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is None:
        return None
    return {"zh": chinese_calendar.Holiday(name).chinese, "en": name}
