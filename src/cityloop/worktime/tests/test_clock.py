"""Working-time arithmetic with the default office hours, 08:30–12:00 and 14:00–18:00.

A default office day holds 3.5 + 4 = 7.5 working hours.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from cityloop.core.i18n import both
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import add_working_time, working_time_between
from cityloop.worktime.errors import WorkingTimeInputError
from cityloop.worktime.facts import uncached
from cityloop.worktime.tests.conftest import SHANGHAI, at

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def test_national_day_2025_pushes_a_16_hour_limit_past_the_golden_week():
    # given Tuesday 2025-09-30 15:00, the eve of National Day (10-01..10-08 off)
    start = at(2025, 9, 30, 15)
    # when a limit of 16 working hours ("2天" at 8 h a day) starts
    deadline = add_working_time(start, 16 * HOUR)
    # then 09-30 15:00–18:00 uses 3 h (13 h left); 10-01..10-08 count nothing;
    # Thu 10-09 holds 7.5 h (5.5 h left); Fri 10-10 08:30–12:00 uses 3.5 h (2 h left);
    # 14:00 + 2 h = 16:00 on Friday 10-10
    assert deadline == at(2025, 10, 10, 16)


def test_national_day_2025_an_8_hour_limit_ends_on_the_first_day_back():
    # given the same start, a limit of 8 working hours
    deadline = add_working_time(at(2025, 9, 30, 15), 8 * HOUR)
    # then 3 h on 09-30 (5 h left); 10-09 08:30–12:00 uses 3.5 h (1.5 h left); 14:00 + 1.5 h
    assert deadline == at(2025, 10, 9, 15, 30)


def test_adjusted_working_sunday_before_national_day_counts():
    # given Saturday 2025-09-27 (a day off) 10:00, and Sunday 09-28 is a 调休 working day
    # when a limit of 4 working hours starts
    deadline = add_working_time(at(2025, 9, 27, 10), 4 * HOUR)
    # then counting starts Sunday 08:30: 3.5 h to 12:00, then 0.5 h from 14:00
    assert deadline == at(2025, 9, 28, 14, 30)


def test_adjusted_working_saturday_after_national_day_counts():
    # given Friday 2025-10-10 17:00; Saturday 10-11 is a 调休 working day
    deadline = add_working_time(at(2025, 10, 10, 17), 2 * HOUR)
    # then 1 h on Friday, 1 h from Saturday 08:30
    assert deadline == at(2025, 10, 11, 9, 30)


def test_a_limit_of_120_working_hours_skips_the_holiday_and_weekends():
    # given 2025-09-30 15:00 and 120 working hours ("15天" at 8 h a day)
    deadline = add_working_time(at(2025, 9, 30, 15), 120 * HOUR)
    # then 09-30: 3 h (117 left); 10-09, 10-10, 10-11 (调休 Saturday): 22.5 h (94.5 left);
    # 10-13..10-17: 37.5 h (57 left); 10-20..10-24: 37.5 h (19.5 left);
    # 10-27, 10-28: 15 h (4.5 left); Wed 10-29 08:30–12:00: 3.5 h (1 left); 14:00 + 1 h
    assert deadline == at(2025, 10, 29, 15)


def test_spring_festival_2026():
    # given Friday 2026-02-13 10:00; Sat 02-14 is a 调休 working day; 02-15..02-23 are off
    deadline = add_working_time(at(2026, 2, 13, 10), 16 * HOUR)
    # then 02-13: 10:00–12:00 and 14:00–18:00 = 6 h (10 left); 02-14: 7.5 h (2.5 left);
    # Tue 02-24 08:30 + 2.5 h = 11:00
    assert deadline == at(2026, 2, 24, 11)


def test_the_lunch_break_does_not_count():
    # given Tuesday 2025-03-04 11:00
    deadline = add_working_time(at(2025, 3, 4, 11), 2 * HOUR)
    # then 11:00–12:00 is 1 h, the second hour runs 14:00–15:00
    assert deadline == at(2025, 3, 4, 15)


def test_a_start_during_the_lunch_break_counts_from_14_00():
    deadline = add_working_time(at(2025, 3, 4, 12, 30), HOUR)
    assert deadline == at(2025, 3, 4, 15)


def test_a_start_at_night_counts_from_the_next_morning():
    # given Tuesday 2025-03-04 20:00, after office hours
    deadline = add_working_time(at(2025, 3, 4, 20), HOUR)
    # then Wednesday 08:30 + 1 h
    assert deadline == at(2025, 3, 5, 9, 30)


def test_a_start_before_dawn_counts_from_the_same_morning():
    deadline = add_working_time(at(2025, 3, 4, 3), HOUR)
    assert deadline == at(2025, 3, 4, 9, 30)


def test_a_start_on_a_weekend_counts_from_monday():
    # given Saturday 2025-03-08 10:00
    deadline = add_working_time(at(2025, 3, 8, 10), timedelta(minutes=30))
    # then Monday 03-10 08:30 + 30 min
    assert deadline == at(2025, 3, 10, 9)


def test_a_limit_running_out_at_the_end_of_the_afternoon_stays_there():
    # given Tuesday 2025-03-04 14:00 and exactly the afternoon's 4 h
    deadline = add_working_time(at(2025, 3, 4, 14), 4 * HOUR)
    # then due at 18:00 that day, not 08:30 the next morning
    assert deadline == at(2025, 3, 4, 18)


def test_a_limit_running_out_at_noon_stays_at_noon():
    deadline = add_working_time(at(2025, 3, 4, 8, 30), timedelta(hours=3, minutes=30))
    assert deadline == at(2025, 3, 4, 12)


def test_a_whole_office_day_from_the_morning_ends_that_evening():
    deadline = add_working_time(at(2025, 3, 4, 8, 30), timedelta(hours=7, minutes=30))
    assert deadline == at(2025, 3, 4, 18)


def test_a_start_at_the_end_of_the_day_counts_from_the_next_morning():
    deadline = add_working_time(at(2025, 3, 4, 18), HOUR)
    assert deadline == at(2025, 3, 5, 9, 30)


def test_a_zero_limit_is_due_at_once():
    assert add_working_time(at(2025, 3, 8, 10), timedelta(0)) == at(2025, 3, 8, 10)


def test_the_deadline_is_in_shanghai_time_whatever_the_start_zone():
    # given 2025-03-04 01:00 UTC, which is 09:00 in Shanghai
    start = datetime(2025, 3, 4, 1, tzinfo=UTC)
    deadline = add_working_time(start, HOUR)
    assert deadline == at(2025, 3, 4, 10)
    assert deadline.tzinfo == SHANGHAI


def test_a_naive_start_is_refused():
    with pytest.raises(WorkingTimeInputError) as refused:
        add_working_time(datetime(2025, 3, 4, 9), HOUR)  # noqa: DTZ001
    assert refused.value.field == "start"
    assert refused.value.code == "naive"
    assert both(refused.value.message) == {
        "zh": "start 必须是带时区的日期时间（例如 2025-09-30T15:00:00+08:00）。",
        "en": "start must be a timezone-aware date and time (e.g. 2025-09-30T15:00:00+08:00).",
    }


def test_a_naive_end_of_a_span_is_refused():
    with pytest.raises(WorkingTimeInputError) as refused:
        working_time_between(at(2025, 3, 4, 9), datetime(2025, 3, 4, 10))  # noqa: DTZ001
    assert refused.value.field == "b"


def test_a_negative_limit_is_refused():
    with pytest.raises(WorkingTimeInputError) as refused:
        add_working_time(at(2025, 3, 4, 9), -HOUR)
    assert refused.value.field == "duration"
    assert refused.value.code == "negative"


def test_continuous_time_is_the_wall_clock_through_holidays():
    # given the eve of National Day and the 24×7 clock
    deadline = add_working_time(at(2025, 9, 30, 15), 16 * HOUR, clock=ClockKind.CONTINUOUS)
    # then 15:00 + 16 h = 07:00 next day, holiday or not
    assert deadline == at(2025, 10, 1, 7)


def test_continuous_time_needs_no_calendar():
    deadline = add_working_time(at(2027, 1, 1, 9), 48 * HOUR, clock=ClockKind.CONTINUOUS)
    assert deadline == at(2027, 1, 3, 9)


def test_continuous_time_between_is_the_plain_difference():
    span = working_time_between(at(2025, 9, 30, 15), at(2025, 10, 9, 9), clock=ClockKind.CONTINUOUS)
    assert span == timedelta(days=8, hours=18)


def test_working_time_between_across_national_day():
    # 09-30 15:00–18:00 (3 h), 10-01..10-08 nothing, 10-09 08:30–10:00 (1.5 h)
    span = working_time_between(at(2025, 9, 30, 15), at(2025, 10, 9, 10))
    assert span == timedelta(hours=4, minutes=30)


def test_working_time_between_is_negative_backwards():
    span = working_time_between(at(2025, 10, 9, 10), at(2025, 9, 30, 15))
    assert span == -timedelta(hours=4, minutes=30)


def test_working_time_between_inside_one_lunch_break_is_zero():
    assert working_time_between(at(2025, 3, 4, 12, 10), at(2025, 3, 4, 13, 50)) == timedelta(0)


def test_working_time_between_and_add_working_time_round_trip():
    # given 3,000 random starts in 2024–2026 and random limits of up to 25 office days
    rng = random.Random(20251001)  # seeded: a failure reproduces
    first = at(2024, 1, 1).timestamp()
    last = at(2026, 11, 1).timestamp()
    for _ in range(3_000):
        start = datetime.fromtimestamp(rng.uniform(first, last), tz=SHANGHAI)
        duration = timedelta(microseconds=rng.randrange(0, 190 * 3_600_000_000))
        # when the deadline is computed and the working time up to it measured
        deadline = add_working_time(start, duration)
        # then exactly the limit lies between them, and no earlier moment would do
        assert working_time_between(start, deadline) == duration, (start, duration)
        if duration:
            earlier = deadline - timedelta(microseconds=1)
            assert working_time_between(start, earlier) < duration, (start, duration)


def test_cached_and_uncached_computations_agree():
    # given 200 random starts and limits
    rng = random.Random(7)
    cases = [
        (at(2025, 1, 1) + timedelta(minutes=rng.randrange(0, 600_000)), rng.randrange(1, 9_000))
        for _ in range(200)
    ]
    # when computed with the per-process cache and straight from the database
    cached = [add_working_time(s, timedelta(minutes=m)) for s, m in cases]
    with uncached():
        direct = [add_working_time(s, timedelta(minutes=m)) for s, m in cases]
    # then the answers are the same
    assert cached == direct


def test_a_warm_computation_costs_one_query(django_assert_num_queries):
    # given a computation that has warmed the cache
    add_working_time(at(2025, 9, 30, 15), 120 * HOUR)
    # when the next one runs, then it reads only the calendar token
    with django_assert_num_queries(1):
        add_working_time(at(2025, 9, 1, 9), 120 * HOUR)
