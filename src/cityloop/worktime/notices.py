"""What administrators are told about the calendar: next year's arrangement still to enter."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.worktime.selectors import calendar_warning

ENTER_NEXT_YEAR = _(
    "The holiday arrangement of %(year)s is not entered yet: deadlines that run into %(year)s "
    "are counted on its statutory holidays alone and marked provisional. Enter the State "
    "Council's notice for %(year)s (its days off and adjusted working days) as calendar "
    "overrides, then declare %(year)s complete; the provisional deadlines are then counted "
    "again at the next deadline sweep."
)


def calendar_notice(today: date) -> str | None:
    """The warning shown to administrators from 1 November, or None when nothing is due."""
    coming = calendar_warning(today)
    if coming is None:
        return None
    return str(lazy_format(ENTER_NEXT_YEAR, {"year": coming}))
