"""A unit's task ends with its case: an action that takes a case out of the open states ends
every task still active on it, whichever door it came through; the migration that ends the
tasks of the cases that ended before."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES
from cityloop.events.models import CaseAssignment
from cityloop.events.selectors import unit_open_cases
from cityloop.events.tests.conftest import condition
from cityloop.events.tests.test_api import post

pytestmark = pytest.mark.django_db

BEFORE = ("events", "0006_case_period_indexes")


def filed(loop, **kw):
    case = loop.report(**kw)
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    return case


def verified(loop, clock, *, assisting: bool = False):
    """Dispatched to the shop (with the water bureau assisting), reported on, fed back and
    checked on site, an hour between steps."""
    case = filed(loop)
    extra = {"assisting": [{"unit": loop.water.pk, "task": "排查管网"}]} if assisting else {}
    loop.act(loop.dispatcher, case, "dispatch", **extra)
    loop.act(loop.shop_handler, case, "sign")
    if assisting:
        clock.shift(timedelta(hours=1))
        loop.act(loop.water_handler, case, "assist_report", comment="管网无渗漏")
    clock.shift(timedelta(hours=1))
    loop.act(loop.shop_handler, case, "feed_back", comment="已清理")
    clock.shift(timedelta(hours=1))
    loop.act(loop.inspector, case, "verify")
    clock.shift(timedelta(hours=1))
    case.refresh_from_db()
    return case


def tasks(case) -> list[tuple[str, str, str]]:
    return [
        (a.unit.name, a.role, a.state)
        for a in case.assignments.select_related("unit").order_by("id")
    ]


def test_closing_a_joint_case_ends_the_lead_and_the_assisting_task(loop, monday_morning):
    case = verified(loop, monday_morning, assisting=True)
    finished = dict(case.assignments.values_list("role", "done_at"))
    loop.act(loop.shift_leader, case, "close")
    case.refresh_from_db()
    assert case.state == "closed"
    assert tasks(case) == [("东门肠粉店", "lead", "closed"), ("区水务局", "assist", "closed")]
    assert dict(case.assignments.values_list("role", "done_at")) == finished  # kept
    assert list(unit_open_cases(loop.shop_handler)) == []
    assert list(unit_open_cases(loop.water_handler)) == []


def test_an_evaluated_case_keeps_its_ended_task(loop, monday_morning):
    case = verified(loop, monday_morning)
    loop.act(loop.shift_leader, case, "close")
    loop.act(loop.acceptor, case, "evaluate", satisfaction=4, comment="还行")
    case.refresh_from_db()
    assert (case.state, tasks(case)) == ("evaluated", [("东门肠粉店", "single", "closed")])


def test_closing_through_the_api_ends_the_task_in_its_answer(loop, login, monday_morning):
    case = verified(loop, monday_morning)
    client = login(loop.shift_leader)
    response = post(client, f"/api/cases/{case.ticket}/close", {"version": case.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "closed"
    assert [a["state"] for a in body["assignments"]] == ["closed"]
    assert body["assignments"][0]["done_at"] is not None
    detail = login(loop.shop_handler).get(f"/api/cases/{case.ticket}").json()
    assert ([a["state"] for a in detail["assignments"]], detail["actions"]) == (["closed"], [])


def test_a_refused_close_leaves_the_task_active(loop, login, monday_morning):
    case = verified(loop, monday_morning)
    client = login(loop.dispatcher)  # closing is the shift leader's
    response = post(client, f"/api/cases/{case.ticket}/close", {"version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.state, tasks(case)) == ("verified", [("东门肠粉店", "single", "fed_back")])
    assert list(unit_open_cases(loop.shop_handler)) == [case]


def test_a_cancelled_case_withdraws_its_tasks_through_the_api(loop, login, monday_morning):
    case = filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    loop.act(loop.dispatcher, case, "request_cancel", comment="重复立案")
    case.refresh_from_db()
    client = login(loop.shift_leader)
    response = post(client, f"/api/cases/{case.ticket}/approve_cancel", {"version": case.version})
    assert response.status_code == 200, response.content
    assert [a["state"] for a in response.json()["assignments"]] == ["withdrawn"]
    assert list(unit_open_cases(loop.shop_handler)) == []


def test_a_returned_case_merged_later_keeps_its_returned_task(loop, monday_morning):
    survivor = loop.report(description="同一处垃圾")
    case = filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "return", comment="不属于本店")
    loop.act(loop.dispatcher, case, "merge", into=survivor.ticket)
    case.refresh_from_db()
    assert (case.state, tasks(case)) == ("merged", [("东门肠粉店", "single", "returned")])


def test_no_ended_case_keeps_an_active_task_on_any_path(loop, monday_morning):
    """Every end the loop offers, side by side: none leaves a task active."""
    closed = verified(loop, monday_morning, assisting=True)
    loop.act(loop.shift_leader, closed, "close")
    evaluated = verified(loop, monday_morning)
    loop.act(loop.shift_leader, evaluated, "close")
    loop.act(loop.acceptor, evaluated, "evaluate", satisfaction=5, comment="满意")
    rejected = loop.report()
    loop.act(loop.acceptor, rejected, "reject", reason="out_of_scope", comment="不属于城管")
    still_open = verified(loop, monday_morning)
    active = CaseAssignment.objects.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
    assert list(active.values_list("case__ticket", flat=True)) == [still_open.ticket]


def _states() -> dict[tuple[str, str], tuple[str, object]]:
    rows = CaseAssignment.objects.values_list("case__ticket", "role", "state", "done_at")
    return {(ticket, role): (state, done) for ticket, role, state, done in rows}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0007_ends_the_tasks_of_ended_cases_and_back(loop, monday_morning):
    closed = verified(loop, monday_morning, assisting=True)
    loop.act(loop.shift_leader, closed, "close")
    evaluated = verified(loop, monday_morning)
    loop.act(loop.shift_leader, evaluated, "close")
    loop.act(loop.acceptor, evaluated, "evaluate", satisfaction=5, comment="满意")
    still_open = verified(loop, monday_morning)
    after = _states()
    closed.refresh_from_db()
    lead, assist = (closed.ticket, "lead"), (closed.ticket, "assist")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        before = _states()
        # An old task that never fed back, on a case that closed: it ends when the case did.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE events_caseassignment SET state = 'signed', done_at = NULL "
                "WHERE case_id = %s AND role = 'assist'",
                [closed.pk],
            )
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert {k: s for k, (s, _) in before.items()} == {
        lead: "fed_back",
        assist: "reported",
        (evaluated.ticket, "single"): "fed_back",
        (still_open.ticket, "single"): "fed_back",
    }
    assert {k: d for k, (_, d) in before.items()} == {k: d for k, (_, d) in after.items()}
    migrated = _states()
    assert {k: s for k, (s, _) in migrated.items()} == {
        lead: "closed",
        assist: "closed",
        (evaluated.ticket, "single"): "closed",
        (still_open.ticket, "single"): "fed_back",
    }
    assert migrated[assist][1] == closed.closed_at
    assert migrated[lead] == after[lead]
