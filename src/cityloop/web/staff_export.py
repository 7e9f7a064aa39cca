"""The case list as an Excel workbook, written row by row for tens of thousands of cases."""

from __future__ import annotations

import tempfile

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cityloop.events.choices import CaseState, ClockState, Source
from cityloop.events.models import Case
from cityloop.events.selectors import reporter_view

CHUNK = 2000


def _local(value):
    """openpyxl stores naive datetimes: Beijing time, as the bureau reads it."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _header() -> list[str]:
    return [
        _("Ticket"),
        _("Reported"),
        _("Source"),
        _("Category"),
        _("Description"),
        _("Address"),
        _("Street"),
        _("Community"),
        _("State"),
        _("Deadline"),
        _("Clock"),
        _("Closed"),
        _("Reporter"),
        _("Reporter's phone"),
    ]


def _row(user, case: Case, labels: dict) -> list:
    reporter = reporter_view(user, case)
    return [
        case.ticket,
        _local(case.reported_at),
        labels["source"].get(case.source, case.source),
        case.category.name if case.category_id else "",
        case.description,
        case.address,
        case.street.name if case.street_id else "",
        case.community.name if case.community_id else "",
        labels["state"].get(case.state, case.state),
        _local(case.deadline),
        labels["clock"].get(case.clock_state, case.clock_state),
        _local(case.closed_at),
        reporter["name"],
        reporter["phone"],
    ]


def cases_xlsx(user, cases: QuerySet[Case]):
    """A write-only workbook (constant memory) in a temporary file, rewound for streaming.

    ``cases`` comes from ``cases_for`` (scoped, with its joins); reporters are masked as
    ``reporter_view`` says for this user.
    """
    labels = {
        "source": {k: str(v) for k, v in Source.choices},
        "state": {k: str(v) for k, v in CaseState.choices},
        "clock": {k: str(v) for k, v in ClockState.choices},
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Cases"))
    sheet.append(_header())
    for case in cases.iterator(chunk_size=CHUNK):
        sheet.append(_row(user, case, labels))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    book.save(out)
    out.seek(0)
    return out
