"""The deadline sweep: warning at 80 %, overdue, once only, suspension and extension, the
escalation up the tiers, who is told, and the task through both backends."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from cityloop.events.choices import AssignmentState, CaseState, ClockState, Stage
from cityloop.events.models import Case, CaseAssignment, CaseEvent
from cityloop.events.services import sweep as sweep_module
from cityloop.events.services.sweep import SweepReport, deadline_sweep
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT, condition
from cityloop.notifications.models import Notification

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 11, 24, 9, 0, tzinfo=SH)


def dispatched(loop, point=SHOP_POINT, cat=("01", "10"), unit=None):
    """A case reported, accepted, filed and dispatched (to the proposed unit, or ``unit``)."""
    case = loop.report(point=point, cat=cat)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition(*cat).pk)
    loop.act(loop.dispatcher, case, "dispatch", **({"unit": unit.pk} if unit else {}))
    case.refresh_from_db()
    return case


def told(kind: str) -> list[str]:
    """Usernames notified of ``kind``, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def counts(report: SweepReport) -> tuple[int, int, int, int]:
    return (report.warned, report.overdue, report.escalated, report.not_escalated)


def history(case) -> list[tuple[str, str]]:
    return list(CaseEvent.objects.filter(case=case).values_list("action", "actor_label"))


# --- warning and overdue ------------------------------------------------------------------
def test_the_clock_turns_to_warning_when_80_percent_of_the_limit_is_used(loop, monday_morning):
    case = dispatched(loop)  # the shop: 2 working hours, 09:00 → 11:00
    assert (case.warn_at, case.deadline) == (
        MONDAY + timedelta(minutes=96),
        MONDAY + timedelta(hours=2),
    )
    monday_morning.move_to(case.warn_at - timedelta(seconds=1))
    assert counts(deadline_sweep()) == (0, 0, 0, 0)
    monday_morning.move_to(case.warn_at)

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (1, 0, 0, 0) and report.notifications == 1
    assert (case.clock_state, case.state, case.version) == (ClockState.WARNING, "dispatched", 4)
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.from_state, event.to_state, event.actor_label, event.actor) == (
        "clock_warning", "dispatched", "dispatched", "系统", None,
    )  # fmt: skip
    assert event.data == {"deadline": "2025-11-24T03:00:00+00:00", "stage": "handle"}
    assert told("clock_warning") == ["shop-handler"]
    note = Notification.objects.get(kind="clock_warning")
    params = {"ticket": case.ticket, "deadline": "2025-11-24 11:00"}
    assert (note.case, note.message_en) == (
        case,
        f"Case {case.ticket} will be overdue at 2025-11-24 11:00.",
    )
    # The Chinese is whatever the events catalogue says (var/zh-sweep.json: 案卷…将于…超时).
    with translation.override("zh-hans"):
        assert (
            note.message_zh == gettext("Case %(ticket)s will be overdue at %(deadline)s.") % params
        )


def test_a_department_case_turns_overdue_and_is_reported_not_escalated(loop, monday_morning):
    case = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))  # 供水管道破裂 → 水务
    monday_morning.move_to(case.deadline)

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 1, 0, 0)
    assert case.clock_state == ClockState.OVERDUE
    assert case.assignments.get().unit == loop.water
    assert history(case)[-1] == ("clock_overdue", "系统")
    assert told("clock_overdue") == ["district-dispatcher", "shift-leader", "water-handler"]
    assert told("escalated") == []


def test_a_case_turned_once_is_not_turned_again(loop, monday_morning):
    case = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    monday_morning.move_to(case.warn_at)
    first = deadline_sweep()
    second = deadline_sweep()
    monday_morning.move_to(case.deadline)
    third = deadline_sweep()
    fourth = deadline_sweep()

    assert [counts(r) for r in (first, second, third, fourth)] == [
        (1, 0, 0, 0), (0, 0, 0, 0), (0, 1, 0, 0), (0, 0, 0, 0),
    ]  # fmt: skip
    turns = [a for a, _ in history(case) if a.startswith("clock_")]
    assert turns == ["clock_warning", "clock_overdue"]
    assert Notification.objects.filter(kind__startswith="clock_").count() == 1 + 3


def test_a_clock_past_its_warning_and_deadline_at_once_turns_straight_to_overdue(
    loop, monday_morning
):
    case = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    monday_morning.move_to(case.deadline + timedelta(days=1))

    report = deadline_sweep()

    assert counts(report) == (0, 1, 0, 0)
    assert [a for a, _ in history(case) if a.startswith("clock_")] == ["clock_overdue"]


