"""Candidate duplicates: open cases of the same category, near in place and time.

Distance and window are the bureau's settings (``CITYLOOP_DUPLICATE_DISTANCE_M``, default 50 m;
``CITYLOOP_DUPLICATE_WINDOW_HOURS``, default 72 h). A dispatcher merges a duplicate into the
surviving case (action ``merge``); its reporter then follows the survivor by their own ticket.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from cityloop.events.choices import OPEN_STATES, CaseState
from cityloop.events.models import Case
from cityloop.geo.coordinates import distance_m
from cityloop.geo.shapes import metres_per_degree


def duplicate_settings() -> tuple[float, timedelta]:
    distance = float(getattr(settings, "CITYLOOP_DUPLICATE_DISTANCE_M", 50))
    window = timedelta(hours=float(getattr(settings, "CITYLOOP_DUPLICATE_WINDOW_HOURS", 72)))
    return distance, window


def duplicate_candidates(case: Case, *, user: Any, limit: int = 10) -> list[tuple[Case, float]]:
    """(case, distance in metres) of the likely duplicates ``user`` may see, nearest first.

    The candidates start from ``Case.objects.visible_to(user)`` like every other read, so a
    case outside the user's scope is never named, and never counts against ``limit``.
    """
    if case.category_id is None or case.lon is None:
        return []
    distance, window = duplicate_settings()
    mx, my = metres_per_degree(case.lat)
    dlon, dlat = distance / mx, distance / my
    nearby: QuerySet = (
        Case.objects.visible_to(user)
        .filter(
            category_id=case.category_id,
            state__in=OPEN_STATES - {CaseState.SUSPENDED},
            reported_at__gte=case.reported_at - window,
            reported_at__lte=case.reported_at + window,
            lon__range=(case.lon - dlon, case.lon + dlon),
            lat__range=(case.lat - dlat, case.lat + dlat),
        )
        .exclude(pk=case.pk)
        .only("id", "ticket", "lon", "lat", "reported_at", "state", "description")
    )
    found = [(c, float(distance_m(case.lon, case.lat, c.lon, c.lat))) for c in nearby[:200]]
    found = [(c, d) for c, d in found if d <= distance and not math.isnan(d)]
    return sorted(found, key=lambda pair: (pair[1], pair[0].reported_at))[:limit]


def following(ticket: str) -> Case | None:
    """The case a reporter follows by their ticket: the surviving case if theirs was merged."""
    case = Case.objects.filter(ticket=ticket).first()
    hops = 0
    while case is not None and case.merged_into_id is not None and hops < 10:
        case = case.merged_into
        hops += 1
    return case
