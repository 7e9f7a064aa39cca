"""Sign-in lock-out: N failures for one username within a window lock it for the window.

The rule (settings ``CITYLOOP_LOGIN_MAX_FAILURES``, default 5, and
``CITYLOOP_LOGIN_LOCK_MINUTES``, default 15): once a username has that many failures whose
window has not passed, it is locked until the oldest of them is a window old. Counted per
username (not per IP) so that spreading guesses over addresses does not help; a successful
sign-in clears the username's failures.

The rule is kept by the authentication backend (``LockoutBackend``, the only entry of
``AUTHENTICATION_BACKENDS``), so that every door that takes a password (the site's /login/,
the administration's /admin/login/, anything calling ``django.contrib.auth.authenticate``)
counts the same failures and refuses a locked username, even with the right password.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


def locked_message(until: datetime) -> str:
    """What a locked user reads, on every door: the local time to try again."""
    return _(
        "Too many failed attempts for this username. It is locked until %(time)s; "
        "try again then, or ask your administrator."
    ) % {"time": timezone.localtime(until).strftime("%H:%M")}


def _client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class LockoutBackend(ModelBackend):
    """Django's model backend behind the lock-out: locked → refused, wrong → counted.

    A locked username is refused without checking its password and without counting another
    failure (``PermissionDenied`` stops ``authenticate`` at this backend); a wrong password or
    an unknown username counts one failure; a right one clears the count.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        until = locked_until(username)
        if until is not None:
            raise PermissionDenied(locked_message(until))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, ip=_client_ip(request))
        else:
            login_failures_clear(username=username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
