"""The refusals of the working-time app, each with a message in both languages.

``message`` is lazy (``lazy_format``): it renders in the active language, with its parameters,
whenever it is turned into text, so ``cityloop.core.i18n.both(exc.message)`` gives both.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import bilingual, lazy_format


class CalendarUnavailable(LookupError):
    """A computation needs a year with no holiday calendar at all: refused, never guessed.

    A year has a calendar when the chinese-calendar package covers it, an administrator has
    declared it complete (``CalendarYear``), or the law's statutory days are computed for it
    (provisionally, ``statutory.py``): in practice a year before 2004 or after 2100.
    """

    template = _(
        "No holiday calendar for %(year)s: the chinese-calendar package does not cover it, the "
        "statutory holidays are not computed for it, and no administrator has entered its "
        "holidays and declared the year complete."
    )

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = lazy_format(self.template, {"year": year})
        super().__init__(bilingual(self.message))


class WorkingTimeInputError(ValueError):
    """A bad argument to the clock (a naive datetime, a negative limit), naming the argument."""

    def __init__(self, field: str, code: str, template: Any) -> None:
        self.field = field
        self.code = code
        self.message = lazy_format(template, {"field": field})
        super().__init__(bilingual(self.message))


NAIVE = _("%(field)s must be a timezone-aware date and time (e.g. 2025-09-30T15:00:00+08:00).")
NEGATIVE = _("%(field)s must not be negative.")
