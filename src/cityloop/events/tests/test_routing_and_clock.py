"""Routing by zone, community and department; the joint case; deadlines across a holiday;
suspension stopping the clock; duplicates."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cityloop.events.choices import AssignmentState, CaseState, ClockState
from cityloop.events.selectors.duplicates import duplicate_candidates
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.services.refusals import BadInput
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT, condition

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def filed(loop, point=SHOP_POINT, cat=("01", "10"), seq=1):
    case = loop.report(point=point, cat=cat)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition(*cat, sequence=seq).pk)
    case.refresh_from_db()
    return case


def test_a_frontage_category_in_a_shops_zone_goes_to_the_shop(loop, monday_morning):
    proposal = route_proposal(filed(loop))
    assert (proposal.unit, proposal.rule) == (loop.tiny.shop, "entity_zone")
    assert "东门肠粉店" in str(proposal.reason)


def test_the_same_category_outside_any_zone_goes_to_the_community(loop, monday_morning):
    proposal = route_proposal(filed(loop, point=PLAIN_POINT))
    assert (proposal.unit.code, proposal.rule) == ("440303002002", "community")


def test_a_category_that_no_entity_handles_skips_the_zone(loop, monday_morning):
    proposal = route_proposal(filed(loop, cat=("04", "01")))  # 无照经营游商 → street
    assert (proposal.unit.code, proposal.rule) == ("440303001", "street")


def test_a_department_category_goes_to_the_department(loop, monday_morning):
    proposal = route_proposal(filed(loop, cat=("05", "01")))  # 供水管道破裂 → 水务
    assert (proposal.unit, proposal.rule) == (loop.water, "department")


def test_a_joint_case_is_handled_when_the_lead_feeds_back_after_every_assistant(
    loop, monday_morning
):
    case = filed(loop, cat=("04", "01"))
    loop.act(
        loop.street_dispatcher,
        case,
        "dispatch",
        unit=loop.tiny.streets["001"].pk,
        assisting=[
            {"unit": loop.water.pk, "task": "关闸"},
            {"unit": loop.housing.pk, "task": "围挡"},
        ],
    )
    loop.act(loop.street_handler, case, "sign")
    with pytest.raises(BadInput) as exc:
        loop.act(loop.street_handler, case, "feed_back", comment="已处置")
    assert exc.value.code == "assist_pending" and "区水务局" in str(exc.value.message)
    loop.act(loop.water_handler, case, "assist_report", comment="已关闸")
    loop.act(loop.housing_handler, case, "assist_report", comment="已围挡")
    loop.act(loop.street_handler, case, "feed_back", comment="已处置")
    case.refresh_from_db()
    assert case.state == CaseState.FED_BACK
    assert sorted(case.assignments.values_list("role", "state")) == [
        ("assist", AssignmentState.REPORTED),
        ("assist", AssignmentState.REPORTED),
        ("lead", AssignmentState.FED_BACK),
    ]


def test_the_handling_deadline_skips_the_national_day_holidays():
    # Filed and dispatched on Tuesday 2025-09-30 at 15:00; 01-10 暴露生活垃圾 has "4小时":
    # 3 h that day (to 18:00), then 1 h after the holidays (10-01…10-08): 10-09 09:30.
    with time_machine.travel(datetime(2025, 9, 30, 15, 0, tzinfo=SH), tick=False):
        from cityloop.conftest import TinyDistrict
        from cityloop.events.tests.conftest import Loop

        loop = Loop(TinyDistrict())
        case = filed(loop, point=PLAIN_POINT)
        loop.act(loop.dispatcher, case, "dispatch")
        case.refresh_from_db()
    assert case.deadline == datetime(2025, 10, 9, 9, 30, tzinfo=SH)
    assert case.warn_at == datetime(2025, 10, 9, 8, 42, tzinfo=SH)  # 80 % of 4 h = 3 h 12 min


def test_suspension_stops_the_clock_and_resuming_moves_the_deadline(loop, monday_morning):
    from cityloop.org.choices import Role
    from cityloop.org.services import user_create

    handler = user_create(
        username="c-002002",
        password="x-long-pass-1",
        unit=loop.tiny.communities["440303002002"],
        roles=[Role.HANDLER],
    )
    case = filed(loop, point=PLAIN_POINT)  # 01-10 "4小时", to community 440303002002
    loop.act(loop.dispatcher, case, "dispatch")
    case.refresh_from_db()
    assert case.deadline == datetime(2025, 11, 24, 15, 0, tzinfo=SH)  # 09:00–12:00, 14:00–15:00
    loop.act(handler, case, "sign")
    monday_morning.move_to(datetime(2025, 11, 24, 10, 0, tzinfo=SH))
    loop.act(handler, case, "request_suspension", comment="需协调产权单位")
    loop.act(loop.shift_leader, case, "approve_suspension")
    case.refresh_from_db()
    assert (case.state, case.clock_state) == (CaseState.SUSPENDED, ClockState.STOPPED)
    monday_morning.move_to(datetime(2025, 11, 26, 9, 0, tzinfo=SH))  # two days later
    loop.act(loop.shift_leader, case, "resume")
    case.refresh_from_db()
    # 3 working hours were left at 10:00 on Monday; they count again from Wednesday 09:00.
    assert case.deadline == datetime(2025, 11, 26, 12, 0, tzinfo=SH)
    assert (case.state, case.clock_state) == (CaseState.HANDLING, ClockState.ON_TIME)


def test_duplicates_are_same_category_open_and_near(loop, monday_morning):
    first = loop.report(source="citizen")
    near = loop.report(point=(SHOP_POINT[0] + 0.0002, SHOP_POINT[1]), source="citizen")  # ~20 m
    far = loop.report(point=PLAIN_POINT, source="citizen")
    other_category = loop.report(cat=("01", "36"), source="citizen")
    found = duplicate_candidates(near, user=loop.dispatcher)
    assert [c.ticket for c, _ in found] == [first.ticket]
    assert 15 < found[0][1] < 25
    monday_morning.shift(timedelta(days=4))
    late = loop.report(source="citizen")
    assert first.ticket not in [
        c.ticket for c, _ in duplicate_candidates(late, user=loop.dispatcher)
    ]  # outside 72 h
    assert far.ticket not in [c.ticket for c, _ in found]
    assert other_category.ticket not in [c.ticket for c, _ in found]
