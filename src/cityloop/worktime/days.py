"""Counting whole days: working days on the holiday calendar, natural days, calendar months.

The working days are the same as working time's (``workdays.py``: the chinese-calendar
package's 法定节假日 and 调休, the administrators' overrides and declared years, and a
provisional year counted on the statutory days alone, decision 0035); a count that reaches a
year without any calendar raises ``CalendarUnavailable``. These are the date-level pieces; the
rules of a statutory period (which day is counted first, what a last day off does) are the
workflow kernel's (``cityloop.core.workflow.clocks``, decision 0047).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from cityloop.worktime.facts import Facts, current_facts

ONE_DAY = timedelta(days=1)


def nth_working_day(first: date, count: int, facts: Facts | None = None) -> date:
    """The ``count``-th working day counting ``first`` as the first candidate (``count`` ≥ 1).

    ``nth_working_day(Monday, 1)`` is that Monday if people work on it, else the next working
    day.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    facts = facts or current_facts()
    day, found = first, 0
    while True:
        if facts.is_workday(day):
            found += 1
            if found == count:
                return day
        day += ONE_DAY


def working_days_in(first: date, last: date, facts: Facts | None = None) -> int:
    """How many working days lie from ``first`` to ``last``, both included (0 if none)."""
    facts = facts or current_facts()
    day, found = first, 0
    while day <= last:
        found += facts.is_workday(day)
        day += ONE_DAY
    return found


def next_working_day(day: date, facts: Facts | None = None) -> date:
    """``day`` itself if people work on it, else the first working day after it."""
    return nth_working_day(day, 1, facts)


def add_months(day: date, months: int) -> date:
    """The day with the same number ``months`` calendar months later; the month's last day
    when that month is shorter (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
