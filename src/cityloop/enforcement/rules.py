"""The statutory rules of a case as pure functions (no database): the handlers and the demo
year call them, the tests pin them at their boundaries. Each cites its article of
《中华人民共和国行政处罚法》 (2021; /work/shared/reference/admin-penalty-procedure.csv) or of
《中华人民共和国行政强制法》 (2011).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from cityloop.core.workflow.clocks import last_day
from cityloop.enforcement.choices import SERIOUS_TIERS, PartyKind
from cityloop.worktime.days import add_months

CENT = Decimal("0.01")
# 第五十一条: 对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款或者警告
# may be decided on the spot.
ON_THE_SPOT_LIMIT = {PartyKind.PERSON: Decimal(200), PartyKind.ORGANISATION: Decimal(3000)}
# 第六十八条: 依法给予一百元以下罚款的 may be collected on the spot (or when hard to enforce later).
CASH_LIMIT = Decimal(100)
# 第七十二条: 每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额.
SURCHARGE_RATE = Decimal("0.03")
# 第四十二条: 执法人员不得少于两人.
OFFICERS_REQUIRED = 2


def yuan(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def on_the_spot_limit(kind: str) -> Decimal:
    return ON_THE_SPOT_LIMIT[PartyKind(kind)]


def may_decide_on_the_spot(kind: str, fine: Decimal) -> bool:
    """第五十一条: within 200 yuan for a person, 3000 for an organisation (or a warning)."""
    return fine <= on_the_spot_limit(kind)


def may_collect_cash(fine: Decimal, *, hard_to_enforce: bool) -> bool:
    """第六十八条: 100 yuan or less, or when not collecting would make enforcement hard."""
    return fine <= CASH_LIMIT or hard_to_enforce


def limitation_ends(occurred: datetime, years: int) -> date:
    """第三十六条: the last day an act committed on ``occurred`` may still be found (two years;
    five where the law says so); 29 February runs to 28 February."""
    return add_months(occurred.date(), 12 * years)


def within_limitation(occurred: datetime, found: datetime, years: int) -> bool:
    return found.date() <= limitation_ends(occurred, years)


def surcharge(fine: Decimal, deadline: datetime | None, paid_on: date) -> Decimal:
    """第七十二条: 3 % of the fine for every day after the payment deadline's last day, up to the
    fine itself. ``deadline`` is the payment clock's deadline (the end of its last day)."""
    if deadline is None or fine <= 0:
        return Decimal(0)
    late = (paid_on - last_day(deadline)).days
    if late <= 0:
        return Decimal(0)
    return min(yuan(fine * SURCHARGE_RATE * late), yuan(fine))


def amount_due(fine: Decimal, deadline: datetime | None, on: date) -> Decimal:
    return yuan(fine) + surcharge(fine, deadline, on)


@dataclass(frozen=True)
class Thresholds:
    """The bureau's figures the law leaves open (``models.ProcedureRules``)."""

    hearing_fine_person: Decimal
    hearing_fine_organisation: Decimal
    legal_review_fine: Decimal
    collective_fine: Decimal


def hearing_right(kind: str, fine: Decimal, thresholds: Thresholds) -> bool:
    """第六十三条: 较大数额罚款 gives the party a right to a hearing; the amount is the bureau's
    (Guangdong's figures as seeded, decision 0051)."""
    limit = (
        thresholds.hearing_fine_person
        if kind == PartyKind.PERSON
        else thresholds.hearing_fine_organisation
    )
    return fine >= limit


def legal_review_required(
    *, difficult: bool, hearing: bool, fine: Decimal, thresholds: Thresholds
) -> bool:
    """第五十八条: a difficult case (several legal relations), one that affects major rights and
    goes through a hearing, and what the bureau's rule adds (a fine from its threshold)."""
    return difficult or hearing or fine >= thresholds.legal_review_fine


def needs_collective_discussion(tier: str, fine: Decimal, thresholds: Thresholds) -> bool:
    """第五十七条: 情节复杂或者重大违法行为 are decided by the leaders collectively: the heavier and
    serious tiers, and fines from the bureau's threshold."""
    return tier in SERIOUS_TIERS or fine >= thresholds.collective_fine


def court_window(served: datetime) -> tuple[date, date]:
    """行政强制法 第五十三条: the court may be asked within three months after the time to seek
    review or sue has run out (six months, 行政诉讼法 第四十六条): from the day after the
    six months to the end of the following three."""
    opens = add_months(served.date(), 6)
    return opens, add_months(opens, 3)
