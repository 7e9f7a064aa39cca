"""Each stage's clock, counted in working time (or continuous time for urgent cases).

- The handling limit comes from the filing condition chosen when the case was filed (its
  time limit as written, e.g. "2天", "4小时", "2紧急工作时", interpreted by the catalogue),
  possibly different per area class (A core, B general, C outskirts).
- The other stages (accept, confirm, file, dispatch, verify, close) take ``StageTimeLimit``.
- Urgent cases count every stage on the continuous clock.
- The warning comes when ``CITYLOOP_WARNING_SHARE`` (default 80 %) of the limit is used.
- Suspension stops the clock; resuming moves the deadline by the working time left.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from cityloop.events.choices import ClockState, Stage, Urgency
from cityloop.events.models import Case, StageTimeLimit
from cityloop.org.models import Unit
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import add_working_time, working_time_between

# The bureau's defaults (minutes of working time) for the stages the catalogue does not set.
DEFAULT_STAGE_MINUTES = {
    Stage.ACCEPT: 30,
    Stage.CONFIRM: 120,
    Stage.FILE: 30,
    Stage.DISPATCH: 30,
    Stage.VERIFY: 240,
    Stage.CLOSE: 60,
}


@dataclass(frozen=True)
class Limit:
    duration: timedelta
    clock: str


def warning_share() -> float:
    return float(getattr(settings, "CITYLOOP_WARNING_SHARE", 0.8))


def stage_limit(case: Case, stage: str) -> Limit | None:
    """The limit of a stage for this case, or None when the stage has no clock."""
    if stage == Stage.NONE:
        return None
    if stage == Stage.HANDLE:
        limit = _handle_limit(case)
    else:
        minutes, clock = _stage_limits().get(
            stage, (DEFAULT_STAGE_MINUTES[stage], ClockKind.WORKING)
        )
        limit = Limit(timedelta(minutes=minutes), clock)
    if case.urgency == Urgency.URGENT:
        return Limit(limit.duration, ClockKind.CONTINUOUS)
    return limit


# Stage limits are read at most every STAGE_LIMITS_TTL seconds per process: an edit in the
# admin counts everywhere within that time (a few rows, asked for by every intake).
STAGE_LIMITS_TTL = 30.0
_stage_cache: dict = {"at": -1e9, "rows": {}}


def _stage_limits() -> dict[str, tuple[int, str]]:
    now = time.monotonic()
    if now - _stage_cache["at"] > STAGE_LIMITS_TTL:
        rows = StageTimeLimit.objects.values_list("stage", "minutes", "clock")
        _stage_cache["rows"] = {stage: (minutes, clock) for stage, minutes, clock in rows}
        _stage_cache["at"] = now
    return _stage_cache["rows"]


def stage_limits_changed() -> None:
    """Forget the cached stage limits in this process (tests, and the admin after a save)."""
    _stage_cache["at"] = -1e9


def _handle_limit(case: Case) -> Limit:
    condition = case.filing_condition
    if condition is None:  # filed without a condition cannot happen; stay safe
        return Limit(timedelta(hours=16), ClockKind.WORKING)
    from cityloop.categories.selectors import condition_limit

    duration, clock = condition_limit(condition, case.area_class)
    return Limit(duration, clock)


def clock_start(*, case: Case, stage: str, now: datetime, unit: Unit | None) -> None:
    """Start ``stage``'s clock at ``now``: deadline, warning time and clock state."""
    case.stage = stage
    case.stage_started_at = now
    limit = stage_limit(case, stage)
    if limit is None:
        case.deadline = case.warn_at = None
        case.clock_state = ClockState.STOPPED
        return
    case.deadline = add_working_time(now, limit.duration, unit, clock=limit.clock)
    case.warn_at = add_working_time(now, limit.duration * warning_share(), unit, clock=limit.clock)
    case.clock_state = ClockState.ON_TIME
    if stage == Stage.HANDLE and case.handle_deadline is None:
        # The first handling deadline is the one 按期结案 is judged by: a rework or an
        # escalation restarts the unit's clock but not the case's promise. A return (the
        # case was misrouted) clears it; an approved extension moves it.
        case.handle_deadline = case.deadline


def clock_cap_for_entity(*, case: Case, now: datetime, unit: Unit) -> None:
    """A social entity corrects within a short limit (CITYLOOP_ENTITY_CORRECTION_MINUTES of
    working time, default 120) when that is shorter than the category's; if it does not, the
    sweep escalates the case to the community or street."""
    minutes = int(getattr(settings, "CITYLOOP_ENTITY_CORRECTION_MINUTES", 120))
    limit = stage_limit(case, Stage.HANDLE)
    clock = limit.clock if limit else ClockKind.WORKING
    cap = add_working_time(now, timedelta(minutes=minutes), unit, clock=clock)
    if case.deadline is None or cap < case.deadline:
        if case.handle_deadline == case.deadline:
            case.handle_deadline = cap
        case.deadline = cap
        case.warn_at = add_working_time(
            now, timedelta(minutes=minutes) * warning_share(), unit, clock=clock
        )


def clock_stop(*, case: Case, now: datetime) -> None:
    """Suspension: the clock stops where it is."""
    case.suspended_at = now
    case.clock_state = ClockState.STOPPED


def clock_resume(*, case: Case, now: datetime, unit: Unit | None) -> None:
    """Resume after suspension: what was left of the limit counts again from now."""
    clock = _running_clock(case)
    stopped = case.suspended_at or now
    for field in ("deadline", "warn_at"):
        moment = getattr(case, field)
        if moment is None:
            continue
        left = (
            working_time_between(stopped, moment, unit, clock=clock)
            if moment > stopped
            else timedelta(0)
        )
        setattr(case, field, add_working_time(now, left, unit, clock=clock))
    if case.stage == Stage.HANDLE:
        case.handle_deadline = case.deadline
    case.suspended_at = None
    case.clock_state = clock_state_at(case, now)


def clock_extend(*, case: Case, new_deadline: datetime, now: datetime, unit: Unit | None) -> None:
    """An approved extension: the deadline moves, the warning follows at the same share."""
    clock = _running_clock(case)
    left = working_time_between(now, new_deadline, unit, clock=clock)
    case.deadline = new_deadline
    case.warn_at = add_working_time(now, left * warning_share(), unit, clock=clock)
    if case.stage == Stage.HANDLE:
        case.handle_deadline = new_deadline
    case.clock_state = clock_state_at(case, now)


def clock_state_at(case: Case, now: datetime) -> str:
    if case.deadline is None or case.suspended_at is not None:
        return ClockState.STOPPED
    if now >= case.deadline:
        return ClockState.OVERDUE
    if case.warn_at is not None and now >= case.warn_at:
        return ClockState.WARNING
    return ClockState.ON_TIME


def _running_clock(case: Case) -> str:
    limit = stage_limit(case, case.stage)
    return limit.clock if limit else ClockKind.WORKING
