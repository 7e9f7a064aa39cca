"""The kernel's statutory clocks on the real 2026 holiday arrangement (the chinese-calendar
package's: 中秋 Fri 09-25, 国庆 10-01…10-07, 调休上班 Sun 09-20 and Sat 10-10) and on the
provisional 2027 (decisions 0035 and 0047)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cityloop.core.workflow import clocks
from cityloop.core.workflow.clocks import (
    CalendarRefused,
    CountingRules,
    Period,
    PeriodUnit,
    counting_rules,
    deadline,
    extend,
    extend_to,
    resume,
    start_clock,
    suspend,
    time_left,
)
from cityloop.core.workflow.table import ClockStates
from cityloop.worktime import facts
from cityloop.worktime.days import add_months
from cityloop.worktime.errors import CalendarUnavailable

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
LAW = CountingRules()  # the defaults: start day not counted, a last day off moves, 24:00
STATES = ClockStates(running="on_time", warning="warning", overdue="overdue", stopped="stopped")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def end_of(year: int, month: int, day: int) -> datetime:
    """24:00 of a day: the first moment after it."""
    return at(year, month, day) + timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    facts.invalidate()
    yield
    facts.invalidate()


# --- working days (行政处罚法 第八十五条) ----------------------------------------------------
def test_five_working_days_skip_the_national_day_week_and_count_the_adjusted_saturday():
    # 听证 requested within 5 days of the notice (第六十四条): notice on Wed 2026-09-30.
    # Counting starts the next day; 10-01…10-07 are off; Thu 10-08, Fri 10-09, Sat 10-10
    # (调休上班), Mon 10-12, Tue 10-13.
    assert deadline(at(2026, 9, 30, 10), Period.working_days(5), rules=LAW) == end_of(2026, 10, 13)


def test_seven_working_days_count_the_adjusted_sunday_and_skip_mid_autumn():
    # 送达 within 7 days (第六十一条) from Fri 2026-09-18: Sun 09-20 is worked, Fri 09-25 中秋
    # is off → 09-20, 21, 22, 23, 24, 28, 29.
    assert deadline(at(2026, 9, 18, 16), Period.working_days(7), rules=LAW) == end_of(2026, 9, 29)


def test_a_working_day_period_started_on_a_holiday_counts_from_the_first_working_day():
    assert deadline(at(2026, 10, 3, 11), Period.working_days(2), rules=LAW) == end_of(2026, 10, 9)


# --- natural days and months ---------------------------------------------------------------
def test_ninety_days_ending_on_national_day_end_on_the_next_working_day():
    # 第六十条: the decision within 90 days of 立案. Filed 2026-07-03: the 90th day is Thu 10-01,
    # a statutory holiday, so the period ends with Thu 10-08.
    filed = at(2026, 7, 3, 15)
    assert deadline(filed, Period.natural_days(90), rules=LAW) == end_of(2026, 10, 8)
    keep = CountingRules(last_day_off_moves=False)
    assert deadline(filed, Period.natural_days(90), rules=keep) == end_of(2026, 10, 1)


def test_natural_days_ending_on_an_adjusted_working_saturday_do_not_move():
    # 15 days to pay (第六十七条) from Fri 2026-09-25: the 15th day is Sat 10-10, worked (调休).
    assert deadline(at(2026, 9, 25, 9), Period.natural_days(15), rules=LAW) == end_of(2026, 10, 10)


def test_natural_days_ending_on_a_weekend_end_on_monday():
    # 60 days for 行政复议 (行政复议法 第二十条) from 2026-09-10: the 60th day is Mon 11-09;
    # from 2026-09-08 it is Sat 11-07, which moves to Mon 11-09.
    assert deadline(at(2026, 9, 10, 9), Period.natural_days(60), rules=LAW) == end_of(2026, 11, 9)
    assert deadline(at(2026, 9, 8, 9), Period.natural_days(60), rules=LAW) == end_of(2026, 11, 9)


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2026, 3, 31), 6, date(2026, 9, 30)),  # no 31 September
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 31), 12, date(2027, 5, 31)),
    ],
)
def test_months_end_on_the_same_day_number_or_the_shorter_months_last_day(start, months, last):
    assert add_months(start, months) == last
    keep = CountingRules(last_day_off_moves=False)
    begun = datetime.combine(start, time(10), tzinfo=SH)
    assert deadline(begun, Period.months(months), rules=keep) == end_of(
        last.year, last.month, last.day
    )


def test_a_month_ending_on_the_adjusted_saturday_28_february_2026_stays_there():
    # 2026-02-28 is a Saturday worked for the Spring Festival (调休上班).
    assert deadline(at(2026, 1, 31, 10), Period.months(1), rules=LAW) == end_of(2026, 2, 28)


def test_six_months_ending_on_national_day_move_to_the_next_working_day():
    # 行政诉讼法 第四十六条: six months from 2026-04-01 end on Thu 10-01 → Thu 10-08.
    assert deadline(at(2026, 4, 1, 10), Period.months(6), rules=LAW) == end_of(2026, 10, 8)


def test_the_bureau_may_count_the_start_day_and_end_the_day_at_closing_time():
    counted = CountingRules(start_day_counted=True, day_ends=time(18))
    # Mon 2026-11-23 counted: 23…27 are the five working days, the last ends at 18:00.
    assert deadline(at(2026, 11, 23, 15), Period.working_days(5), rules=counted) == at(
        2026, 11, 27, 18
    )
    assert deadline(at(2026, 11, 23, 15), Period.natural_days(1), rules=counted) == at(
        2026, 11, 23, 18
    )


def test_the_rules_come_from_the_settings():
    assert counting_rules() == LAW
    with override_settings(
        CITYLOOP_CLOCK_START_DAY_COUNTED=True,
        CITYLOOP_CLOCK_LAST_DAY_OFF_MOVES=False,
        CITYLOOP_CLOCK_DAY_ENDS="17:30",
    ):
        assert counting_rules() == CountingRules(True, False, time(17, 30))
        assert deadline(at(2026, 9, 30, 10), Period.natural_days(1)) == at(2026, 9, 30, 17, 30)


def test_working_time_counts_as_worktime_does():
    # Tuesday 2025-09-30 15:00 + 16 working hours, over the 2025 National Day (docs/working-time.md)
    assert deadline(at(2025, 9, 30, 15), Period.working(16 * HOUR)) == at(2025, 10, 10, 16)
    assert deadline(at(2025, 9, 30, 15), Period.continuous(16 * HOUR)) == at(2025, 10, 1, 7)
    assert deadline(at(2026, 9, 30, 10), Period.working_days(0)) == at(2026, 9, 30, 10)


# --- suspend, resume, extend ---------------------------------------------------------------
def test_working_time_suspended_keeps_its_working_minutes_and_resumes_from_the_resume_moment():
    # Mon 2026-11-23 09:00 + 16 h: 7 h Monday, 7.5 h Tuesday, 1.5 h Wednesday → Wed 10:00
    clock = start_clock(at(2026, 11, 23, 9), Period.working(16 * HOUR), warn_share=0.5)
    assert (clock.deadline, clock.warn_at) == (at(2026, 11, 25, 10), at(2026, 11, 24, 9, 30))
    # stopped on Tuesday 10:00 after 8.5 h: 7.5 h left to the deadline, none to the warning
    stopped = suspend(clock, at(2026, 11, 24, 10))
    assert stopped.suspended_left == Period.working(7.5 * HOUR)
    assert stopped.warn_left == Period.working(timedelta(0))
    assert stopped.state(at(2026, 11, 26), STATES) == "stopped"
    # resumed the next Monday 09:00: 3 h + 4 h that day, 0.5 h on Tuesday
    running = resume(stopped, at(2026, 11, 30, 9))
    assert running.deadline == at(2026, 12, 1, 9)
    assert running.suspended_left is None
    assert running.state(at(2026, 11, 30, 9), STATES) == "warning"


def test_working_days_suspended_keep_the_working_days_left():
    # 7 working days from Mon 2026-09-21: 22, 23, 24, 28, 29, 30, 10-08
    clock = start_clock(at(2026, 9, 21, 10), Period.working_days(7), rules=LAW)
    assert clock.deadline == end_of(2026, 10, 8)
    stopped = suspend(clock, at(2026, 9, 24, 15), rules=LAW)  # 28, 29, 30, 10-08 are left
    assert stopped.suspended_left == Period.working_days(4)
    running = resume(stopped, at(2026, 10, 12, 9), rules=LAW)  # 13, 14, 15, 16
    assert running.deadline == end_of(2026, 10, 16)


def test_natural_days_suspended_keep_the_days_left_to_the_unmoved_last_day():
    # 90 days from 2026-07-03: day 90 is 10-01 (moved to 10-08). Stopped on 08-01, 61 days are
    # left to 10-01; resumed on 09-01 they run 09-02 … 11-01 (a Sunday) → Mon 11-02.
    clock = start_clock(at(2026, 7, 3, 10), Period.natural_days(90), rules=LAW, warn_share=0.8)
    stopped = suspend(clock, at(2026, 8, 1, 10), rules=LAW)
    assert stopped.suspended_left == Period.natural_days(61)
    running = resume(stopped, at(2026, 9, 1, 10), rules=LAW)
    assert running.deadline == end_of(2026, 11, 2)
    assert running.warn_at == at(2026, 9, 1, 10) + (end_of(2026, 11, 2) - at(2026, 9, 1, 10)) * 0.8


def test_months_suspended_are_left_as_natural_days():
    # six months from 2026-04-01: the last day 10-01 (→ 10-08). Stopped on 05-10: 144 days to
    # 10-01. Resumed on 06-10: 06-11 + 143 days = 11-01, a Sunday → 11-02.
    clock = start_clock(at(2026, 4, 1, 10), Period.months(6), rules=LAW)
    stopped = suspend(clock, at(2026, 5, 10, 10), rules=LAW)
    assert stopped.suspended_left == Period.natural_days(144)
    assert resume(stopped, at(2026, 6, 10, 10), rules=LAW).deadline == end_of(2026, 11, 2)


def test_extending_by_a_period_counts_on_and_to_a_moment_sets_it():
    clock = start_clock(at(2026, 9, 30, 10), Period.working_days(5), rules=LAW, warn_share=0.5)
    longer = extend(clock, Period.working_days(2), at(2026, 10, 9, 9), rules=LAW)
    assert longer.deadline == end_of(2026, 10, 15)  # 10-14 and 10-15 after 10-13
    assert longer.deadline == deadline(clock.start, Period.working_days(7), rules=LAW)
    moved = extend_to(longer, at(2026, 10, 20, 18), at(2026, 10, 9, 9), rules=LAW)
    assert (moved.deadline, moved.provisional_year) == (at(2026, 10, 20, 18), None)
    assert moved.warn_at == at(2026, 10, 9, 9) + (at(2026, 10, 20, 18) - at(2026, 10, 9, 9)) / 2
    # while suspended an extension adds to what is left
    stopped = suspend(clock, at(2026, 10, 8, 9), rules=LAW)  # 10-09, 10-10, 10-12, 10-13
    assert extend(stopped, Period.working_days(3), at(2026, 10, 8, 9)).suspended_left == (
        Period.working_days(7)
    )
    with pytest.raises(ValueError, match="cannot extend"):
        extend(clock, Period.natural_days(3), at(2026, 10, 8, 9), rules=LAW)


def test_time_left_is_nothing_once_the_deadline_has_passed():
    end = end_of(2026, 10, 13)
    assert time_left(at(2026, 10, 14, 9), end, PeriodUnit.WORKING_DAYS) == Period.working_days(0)
    assert time_left(at(2026, 10, 14, 9), end, PeriodUnit.WORKING_TIME) == Period.working(
        timedelta(0)
    )


# --- years without the notice, and years without any calendar ---------------------------
def test_a_count_into_2027_is_provisional():
    # Wed 2026-12-30 + 5 working days: 12-31, then 元旦 Fri 2027-01-01 (the law's), 01-04…01-07
    clock = start_clock(at(2026, 12, 30, 10), Period.working_days(5), rules=LAW)
    assert (clock.deadline, clock.provisional_year) == (end_of(2027, 1, 7), 2027)
    # 15 days from 2027-09-16 end on 国庆 10-01; 10-01…10-03 and the 补假 10-04, 10-05 are off
    paid = start_clock(at(2027, 9, 16, 10), Period.natural_days(15), rules=LAW)
    assert (paid.deadline, paid.provisional_year) == (end_of(2027, 10, 6), 2027)
    # a count inside 2026 is final
    assert start_clock(at(2026, 9, 30, 10), Period.working_days(5)).provisional_year is None


def test_a_count_into_a_year_without_any_calendar_is_refused():
    with pytest.raises(CalendarRefused) as refused:
        deadline(at(2100, 12, 20, 10), Period.working_days(30), rules=LAW)
    assert refused.value.year == 2101
    assert refused.value.status == 422
    assert isinstance(refused.value, CalendarUnavailable)
    assert "2101" in str(refused.value.message)
    with pytest.raises(CalendarRefused):
        start_clock(at(2100, 12, 20, 10), Period.working(400 * HOUR))
    # natural days need no calendar unless a last day off moves
    keep = CountingRules(last_day_off_moves=False)
    assert deadline(at(2100, 12, 20, 10), Period.natural_days(30), rules=keep) == end_of(
        2101, 1, 19
    )
    with pytest.raises(CalendarRefused):
        deadline(at(2100, 12, 20, 10), Period.natural_days(30), rules=LAW)


def test_the_refusal_is_a_bilingual_422_on_the_deadline_field():
    with pytest.raises(CalendarRefused) as refused:
        clocks.deadline(at(2101, 3, 1, 10), Period.working_days(1))
    item = refused.value.as_item()
    assert item["code"] == "calendar_unavailable"
    assert item["field"] == "deadline"
    assert "2101" in item["zh"] and "2101" in item["en"]
    assert item["zh"] != item["en"]
