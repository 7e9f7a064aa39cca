"""Photos and documents of a case.

Checked before anything is stored: type by content (JPEG, PNG, WebP images; PDF documents),
size (``CITYLOOP_MAX_UPLOAD_MB``, default 10), an image must decode. A photo is kept as sent
for staff, plus a public copy re-encoded without EXIF (the location and the camera never
reach the public) and a 320-pixel thumbnail. Stored through Django's storage API.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cityloop.core.i18n import lazy_format
from cityloop.events.choices import AttachmentStage
from cityloop.events.models import Attachment, Case, CaseEvent
from cityloop.events.services.refusals import BadInput

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_MAGIC = b"%PDF-"
THUMBNAIL_PX = 320
MAX_FILES = 9

STAGE_OF_ACTION = {
    "report": AttachmentStage.REPORT,
    "confirm": AttachmentStage.CONFIRM,
    "refute": AttachmentStage.CONFIRM,
    "feed_back": AttachmentStage.FEEDBACK,
    "assist_report": AttachmentStage.FEEDBACK,
    "verify": AttachmentStage.VERIFY,
    "rework": AttachmentStage.VERIFY,
}


def max_upload_bytes() -> int:
    return int(float(getattr(settings, "CITYLOOP_MAX_UPLOAD_MB", 10)) * 1024 * 1024)


def attachment_check(
    upload: Any, field: str = "attachments"
) -> tuple[bytes, str, Image.Image | None]:
    """Read and check one upload; returns (content, content type, image or None)."""
    content = upload.read()
    name = getattr(upload, "name", "") or "file"
    if len(content) > max_upload_bytes():
        raise BadInput(
            lazy_format(
                _("%(name)s is larger than %(limit)s MB."),
                {"name": name, "limit": max_upload_bytes() // (1024 * 1024)},
            ),
            field=field,
            code="too_large",
        )
    if not content:
        raise BadInput(
            lazy_format(_("%(name)s is empty."), {"name": name}), field=field, code="empty"
        )
    if content.startswith(PDF_MAGIC):
        return content, "application/pdf", None
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise BadInput(
            lazy_format(_("%(name)s is not a JPEG, PNG or WebP photo, nor a PDF."), {"name": name}),
            field=field,
            code="file_type",
        ) from exc
    if image.format not in IMAGE_TYPES:
        raise BadInput(
            lazy_format(_("%(name)s is not a JPEG, PNG or WebP photo, nor a PDF."), {"name": name}),
            field=field,
            code="file_type",
        )
    return content, IMAGE_TYPES[image.format], image


def attachments_check(
    files: Sequence[Any], field: str = "attachments"
) -> list[tuple[Any, bytes, str, Any]]:
    if len(files) > MAX_FILES:
        raise BadInput(
            lazy_format(_("At most %(n)s files at a time."), {"n": MAX_FILES}),
            field=field,
            code="too_many",
        )
    checked = []
    for upload in files:
        content, content_type, image = attachment_check(upload, field)
        checked.append((upload, content, content_type, image))
    return checked


def attachments_save(
    *, case: Case, event: CaseEvent | None, files: Sequence[Any], actor: Any, stage_for: str
) -> list[Attachment]:
    """Check every file first, then store them all (call inside the case's transaction)."""
    checked = attachments_check(files)
    stage = STAGE_OF_ACTION.get(stage_for, AttachmentStage.OTHER)
    saved = []
    for upload, content, content_type, image in checked:
        name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
        attachment = Attachment(
            case=case,
            event=event,
            stage=stage,
            original_name=name,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            created_at=timezone.now(),
        )
        attachment.file.save(name, ContentFile(content), save=False)
        if image is not None:
            public, thumb = _public_copies(image)
            stem = name.rsplit(".", 1)[0]
            attachment.public_file.save(f"{stem}.jpg", ContentFile(public), save=False)
            attachment.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumb), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _public_copies(image: Image.Image) -> tuple[bytes, bytes]:
    """A JPEG without any metadata (EXIF, GPS, XMP), upright, and its thumbnail."""
    upright = ImageOps.exif_transpose(image).convert("RGB")
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    public = io.BytesIO()
    clean.save(public, "JPEG", quality=85)
    clean.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    thumb = io.BytesIO()
    clean.save(thumb, "JPEG", quality=80)
    return public.getvalue(), thumb.getvalue()


def attachments_record(*, case: Case, files: Sequence[Any], actor: Any) -> list[Attachment]:
    """Photos added to a case outside an action: stored with a history entry "attach"."""
    from django.db import transaction

    checked_first = list(files)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event = CaseEvent.objects.create(
            case=locked,
            action="attach",
            from_state=locked.state,
            to_state=locked.state,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_unit=getattr(actor, "unit", None),
            actor_label="市民" if actor is None else "",
            at=timezone.now(),
            data={"files": len(checked_first)},
        )
        return attachments_save(
            case=locked, event=event, files=checked_first, actor=actor, stage_for="attach"
        )
