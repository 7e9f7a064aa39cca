"""The case workflow's own refusals, beside the kernel's (``cityloop.core.refusals``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import ActionRefused, BadInput, RecordChanged, StateForbids
from cityloop.worktime.errors import CalendarUnavailable

__all__ = [
    "ActionRefused",
    "BadInput",
    "CalendarMissing",
    "CaseChanged",
    "ReportMerged",
    "StateForbids",
]


class CaseChanged(RecordChanged):
    """Someone else acted on the case since this user loaded it (409)."""

    code = "case_changed"
    message_text = _("The case changed since you loaded it; reload it and try again.")


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
