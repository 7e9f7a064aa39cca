"""Snapshot images: the bytes behind the ``snapshot`` and ``photo`` names of device records,
held so that an evidence package seals an image by its SHA-256, not by its name
(docs/devices.md, docs/decisions/0036-evidence-by-content.md).

An image is stored under the name of its own digest (``models.snapshot_file_name``): storing
other bytes for the same name writes another file and never overwrites one a package sealed.
Once sealed, ``snapshot_store`` refuses to replace it and the admin offers no change or delete;
the file itself is made read-only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.refusals import BadInput, StateForbids
from cityloop.devices.models import Device, Record, Snapshot, snapshot_file_name

MAX_BYTES = 10 * 1024 * 1024  # one snapshot image
NAME_LENGTH = Snapshot._meta.get_field("name").max_length


def reference(record: Record) -> str:
    """The image a record names: its payload's ``snapshot`` (camera) or ``photo`` (scale)."""
    payload = record.payload or {}
    value = payload.get("snapshot") or payload.get("photo") or ""
    return value if isinstance(value, str) else ""


def file_sha256(name: str) -> str | None:
    """The SHA-256 of the stored file ``name`` as it is now, or None when it is gone."""
    try:
        with default_storage.open(name, "rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


@transaction.atomic
def snapshot_store(
    *, device: Device, name: str, content: bytes, now: datetime | None = None
) -> Snapshot:
    """Store the image that ``device``'s records call ``name`` (or replace it while no package
    has sealed it); its SHA-256 is taken now, over the bytes as received.

    Refuses a sealed image (409, ``sealed``), an empty or oversized file and a name that is
    empty or too long (422); nothing is written then."""
    if not name or len(name) > NAME_LENGTH:
        raise BadInput(_("Give the image's name as the records give it."), field="name")
    if not content:
        raise BadInput(_("The image is empty."), field="file")
    if len(content) > MAX_BYTES:
        raise BadInput(_("The image is larger than 10 MB."), field="file")
    snapshot = Snapshot.objects.select_for_update().filter(device=device, name=name).first()
    if snapshot is not None and snapshot.sealed_at is not None:
        raise StateForbids(
            _("This image is sealed in an evidence package and can no longer be replaced."),
            field="file",
            code="sealed",
        )
    snapshot = snapshot or Snapshot(device=device, name=name)
    snapshot.sha256 = hashlib.sha256(content).hexdigest()
    snapshot.size = len(content)
    snapshot.stored_at = now or timezone.now()
    stored_name = snapshot_file_name(snapshot, name)
    if not default_storage.exists(stored_name):  # the same bytes are stored once
        stored_name = default_storage.save(stored_name, ContentFile(content))
    snapshot.file.name = stored_name
    snapshot.save()
    return snapshot


def of_records(records: Iterable[Record]) -> dict[tuple[int, str], Snapshot]:
    """The stored images the records name, by (device id, name), in one query."""
    wanted = {(r.device_id, reference(r)) for r in records} - {(r.device_id, "") for r in records}
    if not wanted:
        return {}
    rows = Snapshot.objects.filter(
        device_id__in={d for d, _n in wanted}, name__in={n for _d, n in wanted}
    )
    return {(s.device_id, s.name): s for s in rows if (s.device_id, s.name) in wanted}


def seal(snapshots: Iterable[Snapshot], *, now: datetime) -> None:
    """Mark the images sealed (no longer replaceable) and make their files read-only."""
    snapshots = list(snapshots)
    Snapshot.objects.filter(pk__in=[s.pk for s in snapshots], sealed_at__isnull=True).update(
        sealed_at=now
    )
    for snapshot in snapshots:
        snapshot.sealed_at = snapshot.sealed_at or now
        with contextlib.suppress(NotImplementedError, OSError):  # a storage without paths
            os.chmod(default_storage.path(snapshot.file.name), 0o444)
