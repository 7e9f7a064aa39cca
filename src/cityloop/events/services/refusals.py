"""Why an action is refused, said in Chinese and English, with the HTTP status it maps to."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both, lazy_format
from cityloop.worktime.errors import CalendarUnavailable


class ActionRefused(Exception):
    """An action the user may not take now; nothing was changed."""

    status = 403
    code = "forbidden"

    def __init__(self, message: Any, *, field: str = "__all__", code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_item(self) -> dict:
        return {"field": self.field, "code": self.code, **both(self.message)}


class StateForbids(ActionRefused):
    """The case's state does not allow the action (409: the case is not where you think)."""

    status = 409
    code = "state_forbids"


class CaseChanged(ActionRefused):
    """Someone else acted on the case since this user loaded it (409)."""

    status = 409
    code = "case_changed"

    def __init__(self, *, current: int) -> None:
        super().__init__(
            _("The case changed since you loaded it; reload it and try again."), field="version"
        )
        self.current = current


class BadInput(ActionRefused):
    """A parameter of the action is missing or wrong (422, on the named field)."""

    status = 422
    code = "invalid"


class CalendarMissing(BadInput, CalendarUnavailable):
    """A clock would run into a year with no holiday calendar at all (422, nothing changed).

    Years without the State Council's notice are counted provisionally on the statutory days,
    so this is left for years the law's rule is not computed for either; the message tells the
    administrator what to enter.
    """

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


class ReportMerged(ActionRefused):
    """The report was merged into another case (409): its reporter follows the survivor only."""

    status = 409
    code = "merged"
