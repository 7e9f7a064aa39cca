"""API tokens: made once (the key is shown then and never again), checked by hash."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from cityloop.core.keys import key_hash, new_key
from cityloop.org.models import ApiToken, User

# "Last used" is kept to the minute: no write on every request of a busy integration.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key (shown once)."""
    key = new_key("cl_")
    token = ApiToken.objects.create(user=user, name=name, prefix=key[3:9], key_hash=key_hash(key))
    return token, key


def api_token_user(key: str) -> User | None:
    """The active user behind an active token, or None; records when it was last used."""
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=key_hash(key or ""), is_active=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` for apps and integrations (no CSRF: no cookies)."""

    def authenticate(self, request, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user
