"""The command centre's map: the open cases, clustered on the server.

Open cases come back as single points while the view holds few of them, and otherwise as
clusters: the view's box is cut into square cells (``CELLS_ACROSS`` along its longer side),
and one ``GROUP BY`` cell returns each cell's count per deadline state and its mean position.
The payload is then bounded by the number of cells, whatever the number of cases.

The boundary layers (district, streets, communities, grids) are the pages' shared layers of
``cityloop.web.maps`` (``/map/layers/<layer>.geojson``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, F, Max, Min, Q
from django.db.models.functions import Floor

from cityloop.events.choices import OPEN_STATES, ClockState
from cityloop.events.models import Case

MAX_POINTS = 400  # up to this many open cases in view: single points
CELLS_ACROSS = 32  # otherwise: clusters on a grid of cells this many along the longer side
DECIMALS = 6


class BadBox(ValueError):
    """The ``bbox`` parameter is not four numbers west,south,east,north."""


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str | None) -> Box | None:
        if not text:
            return None
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except ValueError as exc:
            raise BadBox(text) from exc
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise BadBox(text)
        return cls(west, south, east, north)

    def q(self) -> Q:
        return Q(lon__gte=self.west, lon__lte=self.east, lat__gte=self.south, lat__lte=self.north)


def open_cases_map(user, box: Box | None = None) -> dict:
    """The open cases the user may see in ``box`` (or everywhere): points or clusters."""
    cases = (
        Case.objects.visible_to(user)
        .filter(state__in=OPEN_STATES, lon__isnull=False, lat__isnull=False)
        .order_by()
    )
    if box is not None:
        cases = cases.filter(box.q())
    points = list(cases.values_list("ticket", "lon", "lat", "clock_state")[: MAX_POINTS + 1])
    if len(points) <= MAX_POINTS:
        return {
            "mode": "points",
            "count": len(points),
            "points": [
                [ticket, round(lon, DECIMALS), round(lat, DECIMALS), clock]
                for ticket, lon, lat, clock in points
            ],
        }
    return _clusters(cases, box or _extent(cases))


def _extent(cases) -> Box:
    ext = cases.aggregate(w=Min("lon"), s=Min("lat"), e=Max("lon"), n=Max("lat"))
    return Box(ext["w"], ext["s"], ext["e"] + 1e-9, ext["n"] + 1e-9)


def _clusters(cases, box: Box) -> dict:
    cell = max(box.east - box.west, box.north - box.south) / CELLS_ACROSS
    by_state = {
        state: Count("pk", filter=Q(clock_state=state))
        for state in (ClockState.ON_TIME, ClockState.WARNING, ClockState.OVERDUE)
    }
    rows = (
        cases.annotate(
            cx=Floor(F("lon") / cell),
            cy=Floor(F("lat") / cell),
        )
        .values("cx", "cy")
        .annotate(n=Count("pk"), lon=Avg("lon"), lat=Avg("lat"), **by_state)
    )
    clusters = [
        [
            round(row["lon"], DECIMALS),
            round(row["lat"], DECIMALS),
            row["n"],
            row[ClockState.ON_TIME],
            row[ClockState.WARNING],
            row[ClockState.OVERDUE],
        ]
        for row in rows
    ]
    return {
        "mode": "clusters",
        "count": sum(c[2] for c in clusters),
        "cell_degrees": cell,
        "fields": ["lon", "lat", "count", "on_time", "warning", "overdue"],
        "clusters": clusters,
    }
