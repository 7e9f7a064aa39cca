"""The interface's settings, each read when used so that tests and deployments can change them.

- ``CITYLOOP_OPEN311_JURISDICTION``: the ``jurisdiction_id`` this endpoint serves (GeoReport v2
  suggests the main website's domain); a request naming another one gets 404.
- ``CITYLOOP_OPEN311_CONTACT``, ``CITYLOOP_OPEN311_KEY_SERVICE``: the discovery document's
  ``contact`` and ``key_service`` texts.
- ``CITYLOOP_OPEN311_ENDPOINT_TYPE``: ``production`` or ``test`` (discovery).
- ``CITYLOOP_OPEN311_CHANGESET``: the discovery ``changeset``; change it when the service list
  changes so that clients refresh their cached copy.
- ``CITYLOOP_OPEN311_PUBLIC_SOURCES``: the case sources that GET requests shows, the same
  that the citizens' pages and API show by ticket (``events.selectors.published_sources``;
  docs/decisions/0016: the 12345 hotline's orders and leaders' instructions are left out).
"""

from __future__ import annotations

from django.conf import settings

from cityloop.events.selectors import published_sources

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25 00:00"
MAX_PAGE_SIZE = 1000
MAX_DATE_RANGE_DAYS = 90


def jurisdiction() -> str:
    return getattr(settings, "CITYLOOP_OPEN311_JURISDICTION", "luohu.sz.gov.cn")


def contact() -> str:
    return getattr(
        settings,
        "CITYLOOP_OPEN311_CONTACT",
        "罗湖区城市管理和综合执法局 Luohu District Urban Management Bureau",
    )


def key_service() -> str:
    return getattr(
        settings,
        "CITYLOOP_OPEN311_KEY_SERVICE",
        "向区城市管理局申请 API 密钥 / Ask the district urban management bureau for an API key",
    )


def endpoint_type() -> str:
    return getattr(settings, "CITYLOOP_OPEN311_ENDPOINT_TYPE", "production")


def changeset() -> str:
    return getattr(settings, "CITYLOOP_OPEN311_CHANGESET", CHANGESET)


def public_sources() -> tuple[str, ...]:
    return published_sources()
