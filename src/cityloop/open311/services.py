"""Writes of the Open311 interface: API keys, and submitting a service request.

A submitted request becomes a case through the intake service (``case_report`` with source
``open311``), so it is checked, placed and clocked like every other report; the submission
row (key, token, the client's pseudonymous ids) is written in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.keys import key_hash, new_key
from cityloop.events.choices import Source
from cityloop.events.services.intake import case_report
from cityloop.geo import coordinates
from cityloop.open311.errors import Forbidden
from cityloop.open311.models import ApiKey, Submission

TOKEN_BYTES = 16


@transaction.atomic
def api_key_create(*, name: str, now: datetime | None = None) -> tuple[ApiKey, str]:
    """A new active key; returns the key with its one-time plain text (stored: its hash)."""
    raw = new_key()
    api_key = ApiKey.objects.create(
        name=name.strip(),
        prefix=raw[:8],
        key_hash=key_hash(raw),
        created_at=now or timezone.now(),
    )
    return api_key, raw


@transaction.atomic
def api_key_update(*, api_key: ApiKey, name: str, is_active: bool) -> ApiKey:
    """Rename, deactivate or reactivate a key (keys are never deleted: submissions cite them)."""
    api_key.name, api_key.is_active = name.strip(), is_active
    api_key.save(update_fields=["name", "is_active"])
    return api_key


def api_key_authenticate(*, raw: str | None, now: datetime | None = None) -> ApiKey:
    """The active key ``raw`` is, noting its use; 403 if it is missing, unknown or inactive."""
    if not raw:
        raise Forbidden(_("api_key is required to submit a service request"))
    api_key = ApiKey.objects.filter(key_hash=key_hash(raw), is_active=True).first()
    if api_key is None:
        raise Forbidden(_("api_key is not valid, or it has been disabled"))
    api_key.last_used_at = now or timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=api_key.last_used_at)
    return api_key


@dataclass(frozen=True)
class Report:
    """A POST Service Request, read and checked (``cityloop.open311.submission``)."""

    category: MinorCategory
    description: str
    lon: float | None = None
    lat: float | None = None
    crs: str = coordinates.WGS84
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    account_id: str = ""
    device_id: str = ""
    media_url: str = ""
    files: list[Any] = field(default_factory=list)


@transaction.atomic
def request_submit(*, api_key: ApiKey, report: Report, now: datetime | None = None) -> Submission:
    """Make the case (raises ``BadInput`` and changes nothing if intake refuses) and its
    submission row with a fresh token."""
    now = now or timezone.now()
    case = case_report(
        source=Source.OPEN311,
        description=report.description,
        lon=report.lon,
        lat=report.lat,
        crs=report.crs,
        address=report.address,
        category=report.category,
        reporter_name=report.reporter_name,
        reporter_phone=report.reporter_phone,
        attachments=report.files,
        now=now,
    ).case
    return Submission.objects.create(
        case=case,
        api_key=api_key,
        token=secrets.token_urlsafe(TOKEN_BYTES),
        account_id=report.account_id[:100],
        device_id=report.device_id[:100],
        media_url=report.media_url[:500],
        created_at=now,
    )
