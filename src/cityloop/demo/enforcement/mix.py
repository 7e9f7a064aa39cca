"""The demo year's enforcement mix: how many cases of each category, against whom, by which
procedure, with which fines, and how the cases go (the rates of a working street team).

The volumes are the seed's (/work/shared/seed/seed-readable.md, 2023 work report: 全区办理行政
执法案件3876宗, 垃圾分类行政处罚案件353宗, 共享单车行政处罚案件471宗, 审查重难点案件135宗); the
split of the rest over vending, out-of-store business, piling, 三乱, ads, greening and dogs, the
procedures and the rates are the demo's assumptions, chosen to look like a street team's year.
Fines stay inside each violation's catalogue range and, on the spot, inside 第五十一条; where the
catalogue has no amount (数额按地方规定), the amounts here are the demo's.
"""

from __future__ import annotations

from dataclasses import dataclass

# Enforcement cases handled in a year (filed, or decided on the spot) by category; the seed's
# 3876 in all. Garbage and shared bikes are sized so that their penalties decided in the year
# come out near the seed's 353 and 471.
YEARLY: dict[str, int] = {
    "garbage": 388,
    "shared_bikes": 506,
    "vending": 1000,
    "out_of_store": 800,
    "piling": 352,
    "posting": 350,
    "ads": 150,
    "greening": 154,
    "dogs": 176,
}
DEFAULT_CASES = sum(YEARLY.values())  # 3876

# Clues that never become a case, on top of the cases: not filed (不予立案) and transferred.
NOT_FILED = 0.05
TRANSFERRED = 0.015


@dataclass(frozen=True)
class Offence:
    """One violation of the catalogue as the teams meet it: its share of its category, who
    commits it (a ``parties`` pool), how often it is decided on the spot, the fines given on
    the spot and after an investigation, the share of warnings alone, and how often it is a
    difficult case (第五十八条)."""

    code: str
    share: float
    party: str
    simple: float
    spot: tuple[int, ...]
    fines: tuple[int, ...]
    tier: str = ""
    warning: float = 0.0
    difficult: float = 0.02


OFFENCES: dict[str, tuple[Offence, ...]] = {
    "garbage": (
        Offence("GS-01", 0.62, "person", 0.85, (50,), (50, 50, 200), "general"),
        Offence("GS-02", 0.12, "shop", 0.0, (), (50_000,), "general", difficult=0.5),
        Offence("GS-03", 0.16, "manager", 0.0, (), (2_000, 3_000, 5_000, 10_000), "general"),
        Offence("GS-04", 0.04, "manager", 0.0, (), (2_000, 5_000), "general"),
        Offence("GS-05", 0.04, "collector", 0.0, (), (5_000,), "general"),
        Offence("GS-06", 0.02, "collector", 0.0, (), (50_000,), "general", difficult=0.5),
    ),
    "shared_bikes": (
        Offence("SB-02", 0.93, "operator", 0.25, (1_000, 2_000, 3_000), (5_000, 10_000, 20_000)),
        Offence("SB-01", 0.07, "operator", 0.0, (), (50_000, 80_000, 100_000), "general",
                difficult=0.7),
    ),
    "vending": (
        Offence("SR-VEND", 0.9, "person", 0.75, (50, 100, 200), (200, 500, 1_000)),
        Offence("SR-VEND", 0.1, "shop", 0.5, (200, 500, 1_000), (1_000, 2_000, 5_000)),
    ),
    "out_of_store": (
        Offence("SR-DOOR", 0.55, "shop", 0.6, (200, 500, 1_000), (1_000, 2_000, 5_000)),
        Offence("SR-DOOR", 0.45, "person", 0.7, (100, 200), (500, 1_000)),
    ),
    "piling": (
        Offence("MR-36P", 0.35, "person", 0.6, (100, 200), (500, 1_000)),
        Offence("MR-36P", 0.65, "company", 0.3, (500, 1_000, 2_000), (2_000, 5_000, 10_000)),
    ),
    "posting": (
        Offence("MR-34", 0.8, "person", 0.85, (50, 100), (200, 500), warning=0.3),
        Offence("MR-34", 0.2, "company", 0.2, (1_000,), (1_000, 2_000, 5_000)),
    ),
    "ads": (
        Offence("MR-36A", 1.0, "shop", 0.2, (1_000, 2_000, 3_000), (2_000, 5_000, 10_000, 20_000),
                difficult=0.12),
    ),
    "greening": (
        Offence("GR-TREE", 0.5, "company", 0.0, (), (1_000, 2_000, 5_000), difficult=0.15),
        Offence("GR-LAND", 0.5, "company", 0.0, (), (5_000, 10_000, 20_000), difficult=0.4),
    ),
    "dogs": (
        Offence("DOG-01", 1.0, "person", 0.5, (0,), (500, 1_000), warning=0.5),
    ),
}  # fmt: skip

# Where a clue comes from (the rest: the officers' own patrols). A referral needs a closed-loop
# case of a category the figures map to the enforcement category (``figures``).
SOURCES = {"complaint": 0.22, "case": 0.12, "transfer": 0.03}
REFERRED_CATEGORIES = {"vending", "posting", "out_of_store", "piling", "ads"}
REFERRED_SIMPLE = 0.3  # a referred clue decided on the spot when the officers find the party

# How an ordinary case goes.
NO_PENALTY_MINOR = 0.04  # 不予处罚（轻微并及时改正）, for a first violation
UNFOUNDED = 0.02  # 违法事实不成立
FAIL_REVIEW = 0.15  # legal review returns the case with opinions, once
HEARING_ASKED = 0.3  # of the cases with a hearing right
STATEMENT_GIVEN = 0.3  # a statement rather than a waiver
NO_ANSWER = 0.25  # the party neither states nor waives: the notice period runs out
PRESERVED = 0.03  # items preserved (先行登记保存)
EXTRA_EVIDENCE = (1, 1, 2, 2, 3)  # evidence acts during an investigation
# Payment of a fine: on time, late (with the 3 % surcharge), or overdue until a reminder.
PAID_LATE = 0.06
OVERDUE = 0.08
PAID_AFTER_REMINDER = 0.6
CASH = 0.6  # of the on-the-spot fines up to 100 yuan, collected in cash
HANDED_IN_LATE = 0.03
# Teams: officers per street (the district's largest streets have the largest teams).
TEAM_SIZES = (8, 7, 9, 7, 8, 6, 7, 6, 7, 6)
PERSONS_PER_CASE = 0.7  # the person pool's size against the person cases: repeat offenders
SAMPLE = 30  # cases written through the services, with their documents
