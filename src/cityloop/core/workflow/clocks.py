"""Statutory clocks: a period counted from a start, suspended, resumed and extended.

A module stores its clock's fields (start, deadline, warning moment, what was left when it was
suspended) and calls these pure functions; the sweep (``core.workflow.sweep``) turns the
clocks that passed their warning or deadline. docs/clocks.md explains it with examples.

The kinds of period (``PeriodUnit``):

- **working time**: office hours of working days, the 办理时限 of a case (``worktime.clock``);
- **continuous time**: the wall clock, 24×7 (urgent cases, 紧急工作时);
- **working days**: 《行政处罚法》 第八十五条: 本法中“二日”“三日”“五日”“七日”的规定是指工作日，不含
  法定节假日 (e.g. 第六十四条 听证 requested within 5 days of the notice; 第六十一条 送达 within
  7 days; 第五十六条 先行登记保存 decided within 7 days; 第七十一条 cash handed in within 2 days);
- **natural days**: e.g. 第六十条 自立案之日起九十日内作出行政处罚决定, 第六十七条 fines paid within
  15 days, 《行政复议法》 第二十条 60 days, 《行政强制法》 第四十六条 30 days;
- **months**: 《行政诉讼法》 第四十六条 六个月, 《行政强制法》 第五十三条 三个月.

Counting rules (decision 0047; the reference, /work/shared/reference/admin-penalty-procedure.csv,
gives the time limits but not how a period of days is counted, so each rule it does not give
is a setting):

1. The day the period starts on is not counted; counting begins the next day
   (``CITYLOOP_CLOCK_START_DAY_COUNTED``, default off).
2. Working days are counted on the holiday calendar of working time (法定节假日, 调休, the
   administrators' overrides; a year without the State Council's notice is provisional, a
   year outside every calendar is refused: decision 0035).
3. A period of natural days or months whose last day is a day off ends on the next working day
   (``CITYLOOP_CLOCK_LAST_DAY_OFF_MOVES``, default on); a 调休 Saturday is a working day.
4. A period of months ends on the day of the last month with the start day's number, or on that
   month's last day when it is shorter (31 January + 1 month = 28/29 February).
5. The last day ends at 24:00 (``CITYLOOP_CLOCK_DAY_ENDS``, or a closing time such as 18:00).

Suspending stores what is left in the period's own unit (working or continuous time, working
days, natural days; months are left as natural days); resuming counts the rest from the resume
moment by the same rules. A count that reaches a year with no calendar raises
``CalendarRefused`` (a 422 refusal that is also ``CalendarUnavailable``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput
from cityloop.core.workflow.table import ClockStates
from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import SHANGHAI, add_working_time, aware, working_time_between
from cityloop.worktime.days import add_months, next_working_day, nth_working_day, working_days_in
from cityloop.worktime.errors import NEGATIVE, CalendarUnavailable, WorkingTimeInputError
from cityloop.worktime.facts import current_facts

MICROSECOND = timedelta(microseconds=1)
ONE_DAY = timedelta(days=1)


class PeriodUnit(models.TextChoices):
    """What a period's amount counts. Stored values never change once shipped."""

    WORKING_TIME = "working_time", _("Working time")
    CONTINUOUS_TIME = "continuous_time", _("Continuous time")
    WORKING_DAYS = "working_days", _("Working days")
    NATURAL_DAYS = "natural_days", _("Natural days")
    MONTHS = "months", _("Months")


TIME_UNITS = frozenset({PeriodUnit.WORKING_TIME, PeriodUnit.CONTINUOUS_TIME})
CLOCK_KIND = {
    PeriodUnit.WORKING_TIME: ClockKind.WORKING,
    PeriodUnit.CONTINUOUS_TIME: ClockKind.CONTINUOUS,
}


def time_unit(clock: str) -> PeriodUnit:
    """The period unit of worktime's clock (``ClockKind``: working or continuous time)."""
    if ClockKind(clock) == ClockKind.CONTINUOUS:
        return PeriodUnit.CONTINUOUS_TIME
    return PeriodUnit.WORKING_TIME


