"""Both procedures walked end to end through the one write path, and the refusals that must
leave a case unchanged (《行政处罚法》 2021)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cityloop.core.refusals import ActionRefused
from cityloop.enforcement.choices import (
    ClockKind,
    ClockState,
    EnforcementState,
    Outcome,
    PartyKind,
    Procedure,
)
from cityloop.enforcement.models import CaseClock, Document, EnforcementCase, Party
from cityloop.enforcement.services import sweep
from cityloop.enforcement.tests.conftest import PERSON_ID, local

S = EnforcementState


def _refused(call, field=None, code=None):
    with pytest.raises(ActionRefused) as caught:
        call()
    if field is not None:
        assert caught.value.field == field, caught.value
    if code is not None:
        assert caught.value.code == code, caught.value
    return caught.value


def _unchanged(case):
    before = EnforcementCase.objects.get(pk=case.pk)
    return before.version, before.state, before.events.count()


def _filed(team, now, violation="GS-03", kind=PartyKind.ORGANISATION):
    case = team.clue(now=now, title="小区未设分类投放点")
    case = team.act(
        team.a,
        case,
        "propose_filing",
        now=now + timedelta(hours=1),
        violation=team.violation(violation).pk,
        occurred_at=now - timedelta(days=1),
        facts="某小区未按要求设置分类投放点，经责令限期改正逾期未改正。",
        officers=[{"officer": team.b.pk}],
        **team.party(kind),
    )
    return team.act(team.leader, case, "approve_filing", now=now + timedelta(hours=2))


def test_the_ordinary_procedure_from_clue_to_archive(team):
    start = local(2024, 3, 4, 9, 0)  # a Monday
    case = _filed(team, start)
    assert case.state == S.INVESTIGATING and case.filed_at is not None
    decision = CaseClock.objects.get(case=case, kind=ClockKind.DECISION)
    # 第六十条: 90 natural days from filing, counted from the next day: the 90th, Sunday 2 June,
    # is a day off, so the period ends with Monday 3 June (24:00)
    assert decision.deadline == local(2024, 6, 4)

    t = start + timedelta(days=1)
    case = team.act(
        team.a,
        case,
        "add_evidence",
        now=t,
        kind="inspection",
        description="现场检查笔录：投放点缺失",
        officers=[{"officer": team.b.pk}],
    )
    case = team.act(
        team.a,
        case,
        "conclude",
        now=t,
        outcome=Outcome.PENALTY,
        tier="general",
        fine=5000,
        officers=[{"officer": team.b.pk}],
    )
    assert case.state == S.CASE_REVIEW
    assert case.legal_review_required is False and case.hearing_right is False
    case = team.act(team.leader, case, "approve_review", now=t)
    case = team.act(team.a, case, "notify", now=t, officers=[{"officer": team.c.pk}])
    statement = CaseClock.objects.get(case=case, kind=ClockKind.STATEMENT)
    # 第六十四条 with 第八十五条: 5 working days after Tuesday 5 March (6, 7, 8, 11, 12 March)
    assert statement.deadline == local(2024, 3, 13)
    # Deciding during the notice period is refused; the party waives, then it is decided.
    _refused(lambda: team.act(team.a, case, "close_notice", now=t), "notice", "notice_open")
    case = team.act(team.a, case, "record_statement", now=t, waived=True)
    case = team.act(team.a, case, "close_notice", now=t)
    case = team.act(team.leader, case, "decide", now=t, outcome=Outcome.PENALTY, fine=5000)
    assert case.state == S.DECIDED and case.fine == Decimal(5000)
    assert not CaseClock.objects.filter(
        case=case, kind=ClockKind.DECISION, stopped_at=None
    ).exists()
    case = team.act(
        team.b,
        case,
        "serve",
        now=t + timedelta(hours=2),
        method="in_person",
        recipient="李四",
        officers=[{"officer": team.c.pk}],
    )
    assert case.state == S.EXECUTION
    payment = CaseClock.objects.get(case=case, kind=ClockKind.PAYMENT)
    assert payment.deadline == local(2024, 3, 21)  # 15 natural days after 5 March
    case = team.act(team.a, case, "record_payment", now=t + timedelta(days=3), amount="5000")
    assert case.paid_at is not None and case.surcharge == 0
    case = team.act(team.leader, case, "close", now=t + timedelta(days=4), summary="罚款已缴清")
    case = team.act(team.a, case, "archive", now=t + timedelta(days=5))
    assert case.state == S.ARCHIVED
    actions = list(case.events.values_list("action", flat=True))
    assert actions[0] == "register" and actions[-1] == "archive"
    assert len(actions) == 14
    kinds = set(Document.objects.filter(case=case).values_list("kind", flat=True))
    assert {
        "filing_approval",
        "prior_notice",
        "penalty_decision",
        "service_receipt",
        "closing_report",
    } <= kinds
    number = Document.objects.get(case=case, kind="penalty_decision").number
    assert number == "罗城管罚字〔2024〕第1号"


def test_the_simple_procedure_on_the_spot_with_cash_and_its_hand_over(team):
    now = local(2024, 9, 27, 16, 0)  # a Friday before 国庆
    case = team.clue(now=now)
    case = team.act(
        team.a,
        case,
        "on_the_spot",
        now=now,
        violation=team.violation("GS-01").pk,
        occurred_at=now - timedelta(minutes=10),
        facts="未按规定分类投放",
        fine=50,
        cash=True,
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    assert case.procedure == Procedure.SIMPLE and case.state == S.EXECUTION
    assert case.paid == Decimal(50) and case.cash_collected
    handover = CaseClock.objects.get(case=case, kind=ClockKind.HANDOVER)
    # 2 working days: Sun 29 Sep is an adjusted working day (调休), then 国庆 1–7 Oct:
    # Mon 30 Sep is the second working day.
    assert handover.deadline == local(2024, 10, 1)
    _refused(lambda: team.act(team.leader, case, "close", now=now, summary="x"), "cash")
    case = team.act(team.a, case, "hand_over", now=now + timedelta(days=1))
    case = team.act(team.leader, case, "close", now=now + timedelta(days=1), summary="当场收缴")
    assert case.state == S.CLOSED
    document = Document.objects.get(case=case, kind="on_the_spot_decision")
    assert document.number == "罗城管当罚字〔2024〕第1号"


def test_on_the_spot_over_the_limit_is_refused_and_changes_nothing(team):
    now = local(2024, 5, 6, 10, 0)
    case = team.clue(now=now)
    before = _unchanged(case)
    args = dict(
        now=now,
        violation=team.violation("GS-01").pk,
        occurred_at=now,
        facts="x",
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    _refused(
        lambda: team.act(team.a, case, "on_the_spot", fine=200.0 + 1 and 201, **args),
        "fine",
        "over_limit",
    )
    # Cash above 100 yuan only when hard to enforce later (第六十八条).
    _refused(
        lambda: team.act(team.a, case, "on_the_spot", fine=200, cash=True, **args),
        "cash",
        "cash_limit",
    )
    assert _unchanged(case) == before
    assert not Party.objects.exists()


def test_one_officer_alone_is_refused(team):
    now = local(2024, 5, 6, 10, 0)
    case = team.clue(now=now)
    before = _unchanged(case)
    args = dict(
        now=now,
        violation=team.violation("GS-03").pk,
        occurred_at=now,
        facts="x",
        **team.party(PartyKind.ORGANISATION),
    )
    _refused(lambda: team.act(team.a, case, "propose_filing", **args), "officers", "two_officers")
    # An officer without a credential does not count (第四十二条).
    _refused(
        lambda: team.act(team.a, case, "propose_filing", officers=[{"officer": team.d.pk}], **args),
        "officers",
        "two_officers",
    )
    # An officer of another street is not one of this case's.
    _refused(
        lambda: team.act(
            team.a, case, "propose_filing", officers=[{"officer": team.other.pk}], **args
        ),
        "officers",
    )
    assert _unchanged(case) == before


def test_an_expired_limitation_is_refused_at_filing(team):
    now = local(2024, 5, 6, 10, 0)
    case = team.clue(now=now)
    before = _unchanged(case)
    _refused(
        lambda: team.act(
            team.a,
            case,
            "propose_filing",
            now=now,
            violation=team.violation("GS-03").pk,
            occurred_at=local(2022, 5, 5, 10, 0),
            facts="x",
            officers=[{"officer": team.b.pk}],
            **team.party(PartyKind.ORGANISATION),
        ),
        "occurred_at",
        "limitation",
    )
    assert _unchanged(case) == before
    # Two years to the day is still within it.
    case = team.act(
        team.a,
        case,
        "propose_filing",
        now=now,
        violation=team.violation("GS-03").pk,
        occurred_at=local(2022, 5, 6, 10, 0),
        facts="x",
        officers=[{"officer": team.b.pk}],
        **team.party(PartyKind.ORGANISATION),
    )
    assert case.state == S.FILING


def test_a_decision_before_review_or_notice_is_refused(team):
    start = local(2024, 3, 4, 9, 0)
    case = _filed(team, start, violation="GS-02")
    t = start + timedelta(days=1)
    case = team.act(
        team.a,
        case,
        "add_evidence",
        now=t,
        kind="document",
        description="书证",
        officers=[{"officer": team.b.pk}],
    )
    case = team.act(
        team.a,
        case,
        "conclude",
        now=t,
        outcome=Outcome.PENALTY,
        tier="general",
        fine=50000,
        officers=[{"officer": team.b.pk}],
    )
    assert case.legal_review_required and case.hearing_right and case.serious is False
    before = _unchanged(case)
    _refused(lambda: team.act(team.leader, case, "approve_review", now=t), "legal_review")
    _refused(lambda: team.act(team.leader, case, "decide", now=t, outcome="penalty", fine=50000))
    assert _unchanged(case) == before
    case = team.act(team.a, case, "send_legal_review", now=t)
    # Not passing returns it with opinions and blocks the decision.
    case = team.act(team.reviewer, case, "fail_legal_review", now=t, comment="证据不足")
    assert case.state == S.INVESTIGATING and not case.legal_review_passed
    case = team.act(
        team.a,
        case,
        "conclude",
        now=t,
        outcome=Outcome.PENALTY,
        tier="general",
        fine=50000,
        officers=[{"officer": team.b.pk}],
    )
    case = team.act(team.a, case, "send_legal_review", now=t)
    case = team.act(team.reviewer, case, "pass_legal_review", now=t, opinion="事实清楚，证据确凿")
    case = team.act(team.a, case, "notify", now=t, officers=[{"officer": team.b.pk}])
    # The party asks for a hearing within 5 working days; the hearing needs 7 days' notice.
    case = team.act(team.a, case, "request_hearing", now=t + timedelta(days=2))
    assert case.state == S.HEARING
    _refused(
        lambda: team.act(
            team.a,
            case,
            "schedule_hearing",
            now=t + timedelta(days=2),
            hearing_at=t + timedelta(days=5),
            place="局会议室",
            host="王五",
        ),
        "hearing_at",
        "too_soon",
    )
    case = team.act(
        team.a,
        case,
        "schedule_hearing",
        now=t + timedelta(days=2),
        hearing_at=t + timedelta(days=14),
        place="局会议室",
        host="王五",
    )
    case = team.act(
        team.a, case, "conclude_hearing", now=t + timedelta(days=14, hours=2), report="听证笔录"
    )
    case = team.act(
        team.leader, case, "decide", now=t + timedelta(days=15), outcome="penalty", fine=50000
    )
    assert case.state == S.DECIDED


def test_a_late_hearing_request_is_refused(team):
    start = local(2024, 3, 4, 9, 0)
    case = _filed(team, start, violation="GS-02")
    t = start + timedelta(days=1)
    team.act(
        team.a,
        case,
        "add_evidence",
        now=t,
        kind="document",
        description="书证",
        officers=[{"officer": team.b.pk}],
    )
    team.act(
        team.a,
        case,
        "conclude",
        now=t,
        outcome="penalty",
        tier="general",
        fine=50000,
        officers=[{"officer": team.b.pk}],
    )
    team.act(team.a, case, "send_legal_review", now=t)
    team.act(team.reviewer, case, "pass_legal_review", now=t, opinion="同意")
    case = team.act(team.a, case, "notify", now=t, officers=[{"officer": team.b.pk}])
    late = local(2024, 3, 13, 10, 0)  # the 5 working days ended with 12 March
    _refused(lambda: team.act(team.a, case, "request_hearing", now=late), "requested_at", "late")


def test_first_violation_and_repeat_offences_come_from_the_partys_history(team):
    now = local(2024, 4, 1, 10, 0)
    first = team.clue(now=now)
    first = team.act(
        team.a,
        first,
        "on_the_spot",
        now=now,
        violation=team.violation("GS-01").pk,
        occurred_at=now,
        facts="x",
        fine=50,
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    assert first.first_violation and first.earlier_cases == 0
    later = team.clue(now=now + timedelta(days=3))
    later = team.act(
        team.a,
        later,
        "propose_filing",
        now=now + timedelta(days=3),
        violation=team.violation("GS-01").pk,
        occurred_at=now + timedelta(days=2),
        facts="再次未分类投放",
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    assert later.party.identity == PERSON_ID and later.earlier_cases == 1
    assert later.first_violation is False


def test_a_second_fine_for_one_act_is_refused(team):
    now = local(2024, 4, 1, 10, 0)
    kwargs = dict(
        violation=team.violation("GS-01").pk,
        occurred_at=now,
        facts="x",
        fine=50,
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    team.act(team.a, team.clue(now=now), "on_the_spot", now=now, **kwargs)
    second = team.clue(now=now)
    _refused(lambda: team.act(team.a, second, "on_the_spot", now=now, **kwargs))


def test_the_surcharge_accrues_3_percent_a_day_capped_at_the_fine(team):
    start = local(2024, 3, 4, 9, 0)
    case = team.clue(now=start)
    case = team.act(
        team.a,
        case,
        "on_the_spot",
        now=start,
        violation=team.violation("GS-01").pk,
        occurred_at=start,
        facts="x",
        fine=200,
        officers=[{"officer": team.b.pk}],
        **team.party(),
    )
    payment = CaseClock.objects.get(case=case, kind=ClockKind.PAYMENT)
    assert payment.deadline == local(2024, 3, 20)  # 15 days from 5 March
    # Two days late: 200 + 2 × 6 = 212; more than owed is refused.
    late = local(2024, 3, 21, 10, 0)
    _refused(
        lambda: team.act(team.a, case, "record_payment", now=late, amount="213"),
        "amount",
        "overpaid",
    )
    case = team.act(team.a, case, "record_payment", now=late, amount="212")
    assert case.surcharge == Decimal(12) and case.paid_at is not None


def test_the_90_day_clock_suspended_and_resumed(team):
    start = local(2024, 3, 4, 9, 0)
    case = _filed(team, start)
    clock = CaseClock.objects.get(case=case, kind=ClockKind.DECISION)
    assert clock.deadline == local(2024, 6, 4)
    case = team.act(
        team.leader, case, "suspend_clock", now=local(2024, 4, 1, 9, 0), comment="委托鉴定"
    )
    clock.refresh_from_db()
    assert clock.suspended_at is not None and clock.clock_state == ClockState.STOPPED
    # Nothing turns while suspended, whatever the date.
    sweep(local(2024, 7, 1))
    clock.refresh_from_db()
    assert clock.clock_state == ClockState.STOPPED
    case = team.act(team.leader, case, "resume_clock", now=local(2024, 4, 11, 9, 0))
    clock.refresh_from_db()
    # 1 April → 2 June left 62 days; counted again from 11 April: 12 June, 24:00.
    assert clock.deadline == local(2024, 6, 13)
    assert sweep(local(2024, 6, 13, 0, 1)) == {"overdue": 1, "warning": 0}


def test_a_closed_loop_case_referred_becomes_a_clue_linked_both_ways(team):
    from cityloop.events.services.intake import case_report
    from cityloop.events.services.transitions import case_act

    intake = case_report(
        source="inspector",
        description="东门路占道乱摆卖，屡劝不改",
        lon=114.1005,
        lat=22.5595,
        address="东门路 12 号",
        reported_by=team.a,
    )
    case = intake.case
    case_act(actor=team.a, case=case, action="refer", comment="屡劝不改，移送执法")
    clue = EnforcementCase.objects.get(source_case=case)
    assert clue.state == S.REGISTERED and clue.unit == team.street and clue.source == "case"
    row = case.events.get(action="refer")
    assert row.data["enforcement"] == clue.number
    assert clue.events.get(action="register").data["case"] == case.ticket
    # Once only.
    _refused(
        lambda: case_act(actor=team.a, case=case, action="refer", comment="again"),
        "action",
        "already_referred",
    )


def test_the_statement_clock_counts_the_adjusted_saturday_after_guoqing(team):
    """第六十四条's 5 days are working days (第八十五条): notified on Tuesday 8 October 2024,
    right after 国庆, the days are 9, 10, 11, Saturday 12 October (a working day by 调休) and
    Monday 14; the period ends with the 14th (24:00)."""
    start = local(2024, 9, 30, 9, 0)  # the Monday before 国庆
    case = _filed(team, start, violation="GS-01", kind=PartyKind.PERSON)
    t = local(2024, 10, 8, 10, 0)
    case = team.act(
        team.a, case, "add_evidence", now=t, kind="inspection",
        description="现场检查笔录", officers=[{"officer": team.b.pk}],
    )  # fmt: skip
    case = team.act(
        team.a, case, "conclude", now=t, outcome=Outcome.PENALTY, tier="general", fine=50,
        officers=[{"officer": team.b.pk}],
    )  # fmt: skip
    case = team.act(team.leader, case, "approve_review", now=t)
    case = team.act(team.a, case, "notify", now=t, officers=[{"officer": team.c.pk}])
    statement = CaseClock.objects.get(case=case, kind=ClockKind.STATEMENT)
    assert statement.deadline == local(2024, 10, 15)
    # Still open on the adjusted Saturday's evening and on Monday; the sweep warns, then turns
    # it overdue only after Monday 14 October.
    sweep(local(2024, 10, 14, 23, 0))
    assert CaseClock.objects.get(pk=statement.pk).clock_state != ClockState.OVERDUE
    sweep(local(2024, 10, 15, 0, 1))
    assert CaseClock.objects.get(pk=statement.pk).clock_state == ClockState.OVERDUE
