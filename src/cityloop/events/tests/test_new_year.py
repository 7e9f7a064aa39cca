"""Deadlines across 1 January before the State Council's arrangement for the new year is in.

Every door that starts, resumes or extends a clock works on 2026-12-30 and 2026-12-31: a clock
running into 2027 is counted on 2027's statutory holidays, marked provisional, and counted again
once the official arrangement is entered (docs/decisions/0035-provisional-calendar-years.md).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import time_machine

from cityloop.events.choices import CaseState, ClockEvent
from cityloop.events.models import Case, CaseEvent
from cityloop.events.services.hotline import hotline_import
from cityloop.events.services.sweep import deadline_sweep
from cityloop.events.tests.conftest import PLAIN_POINT, SHANGHAI, category, condition
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.worktime.choices import DayKind
from cityloop.worktime.services import calendar_override_set, calendar_year_declare

pytestmark = pytest.mark.django_db

PILED_UP = ("01", "11")  # 积存垃圾渣土, "5天": to the community at PLAIN_POINT
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"


def moment(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def dec30():
    with time_machine.travel(moment(2026, 12, 30, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def handler(loop):
    return user_create(
        username="c-002002",
        password="x-long-pass-1",
        unit=loop.tiny.communities["440303002002"],
        roles=[Role.HANDLER],
    )


def dispatched(loop, cat=PILED_UP) -> Case:
    case = loop.report(point=PLAIN_POINT, cat=cat)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition(*cat).pk)
    loop.act(loop.dispatcher, case, "dispatch")
    case.refresh_from_db()
    return case


def enter_official_2027(*days_off: date) -> None:
    """The administrator enters the notice's days off (元旦 and any others) and declares 2027."""
    for day in (date(2027, 1, 1), *days_off):
        calendar_override_set(day=day, kind=DayKind.DAY_OFF, note="元旦")
    calendar_year_declare(year=2027, source=NOTICE)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_dispatch_on_30_december_counts_into_2027_provisionally(loop, dec30):
    case = dispatched(loop)
    # 40 working hours from Wed 10:00: 6 h on 12-30, 7.5 h on 12-31, 元旦 (the law's) off,
    # the weekend, 7.5 h each on 01-04, 01-05, 01-06, and 4 h into 01-07: 14:30
    assert case.deadline == moment(2027, 1, 7, 14, 30)
    assert (case.provisional_year, case.is_deadline_provisional) == (2027, True)
    assert case.assignments.get().deadline == case.deadline
    assert case.handle_deadline == case.deadline


def test_the_api_and_the_pages_say_the_deadline_is_provisional(client, loop, login, dec30):
    case = dispatched(loop)
    api = login(loop.dispatcher)
    detail = api.get(f"/api/cases/{case.ticket}").json()
    deadline = datetime.fromisoformat(detail["deadline"])
    assert (deadline, detail["deadline_provisional"]) == (moment(2027, 1, 7, 14, 30), True)
    [row] = api.get("/api/cases/").json()["items"]
    assert row["deadline_provisional"] is True
    page = api.get(f"/cases/{case.ticket}/").content.decode()
    assert "暂定" in page and "仅按 2027 年的法定节假日计算" in page
    assert "暂定" in api.get("/cases/").content.decode()


def test_a_sweep_on_31_december_escalates_into_2027(loop, dec30):
    case = dispatched(loop, cat=("01", "10"))  # "4小时": due 12-30 16:00 at the community
    dec30.move_to(moment(2026, 12, 31, 17, 0))
    report = deadline_sweep()
    assert (report.overdue, report.escalated) == (1, 1)
    case.refresh_from_db()
    # the street's fresh 4 hours: 1 h on 12-31, then 3 h on Monday 01-04 (元旦, weekend)
    lead = case.assignments.get(state__in=["dispatched", "signed"])
    assert lead.unit == loop.tiny.streets["002"]
    assert (case.clock_state, case.deadline, case.provisional_year) == (
        "on_time",
        moment(2027, 1, 4, 11, 30),
        2027,
    )


def test_resuming_on_30_december_across_new_year_answers_200(loop, login, handler, dec30):
    case = dispatched(loop)
    loop.act(handler, case, "sign")
    loop.act(handler, case, "request_suspension", comment="需协调产权单位")
    loop.act(loop.shift_leader, case, "approve_suspension")
    dec30.move_to(moment(2026, 12, 31, 9, 0))
    case.refresh_from_db()
    api = login(loop.shift_leader)
    response = post(api, f"/api/cases/{case.ticket}/resume", {"version": case.version})
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.state, case.provisional_year) == (CaseState.HANDLING, 2027)
    assert case.deadline > moment(2027, 1, 7, 14, 30)  # the day suspended is given back


@pytest.mark.parametrize("door", ["api", "page"])
def test_an_extension_into_2027_is_approved_through_every_door(
    client, loop, login, handler, dec30, door
):
    case = dispatched(loop)
    loop.act(handler, case, "sign")
    loop.act(
        handler,
        case,
        "request_extension",
        requested_deadline=moment(2027, 1, 20, 18, 0),
        comment="需采购配件",
    )
    case.refresh_from_db()
    user = login(loop.shift_leader)
    if door == "api":
        response = post(
            user, f"/api/cases/{case.ticket}/approve_extension", {"version": case.version}
        )
        assert response.status_code == 200, response.content
    else:
        response = user.post(
            f"/cases/{case.ticket}/act/approve_extension/", {"version": case.version}
        )
        assert response.status_code in (200, 302), response.content
    case.refresh_from_db()
    assert case.deadline == moment(2027, 1, 20, 18, 0)
    assert case.provisional_year is None  # a date the approver chose, not a count
    assert case.extension_count == 1


