"""Counting whole days on the working-time calendar (``worktime.days``): the same working days
as working hours, administrators' overrides and declared years included."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.core.workflow.clocks import Period, start_clock
from cityloop.worktime.choices import DayKind
from cityloop.worktime.days import add_months, next_working_day, nth_working_day, working_days_in
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.services import calendar_override_set, calendar_year_declare

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_working_days_follow_the_2026_arrangement():
    # 中秋 Fri 09-25 and 国庆 10-01…10-07 off; Sun 09-20 and Sat 10-10 worked (调休上班)
    assert working_days_in(date(2026, 9, 19), date(2026, 10, 11)) == 11
    assert nth_working_day(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert nth_working_day(date(2026, 10, 8), 3) == date(2026, 10, 10)
    assert next_working_day(date(2026, 9, 20)) == date(2026, 9, 20)
    assert next_working_day(date(2026, 10, 11)) == date(2026, 10, 12)
    with pytest.raises(ValueError, match="at least 1"):
        nth_working_day(date(2026, 10, 1), 0)


def test_an_administrators_day_off_counts_in_working_days_too():
    five_days = Period.working_days(5)
    before = start_clock(datetime(2026, 11, 23, 10, tzinfo=SH), five_days).deadline
    calendar_override_set(day=date(2026, 11, 25), kind=DayKind.DAY_OFF, note="区政府决定放假一天")
    after = start_clock(datetime(2026, 11, 23, 10, tzinfo=SH), five_days).deadline
    assert (before, after) == (
        datetime(2026, 12, 1, tzinfo=SH),  # 24, 25, 26, 27, 30 November
        datetime(2026, 12, 2, tzinfo=SH),  # 25 November is now off: … 30 November, 1 December
    )


def test_a_declared_year_is_no_longer_provisional():
    start = datetime(2026, 12, 30, 10, tzinfo=SH)
    assert start_clock(start, Period.working_days(5)).provisional_year == 2027
    calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")
    calendar_year_declare(year=2027, source="国办发明电〔2026〕X号")
    assert start_clock(start, Period.working_days(5)).provisional_year is None


def test_a_year_outside_every_calendar_is_unavailable():
    with pytest.raises(CalendarUnavailable) as missing:
        working_days_in(date(2100, 12, 30), date(2101, 1, 5))
    assert missing.value.year == 2101


def test_months_are_pure_date_arithmetic():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
