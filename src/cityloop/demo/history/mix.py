"""What the demo year is made of: categories and their yearly volumes, sources, places, hours
and the rates of every side path. Data only; docs/demo.md explains each choice.

The four street-order figures of the bureau's 2023 work report (seed) fix the volumes of the
categories they map to (``SEED_GROUPS``); the rest of the mix is invented to look like a dense
core district: garbage, bins, sorting points, shared bikes, components, construction, noise.
"""

from __future__ import annotations

from dataclasses import dataclass

# The seed's yearly figures (清理整治各类违法乱摆卖1.5万多宗, 清理"三乱"2.4万多宗,
# 查处违法超门线经营行为1.9万多宗, 整治乱堆放8100多宗) and the categories that carry them.
SEED_GROUPS: dict[str, int] = {
    "乱摆卖": 15_000,
    "三乱": 24_000,
    "超门线经营": 19_000,
    "乱堆放": 8_100,
}


@dataclass(frozen=True)
class CategoryMix:
    """One catalogue category's part of the year."""

    kind: str  # "event" or "component"
    code: str  # "04-05"
    yearly: int  # cases a year at the default volume
    group: str = ""  # the seed figure it belongs to
    sources: str = "patrol"  # a key of SOURCE_MIXES
    places: str = "general"  # a key of PLACE_MIXES
    evening: bool = False  # reported mostly in the evening and at night
    season: str = ""  # a key of SEASONS


def _m(kind, code, yearly, group="", sources="patrol", places="general", evening=False, season=""):
    return CategoryMix(kind, code, yearly, group, sources, places, evening, season)