def test_a_stage_before_dispatch_tells_the_centre_role_that_owes_it(loop, monday_morning):
    case = loop.report(point=PLAIN_POINT)  # acceptance: 30 working minutes
    monday_morning.move_to(case.warn_at)
    deadline_sweep()
    monday_morning.move_to(case.deadline)
    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 1, 0, 0)
    assert (case.state, case.stage, case.clock_state) == ("reported", "accept", "overdue")
    assert told("clock_warning") == ["acceptor"]
    assert told("clock_overdue") == ["acceptor", "district-dispatcher", "shift-leader"]


def test_a_closed_case_never_turns(loop, monday_morning):
    case = loop.report(point=PLAIN_POINT)
    loop.act(loop.acceptor, case, "reject", reason="duplicate", comment="重复")
    monday_morning.shift(timedelta(days=30))

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 0, 0, 0)
    assert (case.state, case.clock_state) == (CaseState.REJECTED, ClockState.STOPPED)
    assert Notification.objects.filter(kind__startswith="clock_").count() == 0


def test_a_burst_of_overdue_cases_reaches_the_centre_as_one_digest(loop, monday_morning, settings):
    settings.CITYLOOP_SWEEP_DIGEST_OVER = 1
    first = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    second = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    monday_morning.move_to(second.deadline)

    report = deadline_sweep()

    assert counts(report) == (0, 2, 0, 0) and report.notifications == 2 + 2
    assert told("clock_overdue") == ["water-handler", "water-handler"]
    assert told("clock_overdue_digest") == ["district-dispatcher", "shift-leader"]
    digest = Notification.objects.filter(kind="clock_overdue_digest").first()
    assert (digest.case, digest.message_en) == (
        None,
        f"2 cases became overdue, among them {first.ticket} {second.ticket}.",
    )


# --- suspension and extension -------------------------------------------------------------
def test_a_suspended_case_never_turns(loop, monday_morning):
    case = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    loop.act(loop.water_handler, case, "sign")
    loop.act(loop.water_handler, case, "request_suspension", comment="需要改造管网")
    loop.act(loop.shift_leader, case, "approve_suspension")
    case.refresh_from_db()
    before = (case.state, case.clock_state, case.deadline, case.version, case.updated_at)
    events = CaseEvent.objects.count()
    monday_morning.move_to(case.deadline + timedelta(days=10))

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 0, 0, 0)
    assert (case.state, case.clock_state, case.deadline, case.version, case.updated_at) == before
    assert before[:2] == (CaseState.SUSPENDED, ClockState.STOPPED)
    assert CaseEvent.objects.count() == events
    assert Notification.objects.filter(kind__startswith="clock_").count() == 0


def test_an_approved_extension_sets_the_clock_back_and_the_sweep_follows_the_new_deadline(
    loop, monday_morning
):
    case = dispatched(loop, point=PLAIN_POINT, cat=("05", "01"))
    loop.act(loop.water_handler, case, "sign")
    monday_morning.move_to(case.deadline)
    deadline_sweep()
    wanted = case.deadline + timedelta(days=2)
    loop.act(
        loop.water_handler, case, "request_extension", comment="需调设备", requested_deadline=wanted
    )
    loop.act(loop.shift_leader, case, "approve_extension")
    case.refresh_from_db()
    assert (case.clock_state, case.deadline) == (ClockState.ON_TIME, wanted)

    assert counts(deadline_sweep()) == (0, 0, 0, 0)
    monday_morning.move_to(case.warn_at)
    assert counts(deadline_sweep()) == (1, 0, 0, 0)
    monday_morning.move_to(wanted)
    assert counts(deadline_sweep()) == (0, 1, 0, 0)
    turns = [a for a, _ in history(case) if a.startswith("clock_")]
    assert turns == ["clock_overdue", "clock_warning", "clock_overdue"]


# --- escalation up the tiers --------------------------------------------------------------
def test_a_shop_that_does_not_correct_in_time_passes_the_case_to_its_community(
    loop, monday_morning
):
    case = dispatched(loop)
    shop_assignment = case.assignments.get()
    assert shop_assignment.unit == loop.tiny.shop
    monday_morning.move_to(case.deadline)  # 11:00, the shop's 2 working hours are up

    report = deadline_sweep()

    case.refresh_from_db()
    shop_assignment.refresh_from_db()
    assert counts(report) == (0, 1, 1, 0)
    lead = case.assignments.get(state=AssignmentState.DISPATCHED)
    assert (lead.unit.code, lead.role, lead.dispatched_at) == (
        "440303001001", "single", MONDAY + timedelta(hours=2),
    )  # fmt: skip
    assert (shop_assignment.state, shop_assignment.done_at) == (
        AssignmentState.ESCALATED,
        MONDAY + timedelta(hours=2),
    )
    # A fresh handling clock at the community: 01-10's 4 working hours from 11:00.
    assert (case.state, case.stage, case.clock_state) == ("dispatched", Stage.HANDLE, "on_time")
    assert case.deadline == datetime(2025, 11, 24, 17, 0, tzinfo=SH)
    assert history(case)[-2:] == [("clock_overdue", "系统"), ("escalate", "系统")]
    escalation = CaseEvent.objects.filter(case=case, action="escalate").get()
    assert escalation.data["from_unit"] == loop.tiny.shop.pk
    assert told("clock_overdue") == ["district-dispatcher", "shift-leader", "shop-handler"]
    assert told("escalated") == ["community-001001-handler"]


