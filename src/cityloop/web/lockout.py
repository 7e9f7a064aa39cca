"""Sign-in lock-out: N failures for one username within a window lock it for the window.

The rule (settings ``CITYLOOP_LOGIN_MAX_FAILURES``, default 5, and
``CITYLOOP_LOGIN_LOCK_MINUTES``, default 15): once a username has that many failures whose
window has not passed, it is locked until the oldest of them is a window old. Counted per
username (not per IP) so that spreading guesses over addresses does not help; a successful
sign-in clears the username's failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cityloop.web.models import LoginFailure


def _window() -> timedelta:
    return timedelta(minutes=settings.CITYLOOP_LOGIN_LOCK_MINUTES)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked_until(username: str, *, now: datetime | None = None) -> datetime | None:
    """When the username may try again, or None when it is not locked."""
    now = now or timezone.now()
    limit = settings.CITYLOOP_LOGIN_MAX_FAILURES
    recent = list(
        LoginFailure.objects.filter(username=_key(username), at__gt=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + _window()


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None, now: datetime | None = None) -> None:
    """Count one failed sign-in; forget failures older than the window."""
    now = now or timezone.now()
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    LoginFailure.objects.create(username=_key(username), at=now, ip=ip or None)


@transaction.atomic
def login_failures_clear(*, username: str) -> None:
    """A successful sign-in starts the count again."""
    LoginFailure.objects.filter(username=_key(username)).delete()
