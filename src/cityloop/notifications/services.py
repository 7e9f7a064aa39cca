"""Sending notifications: in-app always, e-mail when Django's mail settings are configured."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from cityloop.core.i18n import both
from cityloop.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(*, users: Iterable[Any], kind: str, message: Any, case: Any = None) -> int:
    """Tell each user (once) about ``message``; e-mail follows after the commit if enabled."""
    unique = {u.pk: u for u in users if u is not None and u.is_active}
    if not unique:
        return 0
    text = both(message)
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                case=case,
                kind=kind,
                message_zh=text["zh"][:300],
                message_en=text["en"][:300],
                created_at=now,
            )
            for u in unique.values()
        ]
    )
    if email_enabled():
        addresses = [u.email for u in unique.values() if u.email]
        transaction.on_commit(lambda: _email(addresses, text))
    return len(unique)


def email_enabled() -> bool:
    return bool(getattr(settings, "CITYLOOP_EMAIL_NOTIFICATIONS", False))


def _email(addresses: list[str], text: dict[str, str]) -> None:
    if not addresses:
        return
    subject = f"[CityLoop] {text['zh']}"[:120]
    body = f"{text['zh']}\n\n{text['en']}\n"
    sender = settings.DEFAULT_FROM_EMAIL
    try:
        send_mass_mail([(subject, body, sender, [a]) for a in addresses], fail_silently=False)
    except OSError:  # a mail server being down must not undo the case's change
        log.exception("notification e-mail failed for %d recipient(s)", len(addresses))


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
