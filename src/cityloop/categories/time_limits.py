"""The 处置时限 vocabulary: parse a time limit as written, then resolve it to a duration and clock.

The forms seen in the bureau's catalogue are ``N小时``, ``N天``, ``N紧急工作时``, ``N紧急工作日``,
optionally followed by the action required within the limit (``1紧急工作时制止``). The national
text (GB/T 30428.8 / CJ/T 315) was not found, so how the urgent units are counted is read from
settings every time a limit is resolved (docs/decisions/0007-time-limit-vocabulary.md):

* ``CITYLOOP_WORKING_DAY_HOURS`` (8): working hours in one ``天``.
* ``CITYLOOP_URGENT_HOUR_CLOCK`` ("continuous"): the clock of ``紧急工作时``.
* ``CITYLOOP_URGENT_DAY_CLOCK`` ("continuous"): the clock of ``紧急工作日``.
* ``CITYLOOP_URGENT_DAY_HOURS`` (24): hours in one ``紧急工作日``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cityloop.categories.choices import TimeLimitUnit
from cityloop.worktime.choices import ClockKind

UNIT_WORDS: dict[str, TimeLimitUnit] = {
    "小时": TimeLimitUnit.WORKING_HOUR,
    "天": TimeLimitUnit.WORKING_DAY,
    "紧急工作时": TimeLimitUnit.URGENT_HOUR,
    "紧急工作日": TimeLimitUnit.URGENT_DAY,
}
_PATTERN = re.compile(
    r"(?P<amount>[0-9]+)(?P<unit>紧急工作时|紧急工作日|小时|天)(?P<action>[\u4e00-\u9fff]{0,10})"
)
MAX_AMOUNT = 999  # kept in step with the message below
# An action word names what must be done ("制止"); time words after the unit are a typo.
_NOT_IN_ACTION = set("时天日内")


class TimeLimitError(ValueError):
    """A time limit that is not in the vocabulary; the message names the text."""

    def __init__(self, text: str, reason: Any) -> None:
        self.text = text
        self.reason = reason  # a lazy translatable message
        super().__init__(text, reason)

    def __str__(self) -> str:
        return f"unparseable time limit {self.text!r}: {self.reason}"


@dataclass(frozen=True)
class ParsedTimeLimit:
    """A time limit as written, split into amount, unit and the action required (may be "")."""

    amount: int
    unit: TimeLimitUnit
    action: str = ""


def time_limit_parse(text: str) -> ParsedTimeLimit:
    """Parse ``N小时`` / ``N天`` / ``N紧急工作时`` / ``N紧急工作日`` (+ action word), strictly."""
    if not isinstance(text, str) or not text.strip():
        raise TimeLimitError(str(text), _("the time limit is empty"))
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        raise TimeLimitError(
            text, _("expected a whole number followed by 小时, 天, 紧急工作时 or 紧急工作日")
        )
    if _NOT_IN_ACTION & set(match["action"]):
        raise TimeLimitError(text, _("a time word follows the unit"))
    amount = int(match["amount"])
    if not 0 < amount <= MAX_AMOUNT:
        raise TimeLimitError(text, _("the amount must be between 1 and 999"))
    return ParsedTimeLimit(amount=amount, unit=UNIT_WORDS[match["unit"]], action=match["action"])


def time_limit_duration(*, amount: int, unit: str) -> timedelta:
    """The limit's length in hours of its own clock (working hours for a working clock)."""
    return timedelta(hours=amount * _hours_per_unit(TimeLimitUnit(unit)))


def time_limit_clock(*, unit: str) -> ClockKind:
    """The clock a unit counts on: working time for 小时/天, the configured clock for 紧急…."""
    unit = TimeLimitUnit(unit)
    if unit == TimeLimitUnit.URGENT_HOUR:
        return _clock_setting("CITYLOOP_URGENT_HOUR_CLOCK")
    if unit == TimeLimitUnit.URGENT_DAY:
        return _clock_setting("CITYLOOP_URGENT_DAY_CLOCK")
    return ClockKind.WORKING


def duration_minutes(duration: timedelta) -> int:
    """Whole minutes of a duration (limits are whole hours, or fractional configured days)."""
    return int(duration.total_seconds() // 60)


def _hours_per_unit(unit: TimeLimitUnit) -> float:
    if unit == TimeLimitUnit.WORKING_DAY:
        return _hours_setting("CITYLOOP_WORKING_DAY_HOURS", 8)
    if unit == TimeLimitUnit.URGENT_DAY:
        return _hours_setting("CITYLOOP_URGENT_DAY_HOURS", 24)
    return 1


def _clock_setting(name: str) -> ClockKind:
    value = getattr(settings, name, ClockKind.CONTINUOUS)
    try:
        return ClockKind(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be one of {', '.join(ClockKind.values)}, not {value!r}"
        ) from None


def _hours_setting(name: str, default: float) -> float:
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 24:
        raise ImproperlyConfigured(f"{name} must be a number of hours in (0, 24], not {value!r}")
    return value
