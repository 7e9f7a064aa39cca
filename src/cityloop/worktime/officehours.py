"""Periods of the day that count as working time, and the rules a set of periods must follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Period(NamedTuple):
    """One office period, start included and end excluded (08:30–12:00)."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


# The bureau's office hours (上午 08:30–12:00，下午 14:00–18:00) when nothing else is entered.
DEFAULT_PERIODS: tuple[Period, ...] = (
    Period(time(8, 30), time(12, 0)),
    Period(time(14, 0), time(18, 0)),
)

# Microseconds from midnight: what the clock arithmetic works in.
Span = tuple[int, int]


def microseconds(moment: time) -> int:
    """Microseconds from midnight to a wall-clock time."""
    seconds = (moment.hour * 60 + moment.minute) * 60 + moment.second
    return seconds * 1_000_000 + moment.microsecond


def spans(periods: Sequence[Period]) -> tuple[Span, ...]:
    """Periods as sorted (start, end) microsecond pairs."""
    return tuple(sorted((microseconds(p.start), microseconds(p.end)) for p in periods))


def period_errors(periods: Sequence[Period]) -> dict[int, dict[str, ValidationError]]:
    """Field errors of each period, by its index: it must end after it starts and overlap none.

    Periods may touch (12:00–14:00 after 08:30–12:00), since a period's end is excluded.
    """
    errors: dict[int, dict[str, ValidationError]] = {}
    for index, period in enumerate(periods):
        if period.start >= period.end:
            errors[index] = {"end": _order_error()}
    ordered = sorted((p.start, p.end, i) for i, p in enumerate(periods) if i not in errors)
    reach: Period | None = None  # the period reaching furthest into the day so far
    for start, end, index in ordered:
        if reach is not None and start < reach.end:
            errors[index] = {"start": _overlap_error(reach)}
        if reach is None or end > reach.end:
            reach = periods[index]
    return errors


def validate_periods(periods: Sequence[Period]) -> None:
    """Raise ``ValidationError`` keyed ``periods`` (none given) or ``periods[i].field``."""
    if not periods:
        raise ValidationError(
            {"periods": ValidationError(_("Give at least one office period."), code="required")}
        )
    errors = period_errors(periods)
    if errors:
        raise ValidationError(
            {
                f"periods[{i}].{field}": error
                for i, fields in errors.items()
                for field, error in fields.items()
            }
        )


def _order_error() -> ValidationError:
    return ValidationError(_("A period must end after it starts."), code="order")


def _overlap_error(other: Period) -> ValidationError:
    return ValidationError(
        _("This period overlaps the period %(other)s."),
        code="overlap",
        params={"other": str(other)},
    )