def test_an_overdue_community_case_goes_to_the_street(loop, monday_morning):
    community = loop.tiny.communities["440303001001"]
    case = dispatched(loop, unit=community)
    monday_morning.move_to(case.deadline)

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 1, 1, 0)
    assert case.assignments.get(state=AssignmentState.DISPATCHED).unit == loop.tiny.streets["001"]
    assert case.assignments.get(unit=community).state == AssignmentState.ESCALATED
    assert told("escalated") == ["street-001-handler"]
    # The street's clock runs out too: reported, not escalated (there is no tier above).
    monday_morning.move_to(case.deadline)
    assert counts(deadline_sweep()) == (0, 1, 0, 0)
    assert case.assignments.get(state=AssignmentState.DISPATCHED).unit == loop.tiny.streets["001"]


def test_an_overdue_case_fed_back_in_time_is_not_escalated(loop, monday_morning):
    case = dispatched(loop)
    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.shop_handler, case, "feed_back", comment="已清理")
    monday_morning.move_to(case.deadline + timedelta(days=1))  # the check is late, not the shop

    report = deadline_sweep()

    case.refresh_from_db()
    assert counts(report) == (0, 1, 0, 0)
    assert case.assignments.get().state == AssignmentState.FED_BACK
    assert told("clock_overdue") == ["district-dispatcher", "inspector", "shift-leader"]


def test_one_failed_escalation_does_not_stop_the_others(loop, monday_morning, monkeypatch):
    first, second = dispatched(loop), dispatched(loop)
    monday_morning.move_to(max(first.deadline, second.deadline))
    from cityloop.events.services import handlers

    real = handlers.HANDLERS["escalate"]

    def broken_for_the_first(ctx):
        if ctx.record.pk == first.pk:
            raise RuntimeError("boom")
        real(ctx)

    monkeypatch.setitem(handlers.HANDLERS, "escalate", broken_for_the_first)

    report = deadline_sweep()

    first.refresh_from_db()
    second.refresh_from_db()
    assert counts(report) == (0, 2, 1, 1)
    assert first.assignments.get().state == AssignmentState.DISPATCHED  # still with the shop
    assert (first.clock_state, first.version) == (ClockState.OVERDUE, 4)
    assert second.assignments.get(state="dispatched").unit.code == "440303001001"

    # The next sweep retries the escalation that failed: nothing is lost.
    monkeypatch.setitem(handlers.HANDLERS, "escalate", real)
    again = deadline_sweep()
    first.refresh_from_db()
    assert (again.overdue, again.escalated) == (0, 1)
    assert first.assignments.get(state="dispatched").unit.code == "440303001001"


# --- several workers at once --------------------------------------------------------------
@pytest.mark.postgres
# serialized_rollback: another transactional test may have flushed the catalogue before this one
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_turn_each_clock_exactly_once(loop, monday_morning, monkeypatch):
    cases = [dispatched(loop, point=PLAIN_POINT, cat=("05", "01")) for _ in range(6)]
    late = cases[0].deadline
    Case.objects.filter(pk__in=[c.pk for c in cases[3:]]).update(
        deadline=late + timedelta(hours=1)
    )  # three overdue, three in warning
    monday_morning.move_to(late)
    real_record = sweep_module._record

    def slow_record(flips, now):  # hold the turned rows' locks a while: the sweeps overlap
        real_record(flips, now)
        time.sleep(0.3)

    monkeypatch.setattr(sweep_module, "_record", slow_record)
    barrier = threading.Barrier(2)
    reports: list[SweepReport] = []

    def sweep():
        try:
            barrier.wait()
            reports.append(deadline_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(counts(r) for r in reports) == [(0, 0, 0, 0), (3, 3, 0, 0)]
    assert CaseEvent.objects.filter(action="clock_overdue").count() == 3
    assert CaseEvent.objects.filter(action="clock_warning").count() == 3
    assert Notification.objects.filter(kind="clock_overdue").count() == 3 * 3
    assert (
        sorted(Case.objects.values_list("clock_state", flat=True))
        == ["overdue"] * 3 + ["warning"] * 3
    )
    assert CaseAssignment.objects.filter(state=AssignmentState.ESCALATED).count() == 0