E, C = "event", "component"
CATEGORIES: tuple[CategoryMix, ...] = (
    # 乱摆卖 15,000: unlicensed hawkers, stalls on the road, scrap buyers, night markets.
    _m(E, "04-01", 8_600, "乱摆卖", "street", "hawkers"),
    _m(E, "04-06", 5_200, "乱摆卖", "street", "hawkers"),
    _m(E, "04-04", 500, "乱摆卖", "street", "general"),
    _m(E, "04-02", 400, "乱摆卖", "street", "markets", evening=True),
    _m(E, "04-91", 300, "乱摆卖", "street", "core"),
    # 三乱 (乱张贴、乱涂写、乱刻画) 24,000: small ads, flyers, banners.
    _m(E, "02-01", 20_400, "三乱", "street", "ads"),
    _m(E, "02-02", 2_400, "三乱", "street", "core"),
    _m(E, "02-07", 1_200, "三乱", "street", "general"),
    # 超门线经营 19,000: shops trading beyond their door line, promotions on the pavement.
    _m(E, "04-05", 17_600, "超门线经营", "street", "frontage"),
    _m(E, "04-95", 1_400, "超门线经营", "street", "frontage"),
    # 乱堆放 8,100: piled goods and materials, dumped furniture.
    _m(E, "01-36", 7_400, "乱堆放", "street", "piles"),
    _m(E, "01-35", 700, "乱堆放", "sanitation", "residential"),
    # Sanitation, bins and garbage sorting.
    _m(E, "01-10", 3_600, "", "sanitation", "garbage"),
    _m(E, "01-12", 3_000, "", "sanitation", "general"),
    _m(E, "01-92", 2_400, "", "bins", "bins"),
    _m(E, "01-70", 2_200, "", "sorting", "sorting"),
    _m(E, "01-93", 400, "", "sorting", "sorting"),
    _m(E, "01-14", 500, "", "sanitation", "general"),
    _m(E, "01-11", 400, "", "sanitation", "residential"),
    _m(E, "01-17", 500, "", "sanitation", "outskirts"),
    _m(E, "06-04", 300, "", "street", "frontage"),
    # City appearance and order.
    _m(E, "01-07", 500, "", "street", "residential"),
    _m(E, "01-19", 200, "", "street", "core"),
    _m(E, "01-04", 200, "", "facility", "core"),
    _m(E, "01-96", 200, "", "street", "residential"),
    _m(E, "02-06", 300, "", "street", "core"),
    _m(E, "02-70", 200, "", "street", "core"),
    _m(E, "02-03", 150, "", "street", "general"),
    _m(E, "04-93", 2_800, "", "bikes", "core"),
    _m(E, "04-10", 1_200, "", "bikes", "general"),
    _m(E, "04-96", 300, "", "public", "residential"),
    # Noise, dogs, construction.
    _m(E, "01-28", 500, "", "nuisance", "core", evening=True),
    _m(E, "01-29", 400, "", "nuisance", "general", evening=True),
    _m(E, "03-01", 600, "", "nuisance", "residential", evening=True),
    _m(E, "01-71", 250, "", "nuisance", "residential"),
    _m(E, "01-72", 150, "", "public", "general"),
    _m(E, "01-84", 150, "", "public", "residential"),
    _m(E, "01-01", 300, "", "construction", "residential"),
    _m(E, "03-02", 300, "", "construction", "general"),
    _m(E, "03-04", 300, "", "construction", "outskirts"),
    _m(E, "03-07", 200, "", "construction", "general"),
    _m(E, "03-12", 150, "", "construction", "outskirts"),
    # Roads, water, greening, emergencies.
    _m(E, "01-13", 500, "", "facility", "general"),
    _m(E, "01-30", 200, "", "facility", "general"),
    _m(E, "05-03", 200, "", "facility", "general", season="rain"),
    _m(E, "05-06", 250, "", "facility", "general", season="rain"),
    _m(E, "05-96", 50, "", "public", "core"),
    _m(E, "01-21", 150, "", "greening", "outskirts", season="growth"),
    _m(E, "01-74", 150, "", "greening", "outskirts", season="growth"),
    _m(E, "01-91", 100, "", "greening", "outskirts"),
    _m(E, "01-73", 30, "", "greening", "outskirts"),
    # Components (部件).
    _m(C, "01-37", 800, "", "facility", "general"),
    _m(C, "01-02", 300, "", "facility", "general", season="rain"),
    _m(C, "01-03", 300, "", "facility", "general", season="rain"),
    _m(C, "01-04", 400, "", "facility", "general", season="rain"),
    _m(C, "01-01", 200, "", "facility", "general"),
    _m(C, "03-05", 600, "", "facility", "core"),
    _m(C, "03-01", 150, "", "facility", "general"),
    _m(C, "02-17", 300, "", "facility", "general"),
    _m(C, "02-84", 400, "", "facility", "core"),
    _m(C, "02-12", 80, "", "facility", "general"),
    _m(C, "02-04", 150, "", "facility", "general"),
    _m(C, "04-02", 400, "", "greening", "general", season="growth"),
    _m(C, "04-08", 100, "", "greening", "outskirts"),
    _m(C, "01-28", 100, "", "facility", "general"),
    _m(C, "01-27", 100, "", "facility", "general"),
    _m(C, "03-08", 80, "", "facility", "core"),
)  # fmt: skip

DEFAULT_YEARLY = sum(c.yearly for c in CATEGORIES)  # 94,840

