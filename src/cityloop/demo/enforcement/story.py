"""What happens to one enforcement case of the demo year, and when: the acts a street team
takes, in the order and at the pace of a working team, each one ``Life.act``-ed (checked
against the transition table) until the next would fall after now.

The ordinary procedure: propose filing, the leader's approval, evidence with two officers,
sometimes items preserved, the conclusion, case review or legal review (returned once now and
then), the prior notice with statement, waiver or a hearing, collective discussion when
serious, the decision (extended by the leader when the 90 days run short), service, payment on
time, late with the surcharge or after a reminder and an application to the court, closing
and archiving. The simple procedure: decided on the spot, cash handed in or the fine paid,
closed and archived. Clues end not filed or transferred.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from cityloop.core.workflow.clocks import Period, deadline
from cityloop.demo.enforcement import mix
from cityloop.demo.enforcement.life import Life, Step, Stop
from cityloop.enforcement import rules
from cityloop.enforcement.choices import (
    ClockKind,
    EvidenceKind,
    NotFiledReason,
    Outcome,
    PartyKind,
    ServiceMethod,
)
from cityloop.enforcement.models import Party, Violation
from cityloop.enforcement.workflow import Action
from cityloop.worktime.clock import SHANGHAI
from cityloop.worktime.facts import current_facts

A, K = Action, ClockKind
TRANSFER_TO = (
    "罗湖区市场监督管理局",
    "罗湖区住房和建设局",
    "深圳市公安局罗湖分局",
    "罗湖区交通运输局",
    "罗湖区卫生健康局",
)
COURTS = ("深圳市罗湖区人民法院",)


@dataclass
class Plan:
    """A case drawn for the year before it is told."""

    number: str
    category: str
    offence: mix.Offence
    violation: Violation
    street: Any  # Unit
    team: Any  # staff.Team
    source: str
    registered_at: datetime
    lookup_at: datetime  # when the party's history is looked up (proposal or decision)
    simple: bool
    fate: str = ""  # "" (a case), "not_filed", "transferred"
    party: Party | None = None
    place: str = ""
    title: str = ""
    facts: str = ""
    seed: int = 0
    source_case: Any = None  # (id, ticket, state) of the closed-loop case it was referred from
    sample: bool = False


@functools.lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    return current_facts().is_workday(day)


def office(rng: random.Random, after: datetime, lo: int, hi: int) -> datetime:
    """A moment in office hours ``lo``–``hi`` working days after ``after`` (0: later that
    day if there is time, else the next working day)."""
    day, left = after.astimezone(SHANGHAI).date(), rng.randint(lo, hi)
    while left > 0 or not is_workday(day):
        day += timedelta(days=1)
        left -= is_workday(day)
    minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    at = datetime.combine(day, clock_time(minute // 60, minute % 60), SHANGHAI)
    if at <= after:
        at = after + timedelta(minutes=rng.randint(15, 120))
    return at


class Story:
    """Tells ``plan`` on ``life``."""

    def __init__(self, life: Life, plan: Plan, staff: Any) -> None:
        self.life, self.plan, self.staff = life, plan, staff
        self.rng = random.Random(plan.seed)
        team = plan.team
        self.officer = self.rng.choice(team.officers)
        self.partner = self.rng.choice([o for o in team.officers if o.pk != self.officer.pk])
        self.leader, self.reviewer = team.leader, staff.reviewer
        self.last = plan.registered_at

    def tell(self) -> None:
        try:
            if self.plan.fate:
                self._clue_ends()
            elif self.plan.simple:
                self._on_the_spot()
            else:
                self._ordinary()
        except Stop:
            pass
        self.life.finish()

    # --- acts --------------------------------------------------------------------------
    def act(self, action: str, actor: Any, at: datetime, comment: str = "", **params: Any) -> None:
        self.life.act(Step(action, actor, at, params, comment))
        self.last = at

    def team(self, *others: Any) -> list[dict[str, int]]:
        return [{"officer": self.partner.pk}, *({"officer": o.pk} for o in others)]

    def party_inputs(self) -> dict[str, Any]:
        party = self.plan.party
        inputs = {
            "party_kind": party.kind,
            "party_name": party.name,
            "party_identity": party.identity,
            "party_phone": party.phone,
            "party_address": party.address,
        }
        if party.kind == PartyKind.ORGANISATION:
            inputs["legal_representative"] = party.legal_representative
        return inputs

    def case_facts(self) -> dict[str, Any]:
        plan = self.plan
        occurred = plan.registered_at - timedelta(minutes=self.rng.randint(5, 90))
        if not plan.simple and plan.source != "patrol":
            occurred -= timedelta(days=self.rng.randint(0, 4))
        return {"violation": plan.violation.pk, "occurred_at": occurred, "facts": plan.facts}

    # --- clues that end ----------------------------------------------------------------
    def _clue_ends(self) -> None:
        rng, plan = self.rng, self.plan
        if plan.fate == "transferred":
            at = office(rng, plan.registered_at, 0, 2)
            to = rng.choice(TRANSFER_TO)
            self.act(A.TRANSFER, self.officer, at, f"不属于本机关管辖，移送{to}", to=to)
            return
        reason = rng.choice(
            [NotFiledReason.NO_VIOLATION] * 5
            + [NotFiledReason.MINOR] * 3
            + [NotFiledReason.NOT_OURS]
        )
        if rng.random() < 0.5:
            self._propose()
        at = office(rng, self.last, 0, 3)
        self.act(A.NOT_FILE, self.leader, at, "经核查不予立案", reason=reason)

    # --- the simple procedure ----------------------------------------------------------
    def _on_the_spot(self) -> None:
        rng, plan = self.rng, self.plan
        offence = plan.offence
        fine = rng.choice(offence.spot) if offence.spot else 0
        warning = fine == 0 or rng.random() < offence.warning
        if warning and offence.warning and rng.random() < 0.5:
            fine = 0
        cash = 0 < fine <= rules.CASH_LIMIT and rng.random() < mix.CASH
        self.act(
            A.ON_THE_SPOT,
            self.officer,
            plan.lookup_at,
            **self.party_inputs(),
            **self.case_facts(),
            fine=fine,
            warning=warning,
            cash=cash,
            hard_to_enforce=False,
            officers=self.team(),
        )
        case = self.life.case
        if cash:
            late = rng.random() < mix.HANDED_IN_LATE
            self.act(
                A.HAND_OVER,
                self.officer,
                office(rng, self.last, 3 if late else 0, 5 if late else 1),
            )
        elif case.fine > 0:
            self._payment(reminder=False)
        self._close_and_archive()

    # --- the ordinary procedure --------------------------------------------------------
    def _propose(self) -> None:
        self.act(
            A.PROPOSE_FILING,
            self.officer,
            self.plan.lookup_at,
            **self.party_inputs(),
            **self.case_facts(),
            officers=self.team(),
        )

    def _ordinary(self) -> None:
        rng = self.rng
        self._propose()
        self.act(A.APPROVE_FILING, self.leader, office(rng, self.last, 0, 2))
        self._investigate(first=True)
        outcome, fine, warning = self._proposal()
        self._conclude(outcome, fine, warning)
        self._review()
        self._notice()
        case = self.life.case
        if case.serious:
            conclusion = "同意按拟处罚意见作出处罚决定"
            people = (self.leader, self.officer, self.partner)
            participants = "、".join(u.display_name for u in people)
            self.act(
                A.DELIBERATE,
                self.leader,
                office(rng, self.last, 1, 4),
                participants=participants,
                conclusion=conclusion,
            )
        self._decide(outcome, fine, warning)
        self._serve()
        if case.fine > 0 and not self._payment(reminder=True):
            return  # with the court: the case stays in compulsory execution
        self._close_and_archive()

    def _investigate(self, *, first: bool) -> None:
        rng = self.rng
        kinds = [
            EvidenceKind.INSPECTION,
            EvidenceKind.INTERVIEW,
            EvidenceKind.DOCUMENT,
            EvidenceKind.DEVICE_RECORD,
        ]
        count = rng.choice(mix.EXTRA_EVIDENCE) if first else 1
        if first and rng.random() < 0.05:  # a slow investigation (appraisal, an absent party)
            self.last += timedelta(days=rng.randint(40, 75))
        for n in range(count):
            kind = kinds[n] if first else rng.choice(kinds[1:])
            at = office(rng, self.last, 0, 4)
            description = EVIDENCE_TEXT[kind].format(place=self.plan.place)
            self.act(
                A.ADD_EVIDENCE,
                self.officer,
                at,
                kind=kind,
                description=description,
                officers=self.team(),
            )
            if first and n == 0 and rng.random() < mix.PRESERVED:
                self._preserve()

    def _preserve(self) -> None:
        rng = self.rng
        self.act(
            A.PRESERVE,
            self.leader,
            office(rng, self.last, 0, 1),
            items="经营工具及物品一批",
            officers=self.team(),
        )
        clock = self.life.live(K.PRESERVATION)
        at = min(office(rng, self.last, 2, 6), clock.deadline - timedelta(hours=2))
        self.act(
            A.RELEASE, self.officer, max(at, self.last + timedelta(hours=1)), result="依法予以退还"
        )

    def _proposal(self) -> tuple[str, int, bool]:
        rng, case, offence = self.rng, self.life.case, self.plan.offence
        draw = rng.random()
        if case.first_violation and draw < mix.NO_PENALTY_MINOR:
            return Outcome.NO_PENALTY_MINOR, 0, False
        if draw > 1 - mix.UNFOUNDED:
            return Outcome.NO_PENALTY_UNFOUNDED, 0, False
        fine = rng.choice(offence.fines)
        warning = rng.random() < offence.warning
        return Outcome.PENALTY, fine, warning

    def _tier(self, fine: int) -> str:
        offence = self.plan.offence
        if not offence.tier:
            return ""
        bands = self.life.ctx.tiers
        for tier in (offence.tier, "serious", "heavier", "general"):
            band = bands.get((self.plan.violation.pk, tier))
            if band is not None and band[0] <= fine <= band[1]:
                return tier
        return ""

    def _conclude(self, outcome: str, fine: int, warning: bool) -> None:
        rng = self.rng
        penalty = outcome == Outcome.PENALTY
        self.act(
            A.CONCLUDE,
            self.officer,
            office(rng, self.last, 1, 8),
            outcome=outcome,
            tier=self._tier(fine) if penalty else "",
            fine=fine,
            warning=warning,
            difficult=penalty and rng.random() < self.plan.offence.difficult,
            officers=self.team(),
        )

    def _review(self) -> None:
        rng, case = self.rng, self.life.case
        if not case.legal_review_required:
            self.act(A.APPROVE_REVIEW, self.leader, office(rng, self.last, 0, 3))
            return
        self.act(A.SEND_LEGAL_REVIEW, self.officer, office(rng, self.last, 0, 2))
        if rng.random() < mix.FAIL_REVIEW:
            opinion = "证据不足，请补充当事人询问笔录及现场检查笔录后重新报审"
            self.act(A.FAIL_LEGAL_REVIEW, self.reviewer, office(rng, self.last, 2, 6), opinion)
            self._investigate(first=False)
            self._conclude(
                case.proposed_outcome, int(case.proposed_fine), "warning" in case.penalty_kinds
            )
            self.act(A.SEND_LEGAL_REVIEW, self.officer, office(rng, self.last, 0, 2))
        opinion = "事实清楚，证据确凿，适用依据正确，程序合法，裁量适当，同意"
        self.act(A.PASS_LEGAL_REVIEW, self.reviewer, office(rng, self.last, 1, 5), opinion=opinion)

    def _notice(self) -> None:
        rng, case, life = self.rng, self.life.case, self.life
        self.act(A.NOTIFY, self.officer, office(rng, self.last, 0, 3), officers=self.team())
        answer_by = life.clocks[K.STATEMENT].deadline
        if case.hearing_right and rng.random() < mix.HEARING_ASKED:
            self._hearing(answer_by)
            return
        draw = rng.random()
        if draw < mix.NO_ANSWER:  # the period runs out
            at = answer_by + timedelta(hours=rng.randint(9, 60))
            self.act(A.CLOSE_NOTICE, self.officer, at)
            return
        if draw < mix.NO_ANSWER + mix.STATEMENT_GIVEN:
            at = min(office(rng, self.last, 1, 3), answer_by - timedelta(hours=1))
            text = "当事人称系初次违法，已当场改正，请求从轻处罚"
            self.act(
                A.RECORD_STATEMENT,
                self.officer,
                max(at, self.last + timedelta(minutes=30)),
                statement=text,
            )
        else:
            at = self.last + timedelta(minutes=rng.randint(10, 60))
            self.act(A.RECORD_STATEMENT, self.officer, at, waived=True)
        self.act(A.CLOSE_NOTICE, self.officer, office(rng, self.last, 0, 2))

    def _hearing(self, answer_by: datetime) -> None:
        rng, unit = self.rng, self.plan.street
        at = min(office(rng, self.last, 1, 3), answer_by - timedelta(hours=1))
        self.act(A.REQUEST_HEARING, self.officer, max(at, self.last + timedelta(minutes=30)))
        at = office(rng, self.last, 0, 2)
        earliest = deadline(at, Period.working_days(7), unit)
        hearing_at = office(rng, earliest, 0, 3).replace(hour=9, minute=30)
        if hearing_at < earliest:
            hearing_at = office(rng, earliest, 1, 1).replace(hour=9, minute=30)
        self.act(
            A.SCHEDULE_HEARING,
            self.officer,
            at,
            hearing_at=hearing_at,
            place=f"{self.plan.street.name}综合行政执法队听证室",
            host=self.leader.display_name,
        )
        report = "听证会依法举行，当事人进行了陈述和申辩，案件事实清楚"
        self.act(
            A.CONCLUDE_HEARING,
            self.officer,
            hearing_at + timedelta(hours=rng.randint(2, 3)),
            report=report,
        )

    def _decide(self, outcome: str, fine: int, warning: bool) -> None:
        rng = self.rng
        at = office(rng, self.last, 1, 5)
        clock = self.life.live(K.DECISION)
        if clock is not None and at > clock.deadline - timedelta(days=3) and rng.random() < 0.75:
            extend_at = max(
                self.last + timedelta(hours=1), clock.deadline - timedelta(days=rng.randint(3, 10))
            )
            self.act(
                A.EXTEND, self.leader, extend_at, "案情复杂，经负责人批准延长办案期限", days=30
            )
            at = office(rng, self.last, 1, 5)
        self.act(A.DECIDE, self.leader, at, outcome=outcome, fine=fine, warning=warning)

    def _serve(self) -> None:
        rng, party = self.rng, self.plan.party
        method = rng.choices(
            [ServiceMethod.IN_PERSON, ServiceMethod.POST, ServiceMethod.LEFT], weights=[80, 12, 8]
        )[0]
        clock = self.life.live(K.SERVICE)
        at = min(office(rng, self.last, 0, 4), clock.deadline - timedelta(hours=1))
        at = max(at, self.last + timedelta(minutes=30))
        recipient = party.legal_representative or party.name
        self.act(
            A.SERVE,
            self.officer,
            at,
            method=method,
            served_at=at,
            recipient=recipient,
            officers=self.team(),
        )

    def _payment(self, *, reminder: bool) -> bool:
        """The fine paid (True), or left to the court after a reminder (False)."""
        rng, case, life = self.rng, self.life.case, self.life
        due_by = life.clocks[K.PAYMENT].deadline
        draw = rng.random()
        if draw < mix.PAID_LATE:
            at = due_by + timedelta(days=rng.randint(1, 25), hours=rng.randint(1, 8))
        elif reminder and draw < mix.PAID_LATE + mix.OVERDUE:
            return self._overdue(due_by)
        else:
            at = case.served_at + timedelta(days=rng.randint(1, 13), hours=rng.randint(1, 8))
            at = min(at, due_by - timedelta(hours=1))
        self._pay(at)
        return True

    def _pay(self, at: datetime) -> None:
        case, life = self.life.case, self.life
        clock = life.live(K.PAYMENT)
        due = rules.amount_due(
            case.fine, clock.deadline if clock else None, at.astimezone(SHANGHAI).date()
        )
        receipt = f"非税缴款书{self.plan.number[-6:]}{self.rng.randrange(1000, 9999)}"
        self.act(
            A.RECORD_PAYMENT,
            self.officer,
            at,
            amount=str(due - case.paid),
            paid_at=at,
            receipt=receipt,
        )

    def _overdue(self, due_by: datetime) -> bool:
        rng = self.rng
        self.act(A.REMIND, self.officer, office(rng, due_by, 3, 15))
        if rng.random() < mix.PAID_AFTER_REMINDER:
            self._pay(self.last + timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 6)))
            return True
        opens = self.life.clocks[K.COURT].started_at
        ready = max(self.life.clocks[K.REMINDER].deadline, opens)
        self.act(A.APPLY_COURT, self.leader, office(rng, ready, 1, 15), court=COURTS[0])
        return False

    def _close_and_archive(self) -> None:
        rng = self.rng
        summary = "案件已执行完毕，予以结案" if self.life.case.fine else "案件办理完毕，予以结案"
        self.act(A.CLOSE, self.leader, office(rng, self.last, 1, 5), summary=summary)
        self.act(A.ARCHIVE, self.officer, office(rng, self.last, 1, 10))


EVIDENCE_TEXT = {
    EvidenceKind.INSPECTION: "现场检查笔录：执法人员于{place}现场检查，拍摄现场照片并制作笔录",
    EvidenceKind.INTERVIEW: "询问笔录：当事人对违法事实予以确认",
    EvidenceKind.DOCUMENT: "书证：当事人身份证明及营业执照复印件",
    EvidenceKind.DEVICE_RECORD: "电子数据：视频监控截取的违法行为记录",
}
