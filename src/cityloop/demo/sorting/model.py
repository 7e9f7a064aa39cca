"""The demo year of garbage sorting as numbers: who disposed when, how much and how well, which
devices were up, what the trucks collected and the plants weighed (docs/demo.md).

One model serves both halves of the year: the bulk days are summed straight into roll-up rows
(``rollups.py``), the raw days become records sent through the ingestion pipeline
(``raw.py``), so both come from the same households, devices and rates. Everything is drawn
from generators seeded with the seed (and the day), so the same seed gives the same year.

Patterns: participation 60–90 % of households a day (weekends a little higher; the Spring
Festival, when much of Shenzhen goes home, far lower), a correct-sorting rate that improves
slowly over the year, kitchen waste about a third of the collected weight, a few bad
communities (low participation and sorting, more camera alarms), device outages of a few
days now and then and a few flaky devices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from cityloop.demo.sorting.registry import HAZARDOUS, KITCHEN, OTHER, RECYCLABLE, TYPES, Registry

# Chinese New Year's Day (正月初一) by year: the Spring Festival dip is centred on it.
SPRING_FESTIVAL = {
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
}  # fmt: skip
# Positions of kitchen, recyclable, hazardous and other (X) waste in the arrays' first axis.
K, R, Z, X = (TYPES.index(t) for t in (KITCHEN, RECYCLABLE, HAZARDOUS, OTHER))
# Per household and day it disposes: the chance of a bag of each type (other: when no kitchen
# bag, always), and the mean weight of a bag in kg (gamma distributed, shape 2).
KITCHEN_BAG, OTHER_WITH_KITCHEN, RECYCLABLE_BAG, HAZARDOUS_BAG = 0.8, 0.65, 0.12, 0.012
MEAN_KG = {K: 0.8, R: 1.6, Z: 0.2, X: 1.2}
WEIGHT_SHAPE = 2.0
JUDGED = 0.9  # share of disposals the camera judges when it is up
TYPE_BONUS = {K: 0.0, R: 0.05, Z: 0.08, X: 0.03}  # correct-sorting rate above kitchen waste
# What the trucks weigh beyond the cards' disposals (visitors, households without a card,
# tenants' shops): a factor on the day's disposed weight, by type.
COLLECTED_FACTOR = {K: (1.05, 1.2), X: (1.2, 1.5)}
RECYCLABLE_DAYS = (0, 3)  # Monday and Thursday
HAZARDOUS_DATES = (1, 16)
BAD_SHARE = 0.06
UNDERSIZED = 0.06
OUTAGE_START, FLAKY_START, FLAKY_SHARE, OUTAGE_END = 0.004, 0.03, 0.05, 0.35
HOURS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 2.0, 6.0, 8.0, 5.0, 2.0, 1.5,
     2.0, 1.5, 1.0, 1.0, 1.5, 2.5, 4.5, 8.0, 9.0, 6.0, 2.0, 0.6]
)  # disposals by hour: the 7–9 and 19–21 windows of 定时定点投放  # fmt: skip
HOURS = HOURS / HOURS.sum()


def spring_festival_factor(day: date) -> float:
    """Participation against a normal day around Chinese New Year (1.0 elsewhere)."""
    for year in (day.year - 1, day.year, day.year + 1):
        new_year = SPRING_FESTIVAL.get(year)
        if new_year is None:
            continue
        k = (day - new_year).days
        if -5 <= k < 0:
            return 0.9 - 0.05 * (k + 5)
        if 0 <= k < 7:
            return 0.55
        if 7 <= k < 15:
            return 0.6 + 0.05 * (k - 7)
    return 1.0


@dataclass
class Points:
    """Per point and day (arrays of shape points × days, one per type where typed)."""

    households: np.ndarray  # households that disposed and were recorded
    disposals: np.ndarray  # (4, P, D)
    disposed_kg: np.ndarray
    judged: np.ndarray
    correct: np.ndarray
    collections: np.ndarray
    collected_kg: np.ndarray
    alarms: np.ndarray  # (P, D)


class Year:
    """The model of the whole year; ``days`` in order, ``raw`` the positions of the raw days."""

    def __init__(self, registry: Registry, seed: int, days: list[date]) -> None:
        self.registry, self.seed, self.days = registry, seed, days
        self._loads: dict[int, list] = {}
        rng = np.random.default_rng([seed, 11])
        self.n_days = len(days)
        stations = registry.stations
        n_comm, n_points = len(registry.communities), len(stations)
        self.point_community = np.array([s.community for s in stations])
        self.multi = np.array([s.multi for s in stations])
        self.bins = np.array([[len(s.bins.get(t, ())) for t in TYPES] for s in stations]).T
        bad = rng.choice(n_comm, size=max(1, round(BAD_SHARE * n_comm)), replace=False)
        self.bad = np.zeros(n_comm, dtype=bool)
        self.bad[bad] = True
        self.participation = np.where(
            self.bad, rng.uniform(0.5, 0.6, n_comm), rng.uniform(0.66, 0.86, n_comm)
        )
        self.correct_base = np.where(
            self.bad, rng.uniform(0.5, 0.62, n_comm), rng.uniform(0.78, 0.9, n_comm)
        )
        self.correct_gain = rng.uniform(0.03, 0.08, n_comm)
        self.alarm_rate = rng.uniform(0.02, 0.15, n_points) * np.where(
            self.bad[self.point_community], 4.0, 1.0
        )
        # How full the bins are by the evening round: a few points (6 %) are too small
        # for their households and fill up before it (fill-level alarms, collection tasks).
        undersized = rng.random(n_points) < UNDERSIZED
        self.crowding = np.where(
            undersized, rng.uniform(1.15, 1.45, n_points), rng.uniform(0.4, 0.9, n_points)
        )
        self.day_factor = np.array(
            [(1.04 if d.weekday() >= 5 else 1.0) * spring_festival_factor(d) for d in days]
        )
        self.progress = np.linspace(0.0, 1.0, max(2, self.n_days))[: self.n_days]
        self.gateway_up = self._uptime(rng, n_points)
        self.camera_up = self._uptime(rng, n_points)
        self.fill_up = self._uptime(rng, n_points)
        self._households(rng)
        self.points = self._point_days(np.random.default_rng([seed, 13]))

    # --- devices and households --------------------------------------------------------
    def _uptime(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Up or down each day: outages start now and then (often for a flaky few) and end
        with a chance of OUTAGE_END a day (about three days long)."""
        start = np.where(rng.random(n) < FLAKY_SHARE, FLAKY_START, OUTAGE_START)
        up = np.ones((n, self.n_days), dtype=bool)
        down = np.zeros(n, dtype=bool)
        for d in range(self.n_days):
            draw = rng.random(n)
            down = np.where(down, draw >= OUTAGE_END, draw < start)
            up[:, d] = ~down
        return up

    def _households(self, rng: np.random.Generator) -> None:
        """Which household disposed on which day (physically, and recorded: its station's
        reader or scale was up)."""
        points = self.registry.household_point
        community = self.point_community[points]
        mean = self.participation[community]
        spread = 6.0
        propensity = rng.beta(mean * spread, (1 - mean) * spread)
        trend = 0.96 + 0.06 * self.progress
        daily = np.clip(self.day_factor * trend, 0, None)
        self.disposed = np.empty((len(points), self.n_days), dtype=bool)
        chunk = 4096
        for start in range(0, len(points), chunk):
            p = propensity[start : start + chunk, None] * daily[None, :]
            self.disposed[start : start + chunk] = rng.random(p.shape, dtype=np.float32) < p
        self.recorded = self.disposed & self.gateway_up[points]
        self.offender = rng.random(len(points)) < 0.03  # households that keep mixing waste
        self.starts = np.flatnonzero(np.r_[True, points[1:] != points[:-1]])

    def correct_rate(self, community: np.ndarray, t: int, d: int) -> np.ndarray:
        rate = self.correct_base[community] + self.correct_gain[community] * self.progress[d]
        return np.clip(rate + TYPE_BONUS[t], 0.0, 0.99)

    # --- per point and day ---------------------------------------------------------------
    def _point_days(self, rng: np.random.Generator) -> Points:
        shape = (len(TYPES), len(self.registry.stations), self.n_days)
        physical = np.add.reduceat(self.disposed, self.starts, axis=0).astype(np.int64)
        recorded = np.add.reduceat(self.recorded, self.starts, axis=0).astype(np.int64)
        disposals = self._bags(rng, recorded)
        physical_bags = self._bags(rng, physical)
        kg = self._weights(rng, disposals)
        physical_kg = self._weights(rng, physical_bags)
        judged = np.zeros(shape, dtype=np.int64)
        correct = np.zeros(shape, dtype=np.int64)
        community = self.point_community
        for t in range(len(TYPES)):
            judged[t] = rng.binomial(disposals[t], JUDGED) * self.camera_up
            rates = np.stack([self.correct_rate(community, t, d) for d in range(self.n_days)], 1)
            correct[t] = rng.binomial(judged[t], rates)
        collections, collected = self._collections(rng, physical_kg)
        alarms = rng.poisson(self.alarm_rate[:, None], (shape[1], shape[2])) * self.camera_up
        return Points(recorded, disposals, kg, judged, correct, collections, collected, alarms)

    def _bags(self, rng: np.random.Generator, households: np.ndarray) -> np.ndarray:
        bags = np.zeros((len(TYPES), *households.shape), dtype=np.int64)
        bags[K] = rng.binomial(households, KITCHEN_BAG)
        bags[X] = households - bags[K] + rng.binomial(bags[K], OTHER_WITH_KITCHEN)
        multi = self.multi[:, None]
        bags[R] = rng.binomial(households, RECYCLABLE_BAG) * multi
        bags[Z] = rng.binomial(households, HAZARDOUS_BAG) * multi
        return bags

    @staticmethod
    def _weights(rng: np.random.Generator, bags: np.ndarray) -> np.ndarray:
        kg = np.zeros(bags.shape)
        for t in range(len(TYPES)):
            shape = np.maximum(bags[t], 1) * WEIGHT_SHAPE
            kg[t] = np.where(bags[t] > 0, rng.gamma(shape, MEAN_KG[t] / WEIGHT_SHAPE), 0.0)
        return kg

    def _collections(self, rng: np.random.Generator, physical_kg: np.ndarray):
        """Kitchen and other waste every evening; recyclables on Mondays and Thursdays, the
        hazardous boxes twice a month: what was disposed since the last round."""
        collections = np.zeros(physical_kg.shape, dtype=np.int64)
        collected = np.zeros(physical_kg.shape)
        for t, (low, high) in COLLECTED_FACTOR.items():
            collected[t] = physical_kg[t] * rng.uniform(low, high, physical_kg[t].shape)
        for t, due in (
            (R, self._due(RECYCLABLE_DAYS, None)),
            (Z, self._due(None, HAZARDOUS_DATES)),
        ):
            waiting = np.zeros(physical_kg.shape[1])
            for d in range(self.n_days):
                waiting += physical_kg[t][:, d]
                if due[d]:
                    collected[t][:, d] = waiting * rng.uniform(0.95, 1.05, waiting.shape)
                    waiting[:] = 0
        collected = np.round(collected, 1)
        for t in range(len(TYPES)):
            collections[t] = np.where(collected[t] > 0, self.bins[t][:, None], 0)
        return collections, collected

    def _due(self, weekdays, dates) -> np.ndarray:
        return np.array(
            [
                (weekdays and d.weekday() in weekdays) or (dates and d.day in dates)
                for d in self.days
            ],
            dtype=bool,
        )

    # --- roll-ups of households ------------------------------------------------------------
    def community_days(self, d: int) -> np.ndarray:
        """Households recorded per community on day ``d``."""
        community = self.point_community[self.registry.household_point]
        return np.bincount(community, self.recorded[:, d], len(self.registry.communities))

    def months(self) -> list[tuple[date, list[int]]]:
        """Each month of the year (its first day) with the positions of its days."""
        found: dict[date, list[int]] = {}
        for d, day in enumerate(self.days):
            found.setdefault(day.replace(day=1), []).append(d)
        return list(found.items())

    def plant_loads(self, d: int) -> list[tuple[int, int, str, float, int]]:
        """The day's loads (computed once per day)."""
        if d not in self._loads:
            self._loads[d] = self._plant_loads(d)
        return self._loads[d]

    def _plant_loads(self, d: int) -> list[tuple[int, int, str, float, int]]:
        """The day's truck loads at the plants: (weighbridge, truck, waste type, net kg, minute
        of the day), each truck's collections split into trips within its capacity."""
        rng = np.random.default_rng([self.seed, 31, d])
        registry, loads = self.registry, []
        totals: dict[tuple[int, int], float] = {}
        for s, station in enumerate(registry.stations):
            for t in range(len(TYPES)):
                kg = self.points.collected_kg[t, s, d]
                if kg > 0:
                    carrier = station.trucks[KITCHEN if t == K else OTHER if t == X else RECYCLABLE]
                    totals[(carrier, t)] = totals.get((carrier, t), 0.0) + kg
        for (truck, t), kg in sorted(totals.items()):
            unit = registry.trucks[truck]
            trips = max(1, int(np.ceil(kg / unit.truck.capacity_kg)))
            shares = rng.dirichlet(np.full(trips, 20.0))
            bridge = next(
                i for i, (_, types) in enumerate(registry.weighbridges) if TYPES[t] in types
            )
            for share in shares:
                net = float(max(10, round(float(kg * share) / 10) * 10))
                loads.append((bridge, truck, TYPES[t], net, int(rng.integers(22 * 60, 24 * 60))))
        return loads
