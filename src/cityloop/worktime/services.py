"""Writes of the working-time app: office hours, calendar overrides and complete years.

Every write replaces the calendar token in the same transaction, so every process computes
with the new calendar from the commit on (``facts.py``). Writing the tables any other way
(a bulk import, the shell) must call :func:`calendar_changed` too. Deadlines already stored are not
recomputed here; that is the case workflow's decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.org.models import Unit, User
from cityloop.worktime.choices import DayKind
from cityloop.worktime.models import (
    CalendarOverride,
    CalendarVersion,
    CalendarYear,
    OfficeHours,
    OfficePeriod,
)
from cityloop.worktime.officehours import Period, validate_periods
from cityloop.worktime.workdays import package_covers


def calendar_changed() -> None:
    """Replace the calendar token: every process rebuilds its cache at its next computation.

    Called inside the writing transaction, so others see the new token exactly when they see
    the new rows; a rolled-back write leaves the old token, and its random token never returns.
    """
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


@transaction.atomic
def office_hours_set(
    *,
    unit: Unit | None,
    periods: Sequence[Period],
    note: str = "",
    actor: User | None = None,
) -> OfficeHours:
    """Give ``unit`` its own office periods (replacing any); with no unit, the bureau default.

    Periods must each end after they start and must not overlap (``ValidationError`` keyed
    ``periods`` or ``periods[i].start`` / ``periods[i].end``). Units below inherit them.
    """
    validate_periods(periods)
    hours = _office_hours_of(unit).select_for_update().first() or OfficeHours(unit=unit)
    hours.note, hours.updated_by = note, actor
    hours.save()
    hours.periods.all().delete()
    OfficePeriod.objects.bulk_create(
        OfficePeriod(office_hours=hours, start=p.start, end=p.end) for p in periods
    )
    calendar_changed()
    return hours


@transaction.atomic
def office_hours_delete(*, unit: Unit | None) -> None:
    """Remove a unit's own office hours: it inherits its ancestor's (or the default) again."""
    _office_hours_of(unit).delete()
    calendar_changed()


def _office_hours_of(unit: Unit | None):
    if unit is None:
        return OfficeHours.objects.filter(unit__isnull=True)
    return OfficeHours.objects.filter(unit=unit)


@transaction.atomic
def calendar_override_set(
    *, day: date, kind: DayKind, note: str, actor: User | None = None
) -> CalendarOverride:
    """Declare ``day`` a working day or a day off, with the reason; wins over the package.

    This is how the bureau grants an extra day off and how an administrator enters a year's
    statutory holidays and 调休 before the chinese-calendar package knows them.
    """
    override = CalendarOverride.objects.filter(day=day).first() or CalendarOverride(day=day)
    override.kind, override.note, override.updated_by = kind, note, actor
    override.full_clean()
    override.save()
    calendar_changed()
    return override


@transaction.atomic
def calendar_override_delete(*, day: date) -> None:
    """Withdraw the override of ``day``: the package (or Monday-to-Friday) decides again."""
    CalendarOverride.objects.filter(day=day).delete()
    calendar_changed()


@transaction.atomic
def calendar_year_declare(*, year: int, source: str, actor: User | None = None) -> CalendarYear:
    """Declare that ``year``'s holidays and 调休 are fully entered as overrides, and where from.

    From then on the year has a calendar: its overrides, and Monday to Friday otherwise. A year
    the package does not cover needs at least one override first: every real year has
    holidays on weekdays, so a year with none is a declaration made too early.
    """
    declaration = CalendarYear.objects.filter(year=year).first() or CalendarYear(year=year)
    declaration.source, declaration.declared_by = source, actor
    declaration.full_clean()
    calendar_year_check_entered(year=year)
    declaration.save()
    calendar_changed()
    return declaration


@transaction.atomic
def calendar_year_withdraw(*, year: int) -> None:
    """Withdraw a year's declaration: outside the package's years it has no calendar again."""
    CalendarYear.objects.filter(year=year).delete()
    calendar_changed()


def calendar_year_check_entered(*, year: int) -> None:
    """Refuse to declare a year outside the package's that has no override entered yet."""
    if package_covers(year) or CalendarOverride.objects.filter(day__year=year).exists():
        return
    message = _("No holidays of %(year)s are entered yet: enter them as overrides first.")
    raise ValidationError(
        {"year": ValidationError(message, code="nothing_entered", params={"year": year})}
    )
