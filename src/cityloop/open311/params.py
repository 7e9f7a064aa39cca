"""Reading request parameters as liberally as real clients need.

A parameter may come in the query string or in the body (urlencoded or multipart): the
``open311`` Python client posts ``api_key`` and ``jurisdiction_id`` in the query string, other
clients in the body. An empty parameter counts as absent (GeoReport v2).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.open311 import config
from cityloop.open311.errors import NotFound


def param(request: HttpRequest, name: str) -> str | None:
    """The stripped value of ``name`` from the body, else the query string; None if empty.

    NUL characters are dropped: no text needs them, and PostgreSQL cannot store them.
    """
    for source in (request.POST, request.GET):
        value = (source.get(name) or "").replace("\x00", "").strip()
        if value:
            return value
    return None


def jurisdiction_check(request: HttpRequest) -> None:
    """One jurisdiction is served: ``jurisdiction_id`` may be left out, but not be another."""
    given = param(request, "jurisdiction_id")
    if given is not None and given != config.jurisdiction():
        message = _("jurisdiction_id %(given)s is not served here; this endpoint serves %(ours)s")
        raise NotFound(lazy_format(message, {"given": given, "ours": config.jurisdiction()}))