# Where reports come from, by kind of problem (shares sum to 1).
SOURCE_MIXES: dict[str, dict[str, float]] = {
    "street": {"inspector": 0.64, "ai_camera": 0.17, "citizen": 0.06, "hotline": 0.10,
               "open311": 0.01, "leader": 0.01, "entity_self_report": 0.01},
    "patrol": {"inspector": 0.70, "citizen": 0.10, "hotline": 0.15, "open311": 0.02,
               "leader": 0.03},
    "sanitation": {"inspector": 0.55, "citizen": 0.11, "hotline": 0.12, "iot_sensor": 0.04,
                   "ai_camera": 0.06, "entity_self_report": 0.10, "open311": 0.01,
                   "leader": 0.01},
    "bins": {"iot_sensor": 0.45, "inspector": 0.30, "entity_self_report": 0.10,
             "citizen": 0.07, "hotline": 0.07, "open311": 0.01},
    "sorting": {"ai_camera": 0.50, "inspector": 0.28, "entity_self_report": 0.10,
                "citizen": 0.05, "hotline": 0.06, "open311": 0.01},
    "nuisance": {"hotline": 0.55, "citizen": 0.21, "inspector": 0.20, "open311": 0.02,
                 "leader": 0.02},
    "public": {"hotline": 0.45, "citizen": 0.25, "inspector": 0.27, "open311": 0.02,
               "leader": 0.01},
    "facility": {"inspector": 0.62, "citizen": 0.13, "hotline": 0.16, "open311": 0.02,
                 "iot_sensor": 0.05, "leader": 0.02},
    "bikes": {"inspector": 0.45, "ai_camera": 0.25, "citizen": 0.12, "hotline": 0.15,
              "open311": 0.02, "leader": 0.01},
    "greening": {"inspector": 0.60, "citizen": 0.15, "hotline": 0.20, "open311": 0.02,
                 "leader": 0.03},
    "construction": {"inspector": 0.50, "hotline": 0.30, "citizen": 0.13, "ai_camera": 0.03,
                     "open311": 0.02, "leader": 0.02},
}  # fmt: skip

# Where in the district: (kind of place, share). Grid places are weighted by area class
# (A core, B general, C outskirts); zone places pick a social entity's zone of that kind.
GRID_WEIGHTS: dict[str, dict[str, float]] = {
    "core": {"a": 6.0, "b": 1.0, "c": 0.15},
    "general": {"a": 2.0, "b": 1.0, "c": 0.4},
    "residential": {"a": 1.0, "b": 2.0, "c": 0.5},
    "outskirts": {"a": 0.3, "b": 1.0, "c": 3.0},
}
ZONE_KINDS = ("frontage", "estate", "market")
PLACE_MIXES: dict[str, tuple[tuple[str, float], ...]] = {
    "general": (("general", 1.0),),
    "core": (("core", 1.0),),
    "residential": (("residential", 1.0),),
    "outskirts": (("outskirts", 0.6), ("general", 0.4)),
    "hawkers": (("core", 0.82), ("market", 0.18)),
    "markets": (("market", 0.6), ("core", 0.4)),
    "ads": (("core", 0.6), ("general", 0.4)),
    "frontage": (("frontage", 1.0),),
    "piles": (("frontage", 0.35), ("estate", 0.15), ("core", 0.3), ("general", 0.2)),
    "garbage": (("frontage", 0.1), ("estate", 0.25), ("general", 0.65)),
    "bins": (("estate", 0.45), ("general", 0.55)),
    "sorting": (("estate", 0.85), ("residential", 0.15)),
}
ZONE_AREA_WEIGHTS = {"a": 3.0, "b": 1.0, "c": 0.3}

# Reports per hour of the day (0–23), by source.
_PATROL = (0, 0, 0, 0, 0, 0, 0.2, 1, 3, 4, 4, 3, 1, 0.5, 3, 4, 4, 3, 2, 2, 1.5, 0.5, 0, 0)
_PUBLIC = (
    0.3,
    0.2,
    0.1,
    0.1,
    0.1,
    0.2,
    0.5,
    1.5,
    3,
    3.5,
    3.5,
    3,
    2.5,
    2.5,
    3,
    3,
    3,
    3,
    3,
    3.5,
    3.5,
    3,
    2,
    1,
)
_CAMERA = (
    0.3,
    0.2,
    0.2,
    0.2,
    0.2,
    0.4,
    1,
    2,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3,
    3.5,
    4,
    4.5,
    4.5,
    3.5,
    2,
    1,
)
_SENSOR = (0.5, 0.3, 0.2, 0.2, 0.2, 0.5, 1.5, 3, 4, 3, 2, 2, 3, 3, 2, 2, 2, 3, 4, 4, 3, 2, 1.5, 1)
_OFFICE = (0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 4, 3, 1, 0, 2, 4, 4, 3, 1, 0, 0, 0, 0, 0)
HOURS: dict[str, tuple[float, ...]] = {
    "inspector": _PATROL,
    "citizen": _PUBLIC,
    "open311": _PUBLIC,
    "hotline": _PUBLIC,
    "ai_camera": _CAMERA,
    "iot_sensor": _SENSOR,
    "entity_self_report": _OFFICE,
    "leader": _OFFICE,
}  # fmt: skip
# Evening categories (noise, barbecues, night markets): these hours weigh more.
EVENING_BOOST = {19: 2.0, 20: 3.0, 21: 3.5, 22: 3.5, 23: 3.0, 0: 2.5, 1: 2.0}