def test_a_hotline_order_on_31_december_is_imported(loop, dec30):
    dec30.move_to(moment(2026, 12, 31, 17, 50))
    order = {
        "order_no": "SZ12345-2026-9999",
        "content": "小区门口垃圾堆积",
        "lon": PLAIN_POINT[0],
        "lat": PLAIN_POINT[1],
        "category": "event-01-11",
    }
    report = hotline_import(orders=[order], actor=loop.acceptor)
    assert report.ok, report.problems
    case = Case.objects.get(external_id="SZ12345-2026-9999")
    # 30 minutes to accept: 10 on 12-31, then Monday 01-04 08:30 + 20 (元旦 and the weekend)
    assert (case.deadline, case.provisional_year) == (moment(2027, 1, 4, 8, 50), 2027)


def test_the_official_arrangement_moves_every_provisional_clock_once(loop, handler, dec30):
    moved = dispatched(loop)  # 2027-01-07 14:30, provisional
    loop.act(handler, moved, "sign")
    dec30.move_to(moment(2026, 12, 31, 17, 50))
    accepting = loop.report(point=PLAIN_POINT, cat=PILED_UP)  # due 2027-01-04 08:50
    untouched = Case.objects.get(pk=accepting.pk)
    # when the notice gives Monday 01-04 off as well (a made-up arrangement, for the test)
    enter_official_2027(date(2027, 1, 4))
    report = deadline_sweep()
    # then both clocks lose a working day, and nothing is provisional any more
    moved.refresh_from_db()
    accepting.refresh_from_db()
    assert (moved.deadline, moved.provisional_year) == (moment(2027, 1, 8, 14, 30), None)
    assert moved.assignments.get().deadline == moved.deadline
    assert moved.handle_deadline == moved.deadline
    assert (accepting.deadline, accepting.provisional_year) == (moment(2027, 1, 5, 8, 50), None)
    assert untouched.deadline == moment(2027, 1, 4, 8, 50)
    assert report.recounted == 2
    entry = CaseEvent.objects.get(case=moved, action=ClockEvent.RECOUNTED)
    assert (entry.actor, entry.actor_label) == (None, "系统")
    assert [datetime.fromisoformat(entry.data[k]) for k in ("from", "deadline")] == [
        moment(2027, 1, 7, 14, 30),
        moment(2027, 1, 8, 14, 30),
    ]
    # and a second sweep counts nothing again
    assert deadline_sweep().recounted == 0
    assert CaseEvent.objects.filter(action=ClockEvent.RECOUNTED).count() == 2


def test_an_arrangement_that_moves_nothing_writes_no_history(loop, dec30):
    case = dispatched(loop)
    enter_official_2027()  # only 元旦, as the statutory rule had it
    deadline_sweep()
    case.refresh_from_db()
    assert (case.deadline, case.provisional_year) == (moment(2027, 1, 7, 14, 30), None)
    assert not CaseEvent.objects.filter(action=ClockEvent.RECOUNTED).exists()


def test_a_clock_that_runs_into_a_year_with_no_calendar_is_refused_and_changes_nothing(
    loop, login, handler, dec30
):
    case = dispatched(loop)
    loop.act(handler, case, "sign")
    loop.act(
        handler,
        case,
        "request_extension",
        requested_deadline=moment(2101, 1, 20, 18, 0),
        comment="需采购配件",
    )
    case.refresh_from_db()
    before = (case.version, case.deadline, case.extension_count)
    response = post(
        login(loop.shift_leader),
        f"/api/cases/{case.ticket}/approve_extension",
        {"version": case.version},
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["code"]) == ("deadline", "calendar_unavailable")
    assert error["zh"].startswith("时限将延续到 2101 年")
    case.refresh_from_db()
    assert (case.version, case.deadline, case.extension_count) == before


def test_the_whole_loop_runs_on_4_january_through_the_api(loop, login):
    # Monday 2027-01-04, 2027's arrangement still not entered
    with time_machine.travel(moment(2027, 1, 4, 9, 0), tick=False):
        reporter = login(loop.inspector)
        body = {"description": "积存垃圾", "lon": PLAIN_POINT[0], "lat": PLAIN_POINT[1]}
        created = post(reporter, "/api/cases/", {**body, "category": category(*PILED_UP).pk})
        assert created.status_code in (200, 201), created.content
        ticket = created.json()["ticket"]
        steps = [
            (loop.acceptor, "accept", {}),
            (loop.shift_leader, "file", {"filing_condition": condition(*PILED_UP).pk}),
            (loop.dispatcher, "dispatch", {}),
        ]
        for user, action, params in steps:
            case = Case.objects.get(ticket=ticket)
            response = post(
                login(user), f"/api/cases/{ticket}/{action}", {"version": case.version, **params}
            )
            assert response.status_code == 200, (action, response.content)
    case = Case.objects.get(ticket=ticket)
    assert (case.state, case.provisional_year) == (CaseState.DISPATCHED, 2027)
