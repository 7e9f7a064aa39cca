"""The demo year and the live write path follow one set of rules: the same story told once
through ``case_act`` and ``deadline_sweep`` and once through the demo's machine and writer
gives the same case row, tasks, requests and history entries, field by field.

If a rule changes on one side only (a handler, a clock, the sweep, or the machine), one of
these stories ends differently and the test names the field.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from cityloop.demo.builder import build_demo, delete_demo
from cityloop.demo.history import delete_history
from cityloop.demo.history.machine import CaseLife, Plan, minute_after
from cityloop.demo.history.world import Actor, World
from cityloop.demo.history.writer import CASE_COLUMNS, Writer
from cityloop.events.choices import OPEN_STATES, CaseState, ClockState, Source, Urgency
from cityloop.events.models import Case, CaseAssignment, CaseEvent, CaseRequest
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.services.intake import case_report
from cityloop.events.services.sweep import deadline_sweep
from cityloop.events.services.transitions import case_act
from cityloop.events.workflow import Action
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import User
from cityloop.worktime.clock import SHANGHAI, add_working_time

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)  # a Monday
END = datetime(2026, 7, 20, tzinfo=SHANGHAI)  # "now" for the machine, and the last sweep
RUNNING = OPEN_STATES - {CaseState.SUSPENDED}
# Where the case is and what the intake stores about the place are intake's (other tests);
# here: what the workflow does with it. ``updated_at`` is the wall clock live (auto_now), the
# last entry's moment in the demo.
NOT_COMPARED = {
    "ticket", "description", "lon", "lat", "address", "reporter_name", "reporter_phone",
    "updated_at",
}  # fmt: skip
CASE_FIELDS = [c for c in CASE_COLUMNS if c not in NOT_COMPARED]
ASSIGNMENT_FIELDS = (
    "unit_id", "role", "state", "task", "deadline", "routing_reason", "dispatched_at",
    "signed_at", "done_at",
)  # fmt: skip
REQUEST_FIELDS = (
    "kind", "status", "reason", "requested_deadline", "requested_by_id", "requested_at",
    "decided_by_id", "decided_at",
)  # fmt: skip
EVENT_FIELDS = (
    "action", "from_state", "to_state", "actor_id", "actor_unit_id", "actor_label", "at",
    "comment",
)  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo district (no history) and the machine's view of it."""
    with django_db_blocker.unblock():
        build_demo()
        yield World()
        delete_history()
        delete_demo()


def _route_to(world: World, kinds: tuple[str, ...], *, long: bool):
    """A category and a spot whose proposed unit is of ``kinds`` and has a handler account,
    with a filing condition of at least 8 hours when ``long`` (room for an extension)."""
    rng, np_rng = random.Random(3), np.random.default_rng(3)
    for category in world.categories:
        spots = world.places.draw(["general"] * 12, np_rng, rng.random)
        for spot in spots:
            route = world.route(category, spot.community, spot.street, spot.zone_ids)
            if route.unit.kind not in kinds or not world.has_account(route.unit):
                continue
            for condition in category.conditions:
                limit = world.handle_limit(condition, spot.area_class, Urgency.NORMAL)
                if not long or limit.duration >= timedelta(hours=8):
                    return category, spot, condition
    raise AssertionError(f"the demo district routes nothing to {kinds} with an account")


class Twin:
    """One case told twice: the live path (``case_act``, ``deadline_sweep``) and the demo's
    machine. Each step names the action for both; the sweep runs live at the minutes the
    case's clocks come due, as the every-minute sweep does."""

    def __init__(self, world: World, category, spot, *, source: str = Source.CITIZEN) -> None:
        self.w = world
        self.case = case_report(
            source=source,
            description="路边有暴露垃圾",
            lon=spot.lon,
            lat=spot.lat,
            category=category.minor,
            now=START,
        ).case
        plan = Plan(
            ticket="M" + self.case.ticket,
            category=category,
            source=source,
            spot=spot,
            reported_at=START,
            accept_at=START,
            urgency=Urgency.NORMAL,
            description="路边有暴露垃圾",
        )
        self.life = CaseLife(world, plan, END)

    def user(self, actor: Actor) -> User:
        return User.objects.get(pk=actor.user_id)

    def act(self, at: datetime, actor: Actor, action: str, machine, comment="", **params):
        """``action`` at ``at`` on both paths: live through ``case_act``, after the sweeps
        due before it; in the machine through ``machine(life)``."""
        self.sweep(at)
        case_act(
            actor=self.user(actor),
            case=self.case.pk,
            action=action,
            comment=comment,
            now=at,
            **params,
        )
        machine(self.life)

    def sweep(self, until: datetime, *, inclusive: bool = False) -> None:
        """Run the live sweep at each minute a clock of this case comes due before ``until``."""
        while True:
            case = Case.objects.get(pk=self.case.pk)
            if (
                case.state not in RUNNING
                or case.suspended_at is not None
                or case.clock_state not in (ClockState.ON_TIME, ClockState.WARNING)
                or case.deadline is None
            ):
                return
            due = [minute_after(case.deadline)]
            if case.clock_state == ClockState.ON_TIME and case.warn_at is not None:
                due.append(minute_after(case.warn_at))
            at = min(due)
            if at > until or (at == until and not inclusive):
                return
            report = deadline_sweep(now=at)
            if not (report.warned or report.overdue):
                return

    @property
    def lead_unit(self):
        return self.life.lead().unit

    def finish(self) -> None:
        """The machine's case written by the writer, the live case swept up to "now"."""
        self.sweep(END, inclusive=True)
        self.life.finish()
        Writer().write([self.life])

    # --- the comparison ---------------------------------------------------------------------
    def compare(self) -> None:
        self.finish()
        live = Case.objects.get(pk=self.case.pk)
        demo = Case.objects.get(ticket=self.life.p.ticket)
        assert _fields(demo, CASE_FIELDS) == _fields(live, CASE_FIELDS)
        for model, fields in ((CaseAssignment, ASSIGNMENT_FIELDS), (CaseRequest, REQUEST_FIELDS)):
            rows = [_rows(model, case, fields) for case in (demo, live)]
            assert rows[0] == rows[1], model.__name__
        assert _history(demo) == _history(live)