# Days: weekday factors (Monday = 0) by source, and a factor on public holidays.
WEEKDAYS = {
    "inspector": (1, 1, 1, 1, 1, 0.8, 0.7),
    "citizen": (0.95, 0.95, 0.95, 0.95, 1, 1.2, 1.2),
    "open311": (0.95, 0.95, 0.95, 0.95, 1, 1.2, 1.2),
    "hotline": (1, 1, 1, 1, 1, 1.1, 1.1),
    "entity_self_report": (1, 1, 1, 1, 1, 0.4, 0.3),
    "leader": (1, 1, 1, 1, 1, 0.2, 0.1),
}
HOLIDAY_FACTOR = {"inspector": 0.6, "entity_self_report": 0.3, "leader": 0.1}
# Months (1–12) that weigh more for seasonal categories: rain (April–September), growth.
SEASONS = {
    "rain": {4: 1.5, 5: 2.5, 6: 3.0, 7: 3.0, 8: 3.0, 9: 2.0},
    "growth": {3: 1.5, 4: 2.0, 5: 2.0, 6: 2.0, 7: 2.0, 8: 2.0, 9: 1.5, 10: 1.5},
}

# Side paths. Probabilities per case unless said otherwise.
REJECT = {
    "citizen": 0.06, "hotline": 0.04, "open311": 0.06, "ai_camera": 0.07, "iot_sensor": 0.03,
    "inspector": 0.004, "entity_self_report": 0.02, "leader": 0.0,
}  # fmt: skip
REFUTE = 0.04  # public reports not found on site
MERGE = {"citizen": 0.05, "hotline": 0.06, "open311": 0.05}  # a duplicate of an open case
MERGE_OTHER = 0.004
CANCEL = 0.003  # filed by mistake: 作废
RETURN = 0.012  # dispatched to the wrong unit, returned (退回), dispatched again
JOINT_CATEGORIES = {"01-01", "03-01", "01-30", "05-03", "01-28", "03-02"}
JOINT = 0.15  # of those categories: 街道吹哨、部门报到
# The lead unit misses its deadline (before escalation, by kind of unit). An escalated case
# is not closed on time: the tier above inherits the first handling deadline (clock_start).
LATE = {"social_entity": 0.07, "community": 0.05, "street": 0.09, "department": 0.14}
STRAGGLER = 0.004  # a late case that drags on for weeks (open and overdue at the end)
REWORK = 0.016  # the check on site fails (返工); again after a rework: REWORK_AGAIN
REWORK_AGAIN = 0.1
EXTENSION = 0.2  # of cases whose lead unit has an account and a limit of 4 h or more
SUSPENSION = 0.08  # of long-work categories (below) whose lead unit has an account
SUSPENSION_DAYS = (10, 150)  # parked this long before it is resumed
SUSPENSION_CATEGORIES = {"01-01", "01-13", "03-07", "02-84", "01-02", "01-03", "01-37"}
URGE_OVERDUE = 0.5  # a leader presses an overdue case (督办); URGE_AGAIN of those twice
URGE_AGAIN = 0.2
URGE_ANY = 0.004
EVALUATE = 0.85  # public reports rated on the return visit (回访)
SATISFACTION = {5: 0.70, 4: 0.22, 3: 0.05, 2: 0.02, 1: 0.01}
SATISFACTION_LATE = {5: 0.45, 4: 0.30, 3: 0.15, 2: 0.06, 1: 0.04}
HOLD = 0.08  # in the last three days, a case waits at some step (so every open state shows)
URGENT_CATEGORIES = {"05-03", "05-06", "05-96"}  # urgent cases: every clock is continuous
URGENT = 0.3
