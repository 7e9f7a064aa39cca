"""Intake: every source's report becomes a case in the state "reported".

Citizens (web/H5, Open311), inspectors, the 12345 hotline, AI cameras, IoT sensors, social
entities' self-reports and leaders' instructions all come through ``case_report``. A report
from another system carries that system's id (``external_id``) and is stored once: sending it
again returns the case made the first time.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.storable import UNSTORABLE, has_lone_surrogate
from cityloop.events.choices import CaseState, Source, Stage, Urgency
from cityloop.events.models import Case, CaseEvent
from cityloop.events.services import deadlines
from cityloop.events.services.refusals import BadInput
from cityloop.events.services.tickets import next_ticket
from cityloop.geo import coordinates
from cityloop.geo.locate import LocateError, locate

MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class Intake:
    case: Case
    created: bool


def case_report(
    *,
    source: str,
    description: str,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = coordinates.WGS84,
    address: str = "",
    category: MinorCategory | int | None = None,
    urgency: str = Urgency.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    reported_by: Any = None,
    external_id: str | None = None,
    attachments: Sequence[Any] = (),
    now: datetime | None = None,
) -> Intake:
    """Register a report; validate everything first, so a refusal changes nothing."""
    now = now or timezone.now()
    refuse_unstorable(
        description=description,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        external_id=external_id,
    )
    description, address = _clean(description), _clean(address)
    reporter_name, reporter_phone = _clean(reporter_name), _clean(reporter_phone)
    fields = report_fields(source, description, category, urgency, external_id, address, lon, lat)
    if external_id:
        existing = Case.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return Intake(existing, False)
    place = report_place(lon, lat, crs) if lon is not None else {}
    try:
        with transaction.atomic():
            case = _create(fields, place, now, reporter_name, reporter_phone, reported_by)
            if attachments:
                from cityloop.events.services.attachments import attachments_save

                attachments_save(
                    case=case,
                    event=case._report_event,
                    files=attachments,
                    actor=reported_by,
                    stage_for="report",
                )
    except IntegrityError:
        # The same external order arrived twice at once: the other request stored it.
        existing = Case.objects.filter(source=source, external_id=external_id).first()
        if external_id and existing is not None:
            return Intake(existing, False)
        raise
    return Intake(case, True)


def citizen_report(*, attachments: Sequence[Any] = (), **fields: Any) -> Case:
    """市民随手拍: a citizen's report with its photos and its tracking key, in one transaction.

    The key (shown once, to the reporter) is what lets a citizen without an account add photos
    and rate the result later (``rating.own_report``); every door that takes citizens' reports
    (the page, the public API) comes here."""
    with transaction.atomic():
        case = case_report(source=Source.CITIZEN, attachments=attachments, **fields).case
        case.reporter_key = secrets.token_urlsafe(12)
        Case.objects.filter(pk=case.pk).update(reporter_key=case.reporter_key)
    return case


def unstorable_fields(texts: dict[str, Any]) -> list[str]:
    """The names of the fields whose text no database can store (a lone surrogate)."""
    return [
        name for name, text in texts.items() if isinstance(text, str) and has_lone_surrogate(text)
    ]


def refuse_unstorable(**texts: Any) -> None:
    """``BadInput`` on the first field whose text no database can store."""
    bad = unstorable_fields(texts)
    if bad:
        raise BadInput(UNSTORABLE, field=bad[0], code="string_unicode")


def _clean(text: str | None) -> str:
    """Text as a database can store it: NUL characters (refused by PostgreSQL) removed."""
    return (text or "").replace("\x00", "")


def report_fields(source, description, category, urgency, external_id, address, lon, lat) -> dict:
    """The report's own fields, checked; ``BadInput`` names the first bad field."""
    if source not in Source.values:
        raise BadInput(_("Choose one of the allowed values."), field="source", code="literal_error")
    description = (description or "").strip()
    if not description:
        raise BadInput(_("Describe the problem."), field="description", code="missing")
    if len(description) > MAX_DESCRIPTION:
        raise BadInput(
            _("The description is too long (2,000 characters at most)."),
            field="description",
            code="too_long",
        )
    if urgency not in Urgency.values:
        raise BadInput(
            _("Choose one of the allowed values."), field="urgency", code="literal_error"
        )
    if (lon is None) != (lat is None):
        raise BadInput(
            _("Give both longitude and latitude, or neither."),
            field="lat" if lat is None else "lon",
            code="missing",
        )
    if lon is None and not (address or "").strip():
        raise BadInput(
            _("Give the place: a point on the map or an address."), field="lon", code="missing"
        )
    if category is not None and not isinstance(category, MinorCategory):
        category = MinorCategory.objects.filter(pk=category, is_active=True).first()
        if category is None:
            raise BadInput(_("No active category has this id."), field="category", code="not_found")
    return {
        "source": source,
        "description": description,
        "category": category,
        "urgency": urgency,
        "external_id": external_id or None,
        "address": (address or "").strip()[:200],
    }


def report_place(lon: float, lat: float, crs: str) -> dict:
    """Grid, community, street, area class and zone of a point; outside the district refuses."""
    try:
        where = locate(lon, lat, crs)
    except coordinates.UnknownCRS as exc:
        raise BadInput(
            _("Choose one of the allowed values."), field="crs", code="literal_error"
        ) from exc
    except LocateError as exc:
        raise BadInput(exc.message, field="lon", code=exc.code) from exc
    return {
        "lon": where.lon,
        "lat": where.lat,
        "grid_id": where.grid_id,
        "community_id": where.community.id,
        "street_id": where.street.id if where.street else None,
        "area_class": where.area_class,
        "zone_id": where.zones[0].id if where.zones else None,
    }


def _create(fields, place, now, reporter_name, reporter_phone, reported_by) -> Case:
    case = Case(
        ticket=next_ticket(now),
        reported_at=now,
        reporter_name=(reporter_name or "").strip()[:60],
        reporter_phone=(reporter_phone or "").strip()[:30],
        reported_by=reported_by if getattr(reported_by, "pk", None) else None,
        state=CaseState.REPORTED,
        **fields,
        **place,
    )
    deadlines.clock_start(case=case, stage=Stage.ACCEPT, now=now, unit=None)
    case.save()
    case._report_event = CaseEvent.objects.create(
        case=case,
        action="report",
        from_state="",
        to_state=CaseState.REPORTED,
        actor=case.reported_by,
        actor_unit=getattr(case.reported_by, "unit", None),
        actor_label=_reporter_label(case),
        at=now,
        data={"source": case.source, "external_id": case.external_id},
    )
    return case


def _reporter_label(case: Case) -> str:
    if case.reported_by is not None:
        unit = case.reported_by.unit
        name = case.reported_by.display_name or case.reported_by.username
        return f"{unit.display_name} · {name}" if unit else name
    return str(Source(case.source).label)
