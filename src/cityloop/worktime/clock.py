"""Working-time arithmetic: a deadline from a start and a time limit, and time spent so far.

Working time counts only inside a unit's office periods on working days (``workdays.py``);
continuous time is the wall clock. Moments must be aware; they are computed and returned in
Asia/Shanghai. Counting from outside office hours starts at the next office period; a limit
that runs out exactly at a period's end is due at that end, not the next morning. So
``working_time_between(a, add_working_time(a, d)) == d`` for every ``d >= 0``.
Whole office days are skipped in one step, so a limit of weeks costs one step per day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.errors import NAIVE, NEGATIVE, WorkingTimeInputError
from cityloop.worktime.facts import Facts, current_facts
from cityloop.worktime.officehours import Span

# The district's time zone, defined once: settings.TIME_ZONE (Asia/Shanghai, UTC+8 all year).
SHANGHAI = ZoneInfo(settings.TIME_ZONE)
ONE_DAY = timedelta(days=1)
WHOLE_DAY = 86_400_000_000  # microseconds


def add_working_time(
    start: datetime,
    duration: timedelta,
    unit: Unit | None = None,
    *,
    clock: ClockKind = ClockKind.WORKING,
) -> datetime:
    """The moment a time limit of ``duration`` started at ``start`` runs out (the deadline).

    Carries the time-limit rule of the 办理时限: working time counts in the office hours of
    ``unit`` (inherited from its ancestors) on working days; continuous time counts 24×7.
    Raises ``CalendarUnavailable`` when the count reaches a year without a calendar.
    """
    local = aware(start, "start")
    if duration < timedelta(0):
        raise WorkingTimeInputError("duration", "negative", NEGATIVE)
    if ClockKind(clock) == ClockKind.CONTINUOUS:
        return (local.astimezone(UTC) + duration).astimezone(SHANGHAI)
    if not duration:
        return local
    facts = current_facts()
    office = facts.spans(unit)
    day, offset = _walk(facts, office, local.date(), _since_midnight(local), _micro(duration))
    return _moment(day, offset)


def working_time_between(
    a: datetime,
    b: datetime,
    unit: Unit | None = None,
    *,
    clock: ClockKind = ClockKind.WORKING,
) -> timedelta:
    """How much working (or continuous) time lies from ``a`` to ``b``; negative if ``b < a``.

    The measure of time used and time left on a limit (已用时限, 剩余时限), the inverse of
    :func:`add_working_time`.
    """
    first, last = aware(a, "a"), aware(b, "b")
    if ClockKind(clock) == ClockKind.CONTINUOUS:
        return last - first
    if last < first:
        return -working_time_between(b, a, unit, clock=clock)
    facts = current_facts()
    office = facts.spans(unit)
    day, end_day = first.date(), last.date()
    low, total = _since_midnight(first), 0
    while day <= end_day:
        high = _since_midnight(last) if day == end_day else WHOLE_DAY
        share = _overlap(office, low, high)
        if share and facts.is_workday(day):  # a day with no share may lie in an unknown year
            total += share
        day, low = day + ONE_DAY, 0
    return timedelta(microseconds=total)


def aware(moment: datetime, field: str) -> datetime:
    """``moment`` in Asia/Shanghai; a naive datetime is refused, never assumed local."""
    if not isinstance(moment, datetime):
        raise WorkingTimeInputError(field, "type", NAIVE)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise WorkingTimeInputError(field, "naive", NAIVE)
    return moment.astimezone(SHANGHAI)


def _walk(
    facts: Facts, office: tuple[Span, ...], day: date, position: int, remaining: int
) -> tuple[date, int]:
    """From ``position`` on ``day``, the (day, offset) where ``remaining`` > 0 runs out."""
    day_total = sum(end - start for start, end in office)
    while True:
        if facts.is_workday(day):
            if position == 0 and remaining > day_total:
                remaining -= day_total  # a whole office day, skipped in one step
            else:
                for start, end in office:
                    begin = max(start, position)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return day, begin + remaining
                    remaining -= end - begin
        day, position = day + ONE_DAY, 0


def _overlap(office: tuple[Span, ...], low: int, high: int) -> int:
    """Microseconds of office time between two offsets of the same day."""
    return sum(max(0, min(end, high) - max(start, low)) for start, end in office)


def _since_midnight(moment: datetime) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + (
        moment.microsecond
    )


def _micro(duration: timedelta) -> int:
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def _moment(day: date, offset: int) -> datetime:
    midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    return midnight + timedelta(microseconds=offset)
