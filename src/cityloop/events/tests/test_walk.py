"""One case walked through every state and every side path, with its history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cityloop.events.choices import CaseState, ClockState, Stage
from cityloop.events.models import CaseEvent
from cityloop.events.selectors.duplicates import following
from cityloop.events.tests.conftest import PLAIN_POINT, condition

pytestmark = pytest.mark.django_db


def test_a_citizen_report_goes_all_the_way_to_evaluation(loop, monday_morning):
    case = loop.report(source="citizen", reporter_name="张三", reporter_phone="13800138000")
    assert case.ticket.startswith("LH20251124-")
    assert (case.state, case.stage, case.grid.code) == ("reported", "accept", "440303001001001")

    loop.act(loop.acceptor, case, "accept")
    case.refresh_from_db()
    assert case.state == CaseState.CONFIRMING  # a public report is confirmed on site first
    loop.act(loop.inspector, case, "confirm", comment="现场属实")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    case.refresh_from_db()
    assert (case.state, case.stage) == ("filed", "dispatch")

    loop.act(loop.dispatcher, case, "dispatch")
    case.refresh_from_db()
    assignment = case.assignments.get()
    assert assignment.unit == loop.tiny.shop  # the point is in the shop's 门前三包 zone
    assert "门前三包" in assignment.routing_reason
    assert case.stage == Stage.HANDLE and case.deadline == timezone.now() + timedelta(hours=2)

    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.shop_handler, case, "feed_back", comment="已清理")
    loop.act(loop.inspector, case, "rework", comment="仍有垃圾")
    loop.act(loop.shop_handler, case, "feed_back", comment="已彻底清理")
    loop.act(loop.inspector, case, "verify")
    loop.act(loop.shift_leader, case, "close")
    case.refresh_from_db()
    assert (case.state, case.rework_count, case.closed_on_time) == ("closed", 1, True)
    loop.act(loop.acceptor, case, "evaluate", satisfaction=5, comment="满意")
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.clock_state) == ("evaluated", 5, ClockState.STOPPED)
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "report", "accept", "request_confirmation", "confirm", "file", "dispatch", "sign",
        "feed_back", "rework", "feed_back", "verify", "close", "evaluate",
    ]  # fmt: skip


def test_side_paths_return_extension_suspension_urge(loop, monday_morning):
    case = loop.report(point=PLAIN_POINT, cat=("05", "01"))  # 供水管道破裂 → 水务
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("05", "01").pk)
    loop.act(loop.dispatcher, case, "dispatch", unit=loop.housing.pk)
    loop.act(loop.housing_handler, case, "return", comment="不属于本单位")
    case.refresh_from_db()
    assert (case.state, case.return_count) == ("filed", 1)
    loop.act(loop.dispatcher, case, "dispatch")
    assert case.assignments.filter(state="dispatched").get().unit == loop.water
    loop.act(loop.water_handler, case, "sign")
    loop.act(loop.leader, case, "urge", comment="尽快处理")
    case.refresh_from_db()
    old_deadline = case.deadline
    wanted = old_deadline + timedelta(days=2)
    loop.act(
        loop.water_handler,
        case,
        "request_extension",
        comment="需要调配设备",
        requested_deadline=wanted,
    )
    loop.act(loop.shift_leader, case, "approve_extension")
    case.refresh_from_db()
    assert (case.deadline, case.extension_count, case.urge_count) == (wanted, 1, 1)
    loop.act(loop.water_handler, case, "request_suspension", comment="需要改造管网")
    loop.act(loop.shift_leader, case, "approve_suspension")
    case.refresh_from_db()
    assert (case.state, case.clock_state) == ("suspended", "stopped")
    loop.act(loop.shift_leader, case, "resume")
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING and case.clock_state == ClockState.ON_TIME
    loop.act(loop.dispatcher, case, "request_cancel", comment="重复立案")
    loop.act(loop.shift_leader, case, "approve_cancel")
    case.refresh_from_db()
    assert case.state == CaseState.CANCELLED


def test_merging_a_duplicate_lets_its_reporter_follow_the_survivor(loop, monday_morning):
    first = loop.report(source="citizen")
    second = loop.report(source="citizen", description="同一处垃圾")
    loop.act(loop.acceptor, second, "merge", into=first.ticket)
    second.refresh_from_db()
    assert second.state == CaseState.MERGED
    assert following(second.ticket) == first