def _fields(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def _rows(model, case: Case, fields) -> list[dict]:
    return [_fields(r, fields) for r in model.objects.filter(case=case).order_by("id")]


def _history(case: Case) -> list[dict]:
    """The entries in order; a request is named by its place among the case's requests."""
    requests = {
        pk: n for n, pk in enumerate(case.requests.order_by("id").values_list("pk", flat=True))
    }
    found = []
    for event in CaseEvent.objects.filter(case=case).order_by("at", "id"):
        row = _fields(event, EVENT_FIELDS)
        data = dict(event.data or {})
        if "request" in data:
            data["request"] = requests[data["request"]]
        row["data"] = data
        found.append(row)
    return found


# --- the stories --------------------------------------------------------------------------
def _accept_confirm_file(twin: Twin, condition) -> datetime:
    w, t = twin.w, START + timedelta(minutes=10)
    acceptor, inspector = w.centre(Role.ACCEPTOR), w.centre(Role.INSPECTOR)
    twin.act(t, acceptor, Action.ACCEPT, lambda life: life.accept(t, acceptor, confirm=True))
    t2 = t + timedelta(minutes=40)
    twin.act(t2, inspector, Action.CONFIRM, lambda life: life.confirm(t2, inspector))
    t3 = t2 + timedelta(minutes=15)
    leader = w.centre(Role.SHIFT_LEADER)
    twin.act(
        t3,
        leader,
        Action.FILE,
        lambda life: life.file(t3, leader, condition),
        filing_condition=condition.pk,
    )
    return t3


def _dispatch(twin: Twin, t: datetime, assisting=()) -> None:
    dispatcher = twin.w.centre(Role.DISPATCHER)
    proposal = route_proposal(Case.objects.get(pk=twin.case.pk))
    unit = twin.w.units[proposal.unit.pk]
    twin.act(
        t,
        dispatcher,
        Action.DISPATCH,
        lambda life: life.dispatch(t, dispatcher, unit, str(proposal.reason), assisting=assisting),
        unit=unit.pk,
        assisting=[{"unit": other.pk, "deadline": due} for other, due in assisting],
    )


def _signed(world: World, kinds: tuple[str, ...], *, long: bool) -> tuple[Twin, datetime]:
    """A case reported, accepted, confirmed, filed, dispatched to a unit of ``kinds`` and
    signed for, both ways; and when it was signed."""
    category, spot, condition = _route_to(world, kinds, long=long)
    twin = Twin(world, category, spot)
    t = _accept_confirm_file(twin, condition) + timedelta(minutes=5)
    _dispatch(twin, t)
    handler, t = world.handler(twin.lead_unit), t + timedelta(minutes=20)
    twin.act(t, handler, Action.SIGN, lambda life: life.sign(t, handler))
    return twin, t


def test_a_joint_case_with_an_extension_and_a_rework_ends_the_same_both_ways(world):
    category, spot, condition = _route_to(world, (UnitKind.COMMUNITY, UnitKind.STREET), long=True)
    twin, w = Twin(world, category, spot), world
    t = _accept_confirm_file(twin, condition)
    helper = next(
        u for u in w.department_list if w.has_account(u) and u.pk != twin.case.community_id
    )
    t = t + timedelta(minutes=12)
    due = add_working_time(t, timedelta(hours=8), None)
    _dispatch(twin, t, assisting=((helper, due),))
    handler = w.handler(twin.lead_unit)
    t = t + timedelta(minutes=30)
    twin.act(t, handler, Action.SIGN, lambda life: life.sign(t, handler))
    t1 = t + timedelta(hours=1)
    wanted = (twin.life.deadline + timedelta(days=2)).replace(microsecond=0)
    twin.act(
        t1,
        handler,
        Action.REQUEST_EXTENSION,
        lambda life: life.request_extension(t1, handler, wanted, "需要协调"),
        comment="需要协调",
        requested_deadline=wanted,
    )
    t2, leader = t1 + timedelta(minutes=20), w.centre(Role.SHIFT_LEADER)
    twin.act(t2, leader, Action.APPROVE_EXTENSION, lambda life: life.approve_extension(t2, leader))
    t3, helper_actor = t2 + timedelta(hours=2), w.handler(helper)
    twin.act(
        t3,
        helper_actor,
        Action.ASSIST_REPORT,
        lambda life: life.assist_report(t3, helper_actor, life.assignments[1], "已配合"),
        comment="已配合",
    )
    t4 = t3 + timedelta(hours=3)
    twin.act(
        t4,
        handler,
        Action.FEED_BACK,
        lambda life: life.feed_back(t4, handler, "已处理"),
        comment="已处理",
    )
    t5, inspector = t4 + timedelta(hours=1), w.centre(Role.INSPECTOR)
    twin.act(
        t5,
        inspector,
        Action.REWORK,
        lambda life: life.rework(t5, inspector, "未清理干净"),
        comment="未清理干净",
    )
    t6 = t5 + timedelta(hours=26)  # past the fresh clock's warning and deadline
    twin.act(
        t6,
        handler,
        Action.FEED_BACK,
        lambda life: life.feed_back(t6, handler, "已清理"),
        comment="已清理",
    )
    t7 = t6 + timedelta(hours=1)
    twin.act(t7, inspector, Action.VERIFY, lambda life: life.verify(t7, inspector))
    t8 = t7 + timedelta(minutes=30)
    twin.act(t8, leader, Action.CLOSE, lambda life: life.close(t8, leader))
    t9, acceptor = t8 + timedelta(days=1), w.centre(Role.ACCEPTOR)
    twin.act(
        t9,
        acceptor,
        Action.EVALUATE,
        lambda life: life.evaluate(t9, acceptor, 4, "满意"),
        comment="满意",
        satisfaction=4,
    )
    twin.compare()


def test_a_suspended_case_resumes_with_what_was_left_the_same_both_ways(world):
    twin, t = _signed(world, (UnitKind.COMMUNITY, UnitKind.STREET), long=True)
    w = world
    handler, leader = w.handler(twin.lead_unit), w.centre(Role.SHIFT_LEADER)
    t1 = t + timedelta(hours=2)
    twin.act(
        t1,
        handler,
        Action.REQUEST_SUSPENSION,
        lambda life: life.request_suspension(t1, handler, "需长期整治"),
        comment="需长期整治",
    )
    t2 = t1 + timedelta(minutes=30)
    twin.act(
        t2, leader, Action.APPROVE_SUSPENSION, lambda life: life.approve_suspension(t2, leader)
    )
    t3 = t2 + timedelta(days=9, hours=3)
    twin.act(t3, leader, Action.RESUME, lambda life: life.resume(t3, leader))
    # left open: the machine and the live sweep both run its clock up to "now"
    twin.compare()


def test_a_cancelled_case_ends_its_tasks_the_same_both_ways(world):
    twin, t = _signed(world, (UnitKind.COMMUNITY, UnitKind.STREET), long=False)
    w = world
    dispatcher, leader = w.centre(Role.DISPATCHER), w.centre(Role.SHIFT_LEADER)
    t1 = t + timedelta(minutes=40)
    twin.act(
        t1,
        dispatcher,
        Action.REQUEST_CANCEL,
        lambda life: life.request_cancel(t1, dispatcher, "重复上报"),
        comment="重复上报",
    )
    t2 = t1 + timedelta(minutes=25)
    twin.act(t2, leader, Action.APPROVE_CANCEL, lambda life: life.approve_cancel(t2, leader))
    twin.compare()


def test_a_report_left_waiting_for_its_check_on_site_warns_and_goes_overdue_the_same_both_ways(
    world,
):
    category, spot, _ = _route_to(world, (UnitKind.COMMUNITY, UnitKind.STREET), long=False)
    twin, t = Twin(world, category, spot), START + timedelta(minutes=10)
    acceptor = world.centre(Role.ACCEPTOR)
    twin.act(t, acceptor, Action.ACCEPT, lambda life: life.accept(t, acceptor, confirm=True))
    # nobody confirms it: the confirmation stage's clock warns and runs out by "now"
    twin.compare()
    assert Case.objects.get(pk=twin.case.pk).clock_state == ClockState.OVERDUE


def test_the_sweep_escalates_an_overdue_community_case_the_same_both_ways(world):
    twin, _ = _signed(world, (UnitKind.COMMUNITY,), long=False)
    w = world
    overdue = minute_after(twin.life.deadline)
    twin.sweep(overdue, inclusive=True)  # live: warning, then overdue and the escalation
    twin.life.escalate(overdue)
    street = w.handler(twin.lead_unit)
    assert twin.lead_unit.kind == UnitKind.STREET
    t1 = overdue + timedelta(hours=1)
    twin.act(t1, street, Action.SIGN, lambda life: life.sign(t1, street))
    twin.compare()
