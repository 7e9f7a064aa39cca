"""Sending notifications: in-app always, e-mail when Django's mail settings are configured.

One code path for one message and for a sweep's thousands: ``notify`` renders its message in
both languages and hands one ``Notice`` to ``notify_many``, which appends every row at once
(``cityloop.core.bulk``) and sends the e-mails after the commit
(``CITYLOOP_EMAIL_NOTIFICATIONS``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from cityloop.core.bulk import bulk_append
from cityloop.core.i18n import both
from cityloop.notifications.models import Notification

log = logging.getLogger(__name__)
MAX_LENGTH = 300
ROW_FIELDS = ("user_id", "case_id", "kind", "message_zh", "message_en", "created_at")


@dataclass(frozen=True)
class Notice:
    """One message, already rendered in both languages (``{"zh": …, "en": …}``), to some
    users, about a case (or about nothing in particular when ``case_id`` is None)."""

    users: Iterable[Any]
    kind: str
    text: dict[str, str]
    case_id: int | None = None


def notify(*, users: Iterable[Any], kind: str, message: Any, case: Any = None) -> int:
    """Tell each user (once) about ``message``; e-mail follows after the commit if enabled."""
    notice = Notice(users=users, kind=kind, text=both(message), case_id=getattr(case, "pk", None))
    return notify_many(notices=[notice])


def notify_many(*, notices: Iterable[Notice], now: datetime | None = None) -> int:
    """Write every notice's rows in one bulk append (each active user once per notice) and
    schedule their e-mails after the commit. Returns the number of rows written."""
    now = now or timezone.now()
    rows: list[tuple] = []
    mails: list[tuple[dict[str, str], list[str]]] = []
    for notice in notices:
        users = {u.pk: u for u in notice.users if u is not None and u.is_active}
        zh, en = notice.text["zh"][:MAX_LENGTH], notice.text["en"][:MAX_LENGTH]
        rows.extend((pk, notice.case_id, notice.kind, zh, en, now) for pk in users)
        mails.append((notice.text, [u.email for u in users.values() if u.email]))
    written = bulk_append(model=Notification, fields=ROW_FIELDS, rows=rows)
    if email_enabled() and any(addresses for _, addresses in mails):
        transaction.on_commit(lambda: _email(mails))
    return written


def email_enabled() -> bool:
    return bool(getattr(settings, "CITYLOOP_EMAIL_NOTIFICATIONS", False))


def _email(mails: list[tuple[dict[str, str], list[str]]]) -> None:
    """Chinese first, English second; one connection for the lot."""
    sender = settings.DEFAULT_FROM_EMAIL
    messages = [
        (f"[CityLoop] {text['zh']}"[:120], f"{text['zh']}\n\n{text['en']}\n", sender, [address])
        for text, addresses in mails
        for address in addresses
    ]
    if not messages:
        return
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:  # a mail server being down must not undo the case's change
        log.exception("notification e-mail failed for %d recipient(s)", len(messages))


def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None); only the user's
    own unread ones change, so someone else's ids are ignored rather than refused."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
