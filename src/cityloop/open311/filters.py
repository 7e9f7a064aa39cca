"""The filters of GET Service Requests, read from the query string.

GeoReport v2: ``service_request_id`` (comma list, overrides every other argument),
``service_code`` and ``status`` (comma lists), ``start_date``/``end_date`` on the requested
time, at most 90 days apart, the most recent 90 days by default. Extensions (opt-in, from the
Open311 extensions page and the v2.1 draft): ``updated_after``/``updated_before`` on the last
change, ``page`` and ``page_size`` (alias ``per_page``), ``extensions=true``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.open311 import config
from cityloop.open311.choices import Status
from cityloop.open311.errors import BadRequest
from cityloop.open311.params import param

MAX_RANGE = timedelta(days=config.MAX_DATE_RANGE_DAYS)
# "…T09:30:00 08:00": a "+" that the client forgot to percent-encode arrives as a space.
_UNENCODED_PLUS = re.compile(r" (\d\d(:?\d\d)?)$")


@dataclass(frozen=True)
class RequestFilters:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int = config.MAX_PAGE_SIZE
    extensions: bool = False


def request_filters(request: HttpRequest, now: datetime | None = None) -> RequestFilters:
    """The filters a GET Service Requests asks for; a malformed one is a 400 naming it."""
    extensions = is_true(param(request, "extensions"))
    ids = comma_list(param(request, "service_request_id"))
    if ids:  # overrides every other argument, paging included
        return RequestFilters(ids=ids[: config.MAX_PAGE_SIZE], extensions=extensions)
    page, page_size = _page(request, "page"), _page_size(request)
    updated_after = w3c_datetime(request, "updated_after")
    updated_before = w3c_datetime(request, "updated_before")
    start, end = _window(request, now or timezone.now(), updated_after or updated_before)
    return RequestFilters(
        service_codes=comma_list(param(request, "service_code")),
        statuses=_statuses(request),
        start=start,
        end=end,
        updated_after=updated_after,
        updated_before=updated_before,
        extensions=extensions,
        page=page,
        page_size=page_size,
    )


def comma_list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def is_true(value: str | None) -> bool:
    return (value or "").lower() in {"true", "1", "yes"}


def w3c_datetime(request: HttpRequest, name: str) -> datetime | None:
    """A W3C datetime (``2026-11-24T09:30:00+08:00``, ``…Z``, or a date); none is local time."""
    value = param(request, name)
    if value is None:
        return None
    value = _UNENCODED_PLUS.sub(r"+\1", value)
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime.combine(day, time.min)
    if moment is None:
        message = _("%(name)s is not a W3C datetime such as 2026-11-24T09:30:00+08:00")
        raise BadRequest(lazy_format(message, {"name": name}))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _window(request, now, by_update) -> tuple[datetime | None, datetime | None]:
    start, end = w3c_datetime(request, "start_date"), w3c_datetime(request, "end_date")
    if start and end:
        if start > end:
            raise BadRequest(_("start_date must not be after end_date"))
        if end - start > MAX_RANGE:
            raise BadRequest(_("start_date and end_date may be 90 days apart at most"))
        return start, end
    if start:
        return start, start + MAX_RANGE
    if end:
        return end - MAX_RANGE, end
    # The default window, unless the client syncs by update time.
    return (None, None) if by_update else (now - MAX_RANGE, None)


def _statuses(request) -> tuple[str, ...]:
    statuses = tuple(s.lower() for s in comma_list(param(request, "status")))
    if any(s not in Status.values for s in statuses):
        raise BadRequest(_("status must be open, closed, or both separated by a comma"))
    return statuses


def _page(request, name: str) -> int:
    value = param(request, name)
    if value is None:
        return 1
    if not value.isdigit() or int(value) < 1:
        message = _("%(name)s must be a whole number from 1")
        raise BadRequest(lazy_format(message, {"name": name}))
    return int(value)


def _page_size(request) -> int:
    """``page_size`` or ``per_page``; more than 1,000 is served as 1,000 (the spec's cap)."""
    name = "page_size" if param(request, "page_size") else "per_page"
    if param(request, name) is None:
        return config.MAX_PAGE_SIZE
    return min(_page(request, name), config.MAX_PAGE_SIZE)
