"""From CityLoop's records to GeoReport v2 documents (docs/decisions/0016-open311-mapping.md).

- A *service* is an active minor category (GB/T 30428.2 小类); its ``service_code`` is
  ``<kind>-<major>-<minor>`` (``event-01-10``), its ``group`` the major category's name.
  Services have no attributes (``metadata`` false; the definition's ``attributes`` is empty).
- A *service request* is a case; ``service_request_id`` is its ticket. ``status`` is ``open``
  for the open states, ``closed`` for closed, evaluated, rejected and cancelled; a merged case
  shows its surviving case's status. The finer state is in ``extended_attributes``, only when
  the client asks (``extensions=true``), as the Open311 extensions page describes.
- Nothing personal leaves: no reporter's name, phone, account or device; ``media_url`` is the
  public copy of a photo (re-encoded without EXIF), as an absolute URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.i18n import bilingual, lazy_format
from cityloop.events.choices import OPEN_STATES, CaseState
from cityloop.events.models import Case
from cityloop.events.selectors.duplicates import following
from cityloop.open311 import config
from cityloop.open311.choices import ServiceType, Status
from cityloop.open311.rendering import MIME_TYPES

SERVICE_CODE = re.compile(r"^(component|event)-([0-9]{2})-([0-9]{2})\Z")
STATE_NOTES: dict[str, Any] = {
    CaseState.SUSPENDED: _("Suspended: handling is deferred until the conditions allow it."),
    CaseState.REJECTED: _("Not accepted: the report is outside the bureau's remit or unclear."),
    CaseState.CANCELLED: _("Cancelled."),
}


def w3c(moment: datetime | None) -> str | None:
    """``2026-11-24T09:30:00+08:00``: the W3C form with the time zone the spec requires."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def service_code(minor: MinorCategory) -> str:
    return f"{minor.major.kind}-{minor.major.code}-{minor.code}"


def service_code_parts(code: str) -> tuple[str, str, str] | None:
    """``("event", "01", "10")`` for ``event-01-10``; None if it is not of that form."""
    match = SERVICE_CODE.match(code)
    return (match[1], match[2], match[3]) if match else None


def service_document(minor: MinorCategory) -> dict:
    """One ``service`` of GET Service List (filing conditions prefetched)."""
    return {
        "service_code": service_code(minor),
        "service_name": minor.name,
        "description": _service_description(minor),
        "metadata": False,
        "type": ServiceType.REALTIME.value,
        "keywords": _keywords(minor),
        "group": minor.major.name,
    }


def _service_description(minor: MinorCategory) -> str:
    conditions = "；".join(c.filing_condition for c in minor.filing_conditions.all())
    return _("Reported when: %(conditions)s") % {"conditions": conditions}


def _keywords(minor: MinorCategory) -> str:
    words = [minor.code_path, minor.gbt47678_code]
    if minor.gbt47678_name != minor.name:
        words.append(minor.gbt47678_name)
    return ",".join(word for word in words if word)


def definition_document(minor: MinorCategory) -> dict:
    """GET Service Definition: our categories ask for nothing beyond the standard fields."""
    return {"service_code": service_code(minor), "attributes": []}


def discovery_document(url: str) -> dict:
    """Service Discovery: every field is required; both formats are offered."""
    return {
        "changeset": config.changeset(),
        "contact": config.contact(),
        "key_service": config.key_service(),
        "endpoints": [
            {
                "specification": config.SPECIFICATION,
                "url": url,
                "changeset": config.changeset(),
                "type": config.endpoint_type(),
                "formats": list(MIME_TYPES.values()),
            }
        ],
    }


def status_of(case: Case) -> str:
    return Status.OPEN.value if case.state in OPEN_STATES else Status.CLOSED.value


def survivor_of(case: Case) -> Case:
    """The case whose status a request shows: itself, or the case it was merged into."""
    survivor = case.merged_into if case.state == CaseState.MERGED else None
    if survivor is None:
        return case
    if survivor.state == CaseState.MERGED:  # merged twice: rare, one more query
        survivor = following(case.ticket) or survivor
    return survivor


def public_photo_path(case: Case, attachment) -> str:
    """The stable public URL of a photo's EXIF-free copy (served by the citizens' API)."""
    return f"/api/public/reports/{case.ticket}/photos/{attachment.pk}"


def request_document(case: Case, absolute: Callable[[str], str], *, extensions: bool) -> dict:
    """One ``request`` of GET Service Request(s); ``absolute`` makes a path an absolute URL."""
    shown = survivor_of(case)
    status = status_of(shown)
    photos = [absolute(public_photo_path(case, a)) for a in getattr(case, "public_photos", [])]
    document: dict[str, Any] = {
        "service_request_id": case.ticket,
        "status": status,
        "status_notes": _status_notes(case, shown),
        "service_name": case.category.name if case.category is not None else None,
        "service_code": service_code(case.category) if case.category is not None else "",
        "description": case.description,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": w3c(case.reported_at),
        "updated_datetime": w3c(_updated(shown, status)),
        "expected_datetime": w3c(shown.handle_deadline) if status == Status.OPEN else None,
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": photos[0] if photos else None,
    }
    if extensions:
        document["extended_attributes"] = _extended(case, shown, photos)
    return document


def _updated(shown: Case, status: str) -> datetime:
    """The last change; for a closed request, the time it was closed (GeoReport v2)."""
    if status == Status.CLOSED and shown.closed_at:
        return shown.closed_at
    return shown.updated_at


def _status_notes(case: Case, shown: Case) -> str | None:
    if shown is not case:
        note = _(
            "Merged into request %(ticket)s, which reports the same problem; its status is shown."
        )
        return bilingual(lazy_format(note, {"ticket": shown.ticket}))
    state_note = STATE_NOTES.get(case.state)
    return bilingual(state_note) if state_note else None


def _extended(case: Case, shown: Case, photos: list[str]) -> dict:
    """The opt-in extension (``extensions=true``): our finer state and every public photo."""
    return {
        "cityloop_state": case.state,
        "merged_into": shown.ticket if shown is not case else None,
        "channel": case.source,
        "media_urls": photos,
    }


def submitted_document(ticket: str, account_id: str) -> dict:
    """The answer to POST Service Request: the id at once (so no token), and a notice."""
    notice = _(
        "Registered as request %(ticket)s. It will be checked and sent to the unit in charge."
    )
    return {
        "service_request_id": ticket,
        "service_notice": bilingual(lazy_format(notice, {"ticket": ticket})),
        "account_id": account_id or None,
    }


def token_document(token: str, ticket: str) -> dict:
    return {"service_request_id": ticket, "token": token}