@dataclass(frozen=True)
class Period:
    """An amount in a unit: microseconds for the two time units, else days or months."""

    amount: int
    unit: PeriodUnit

    @classmethod
    def working(cls, duration: timedelta) -> Period:
        return cls(duration // MICROSECOND, PeriodUnit.WORKING_TIME)

    @classmethod
    def continuous(cls, duration: timedelta) -> Period:
        return cls(duration // MICROSECOND, PeriodUnit.CONTINUOUS_TIME)

    @classmethod
    def of_time(cls, duration: timedelta, clock: str) -> Period:
        """A time limit on worktime's clock (``ClockKind``: working or continuous)."""
        return cls(duration // MICROSECOND, time_unit(clock))

    @classmethod
    def working_days(cls, count: int) -> Period:
        return cls(count, PeriodUnit.WORKING_DAYS)

    @classmethod
    def natural_days(cls, count: int) -> Period:
        return cls(count, PeriodUnit.NATURAL_DAYS)

    @classmethod
    def months(cls, count: int) -> Period:
        return cls(count, PeriodUnit.MONTHS)

    @property
    def is_time(self) -> bool:
        return self.unit in TIME_UNITS

    @property
    def duration(self) -> timedelta:
        """The time of a working- or continuous-time period."""
        if not self.is_time:
            raise ValueError(f"a period of {self.unit} has no duration")
        return self.amount * MICROSECOND

    def plus(self, other: Period) -> Period:
        if other.unit != self.unit:
            raise ValueError(f"cannot add {other.unit} to {self.unit}")
        return Period(self.amount + other.amount, self.unit)


@dataclass(frozen=True)
class CountingRules:
    """How days are counted where the law leaves it to the bureau (decision 0047)."""

    start_day_counted: bool = False
    last_day_off_moves: bool = True
    day_ends: time | None = None  # None: 24:00, the start of the next day


def counting_rules() -> CountingRules:
    """The rules in force: the ``CITYLOOP_CLOCK_*`` settings."""
    ends = str(getattr(settings, "CITYLOOP_CLOCK_DAY_ENDS", "24:00")).strip()
    return CountingRules(
        start_day_counted=bool(getattr(settings, "CITYLOOP_CLOCK_START_DAY_COUNTED", False)),
        last_day_off_moves=bool(getattr(settings, "CITYLOOP_CLOCK_LAST_DAY_OFF_MOVES", True)),
        day_ends=None if ends in ("24:00", "") else time.fromisoformat(ends),
    )


class CalendarRefused(BadInput, CalendarUnavailable):
    """A clock would run into a year with no holiday calendar at all (422, nothing changed)."""

    code = "calendar_unavailable"
    template = _(
        "The deadline would run into %(year)s, which has no holiday calendar: an administrator "
        "must enter that year's holidays as calendar overrides and declare the year complete "
        "(administration → complete calendar years)."
    )

    def __init__(self, missing: CalendarUnavailable) -> None:
        BadInput.__init__(
            self, lazy_format(self.template, {"year": missing.year}), field="deadline"
        )
        self.year = missing.year


P = ParamSpec("P")
R = TypeVar("R")


def _refusing_unknown_years(count: Callable[P, R]) -> Callable[P, R]:
    """A count that reaches a year with no calendar is refused, naming the year."""

    @functools.wraps(count)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return count(*args, **kwargs)
        except CalendarRefused:
            raise
        except CalendarUnavailable as missing:
            raise CalendarRefused(missing) from missing

    return counted


# --- counting ----------------------------------------------------------------------------
@_refusing_unknown_years
def deadline(
    start: datetime, period: Period, unit: Unit | None = None, *, rules: CountingRules | None = None
) -> datetime:
    """The moment ``period`` counted from ``start`` runs out (in Asia/Shanghai).

    Time units count from the moment (``worktime.clock.add_working_time``, in ``unit``'s office
    hours); day units from the day, by the counting rules. A period of nothing ends at once.
    """
    if period.is_time:
        return add_working_time(start, period.duration, unit, clock=CLOCK_KIND[period.unit])
    local = aware(start, "start")
    if period.amount < 0:
        raise WorkingTimeInputError("period", "negative", NEGATIVE)
    if period.amount == 0:
        return local
    rules = rules or counting_rules()
    first = local.date() if rules.start_day_counted else local.date() + ONE_DAY
    return _day_end(_last_day(first, period, rules), rules)


def last_day(moment: datetime, rules: CountingRules | None = None) -> date:
    """The last day a deadline (or any moment) belongs to: 24:00 closes the day before."""
    rules = rules or counting_rules()
    local = aware(moment, "moment")
    return (local - MICROSECOND).date() if rules.day_ends is None else local.date()


@_refusing_unknown_years
def time_left(
    at: datetime,
    until: datetime,
    unit_kind: PeriodUnit,
    unit: Unit | None = None,
    *,
    rules: CountingRules | None = None,
) -> Period:
    """What is left at ``at`` of a period of ``unit_kind`` that runs out at ``until``.

    Time: the working (or continuous) time between them. Working days: those after ``at``'s
    day up to the last day. Natural days (and months, left as natural days): the days after
    ``at``'s day up to the last day. Nothing once ``until`` has passed.
    """
    if unit_kind in TIME_UNITS:
        clock = CLOCK_KIND[unit_kind]
        left = working_time_between(at, until, unit, clock=clock) if until > at else timedelta(0)
        return Period.of_time(left, clock)
    return _days_left(at, last_day(until, rules), unit_kind)


@_refusing_unknown_years
def _days_left(at: datetime, end: date, unit_kind: PeriodUnit) -> Period:
    """The days of ``unit_kind`` after ``at``'s day up to ``end``, its last day."""
    day = aware(at, "at").date()
    if unit_kind == PeriodUnit.WORKING_DAYS:
        return Period.working_days(working_days_in(day + ONE_DAY, end) if end > day else 0)
    return Period.natural_days(max(0, (end - day).days))


@_refusing_unknown_years
def provisional_year(
    start: datetime, period: Period, end: datetime, rules: CountingRules | None = None
) -> int | None:
    """The first year without its official holiday arrangement that the count from ``start``
    to ``end`` (its deadline) consulted, if any (decision 0035).

    Working time and working days consult the calendar over the whole count; natural days and
    months only from their last day to the working day it moves to; continuous time never.
    """
    if period.unit == PeriodUnit.CONTINUOUS_TIME:
        return None
    rules = rules or counting_rules()
    first, last = aware(start, "start").date(), aware(end, "end").date()
    if period.unit in (PeriodUnit.NATURAL_DAYS, PeriodUnit.MONTHS):
        if not rules.last_day_off_moves or period.amount <= 0:
            return None
        counted = first if rules.start_day_counted else first + ONE_DAY
        first, last = _unmoved_last_day(counted, period), last_day(end, rules)
    elif period.unit == PeriodUnit.WORKING_DAYS:
        last = last_day(end, rules)
    return current_facts().first_provisional_year(first, last)


def _due_day(reading: ClockReading, rules: CountingRules) -> date:
    """The last day of a clock of days before a last day off moved it: what is left of natural
    days or months is counted to the day the period itself ends."""
    period = reading.period
    if period is None or period.unit not in (PeriodUnit.NATURAL_DAYS, PeriodUnit.MONTHS):
        return last_day(reading.deadline, rules)
    first = aware(reading.start, "start").date()
    return _unmoved_last_day(first if rules.start_day_counted else first + ONE_DAY, period)


def _last_day(first: date, period: Period, rules: CountingRules) -> date:
    """The last day of ``period`` whose first counted day is ``first``."""
    if period.unit == PeriodUnit.WORKING_DAYS:
        return nth_working_day(first, period.amount)
    end = _unmoved_last_day(first, period)
    return next_working_day(end) if rules.last_day_off_moves else end


def _unmoved_last_day(first: date, period: Period) -> date:
    if period.unit == PeriodUnit.MONTHS:
        # The day before the first counted one is the start day: its number in the last month.
        return add_months(first - ONE_DAY, period.amount)
    return first + (period.amount - 1) * ONE_DAY


def _day_end(day: date, rules: CountingRules) -> datetime:
    if rules.day_ends is None:
        following = day + ONE_DAY
        return datetime(following.year, following.month, following.day, tzinfo=SHANGHAI)
    return datetime.combine(day, rules.day_ends, tzinfo=SHANGHAI)


# --- the clock as a value ------------------------------------------------------------------
def state_at(
    *,
    deadline: datetime | None,
    warn_at: datetime | None,
    suspended: bool,
    now: datetime,
    states: ClockStates,
) -> str:
    """The clock state at ``now``: stopped without a deadline or while suspended, overdue from
    the deadline on, warning from the warning moment on, else running."""
    if deadline is None or suspended:
        return states.stopped
    if now >= deadline:
        return states.overdue
    if warn_at is not None and now >= warn_at:
        return states.warning
    return states.running


@dataclass(frozen=True)
class ClockReading:
    """One clock: what it counted from where, its deadline and warning, and its suspension.

    ``period`` is what the running count gave from ``start`` (None: the deadline is a moment
    someone chose). ``warn_share`` places the warning: for time units at that share of the
    period's own time (as counted), for day units at that share of the wall time to the deadline.
    """

    start: datetime
    period: Period | None
    unit_kind: PeriodUnit
    deadline: datetime
    warn_at: datetime | None
    warn_share: float | None = None
    provisional_year: int | None = None
    suspended_at: datetime | None = None
    suspended_left: Period | None = None  # to the deadline, in the period's own unit
    warn_left: Period | None = None  # to the warning (time units)

    def state(self, now: datetime, states: ClockStates) -> str:
        return state_at(
            deadline=self.deadline,
            warn_at=self.warn_at,
            suspended=self.suspended_at is not None,
            now=now,
            states=states,
        )


def start_clock(
    start: datetime,
    period: Period,
    unit: Unit | None = None,
    *,
    warn_share: float | None = None,
    rules: CountingRules | None = None,
) -> ClockReading:
    """A clock started at ``start`` for ``period``, warning at ``warn_share`` of it."""
    rules = rules or counting_rules()
    end = deadline(start, period, unit, rules=rules)
    return ClockReading(
        start=aware(start, "start"),
        period=period,
        unit_kind=period.unit,
        deadline=end,
        warn_at=_warning(start, period, end, warn_share, unit, rules),
        warn_share=warn_share,
        provisional_year=provisional_year(start, period, end, rules),
    )


def suspend(
    reading: ClockReading,
    at: datetime,
    unit: Unit | None = None,
    *,
    rules: CountingRules | None = None,
) -> ClockReading:
    """The clock stopped at ``at``, keeping what is left in the period's own unit."""
    if reading.suspended_at is not None:
        return reading
    rules = rules or counting_rules()
    if reading.unit_kind in TIME_UNITS:
        left = time_left(at, reading.deadline, reading.unit_kind, unit, rules=rules)
    else:
        left = _days_left(at, _due_day(reading, rules), reading.unit_kind)
    warn_left = None
    if reading.warn_at is not None and left.is_time:
        warn_left = time_left(at, reading.warn_at, reading.unit_kind, unit, rules=rules)
    return replace(reading, suspended_at=aware(at, "at"), suspended_left=left, warn_left=warn_left)


def resume(
    reading: ClockReading,
    at: datetime,
    unit: Unit | None = None,
    *,
    rules: CountingRules | None = None,
) -> ClockReading:
    """The clock running again from ``at`` for what was left when it stopped."""
    left = reading.suspended_left
    if reading.suspended_at is None or left is None:
        return reading
    rules = rules or counting_rules()
    end = deadline(at, left, unit, rules=rules)
    if reading.warn_left is not None:
        warn_at: datetime | None = deadline(at, reading.warn_left, unit, rules=rules)
    else:
        warn_at = _warning(at, left, end, reading.warn_share, unit, rules)
    return replace(
        reading,
        start=aware(at, "at"),
        period=left,
        deadline=end,
        warn_at=warn_at,
        provisional_year=provisional_year(at, left, end, rules),
        suspended_at=None,
        suspended_left=None,
        warn_left=None,
    )


def extend(
    reading: ClockReading,
    by: Period,
    at: datetime,
    unit: Unit | None = None,
    *,
    rules: CountingRules | None = None,
) -> ClockReading:
    """An extension by ``by`` (延长), in the clock's own unit: the period grows by ``by`` and is
    counted again from its start (the same as counting ``by`` on from the old last day, for
    days); while suspended it adds to what is left (``by`` then in the unit that is left). The
    warning follows at the clock's share of what is left from ``at``."""
    rules = rules or counting_rules()
    if reading.suspended_left is not None:
        return replace(reading, suspended_left=reading.suspended_left.plus(by))
    if by.amount == 0:
        return reading
    if by.unit != reading.unit_kind:
        raise ValueError(f"cannot extend a clock of {reading.unit_kind} by {by.unit}")
    if reading.period is not None:
        start, period = reading.start, reading.period.plus(by)
        end = deadline(start, period, unit, rules=rules)
    elif by.is_time:  # a deadline someone chose: counted on from it
        start, period = reading.deadline, by
        end = deadline(start, by, unit, rules=rules)
    else:
        start, period = reading.deadline, by
        end = _day_end(_last_day(last_day(reading.deadline, rules) + ONE_DAY, by, rules), rules)
    left = time_left(at, end, reading.unit_kind, unit, rules=rules)
    return replace(
        reading,
        period=None if reading.period is None else period,
        deadline=end,
        warn_at=_warning(at, left, end, reading.warn_share, unit, rules),
        provisional_year=provisional_year(start, period, end, rules),
    )


def extend_to(
    reading: ClockReading,
    moment: datetime,
    at: datetime,
    unit: Unit | None = None,
    *,
    rules: CountingRules | None = None,
) -> ClockReading:
    """An extension to a moment someone chose: the deadline is ``moment``, never counted again;
    the warning follows at the same share of what is left from ``at``."""
    rules = rules or counting_rules()
    end = aware(moment, "moment")
    left = time_left(at, end, reading.unit_kind, unit, rules=rules)
    return replace(
        reading,
        period=None,
        deadline=end,
        warn_at=_warning(at, left, end, reading.warn_share, unit, rules),
        provisional_year=None,
    )


def _warning(
    start: datetime,
    period: Period,
    end: datetime,
    share: float | None,
    unit: Unit | None,
    rules: CountingRules,
) -> datetime | None:
    if share is None:
        return None
    if period.is_time:
        return deadline(start, Period(period.duration * share // MICROSECOND, period.unit), unit)
    begin = aware(start, "start")
    return begin + (end - begin) * share
