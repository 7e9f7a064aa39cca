"""Table-driven: every (state, action, role) that the transition table forbids is refused,
with the reason, and changes nothing."""

import pytest

from cityloop.events.choices import CaseState
from cityloop.events.models import CaseEvent
from cityloop.events.services.refusals import ActionRefused, StateForbids
from cityloop.events.services.transitions import case_act
from cityloop.events.tests.conftest import condition
from cityloop.events.workflow import TRANSITIONS, Actor
from cityloop.org.choices import Role

pytestmark = pytest.mark.django_db

PATH = {  # the actions (actor attribute of Loop, action, params) that lead to each state
    CaseState.REPORTED: [],
    CaseState.ACCEPTED: [("acceptor", "accept", {})],
    CaseState.CONFIRMING: [("acceptor", "accept", {}), ("acceptor", "request_confirmation", {})],
    CaseState.FILED: [
        ("acceptor", "accept", {}),
        ("shift_leader", "file", {"filing_condition": "c"}),
    ],
}
PATH[CaseState.DISPATCHED] = [*PATH[CaseState.FILED], ("dispatcher", "dispatch", {})]
PATH[CaseState.HANDLING] = [*PATH[CaseState.DISPATCHED], ("shop_handler", "sign", {})]
PATH[CaseState.FED_BACK] = [
    *PATH[CaseState.HANDLING],
    ("shop_handler", "feed_back", {"comment": "ok"}),
]
PATH[CaseState.VERIFIED] = [*PATH[CaseState.FED_BACK], ("inspector", "verify", {})]
PATH[CaseState.CLOSED] = [*PATH[CaseState.VERIFIED], ("shift_leader", "close", {})]
PATH[CaseState.EVALUATED] = [*PATH[CaseState.CLOSED], ("acceptor", "evaluate", {"satisfaction": 5})]
PATH[CaseState.SUSPENDED] = [
    *PATH[CaseState.HANDLING],
    ("shop_handler", "request_suspension", {"comment": "难"}),
    ("shift_leader", "approve_suspension", {}),
]
PATH[CaseState.REJECTED] = [
    ("acceptor", "reject", {"reason": "out_of_scope", "comment": "不属城管"})
]
PATH[CaseState.CANCELLED] = [
    ("acceptor", "request_cancel", {"comment": "误报"}),
    ("shift_leader", "approve_cancel", {}),
]
PATH[CaseState.MERGED] = [("acceptor", "merge", {"into": "other"})]

ROLE_USERS = {
    Role.ACCEPTOR: "acceptor",
    Role.SHIFT_LEADER: "shift_leader",
    Role.DISPATCHER: "dispatcher",
    Role.INSPECTOR: "inspector",
    Role.LEADER: "leader",
    Role.HANDLER: "shop_handler",
}


def case_in(loop, state):
    case = loop.report()
    other = loop.report(description="另一宗")
    for who, action, params in PATH[state]:
        params = dict(params)
        if params.get("filing_condition") == "c":
            params["filing_condition"] = condition("01", "10").pk
        if params.get("into") == "other":
            params["into"] = other.ticket
        loop.act(getattr(loop, who), case, action, **params)
    case.refresh_from_db()
    assert case.state == state
    return case


@pytest.mark.parametrize("state", list(PATH))
def test_every_forbidden_state_action_role_is_refused_and_changes_nothing(
    loop, monday_morning, state
):
    case = case_in(loop, state)
    before = (case.version, case.state, CaseEvent.objects.filter(case=case).count())
    tried = 0
    for action, t in TRANSITIONS.items():
        if t.actor == Actor.SYSTEM:
            continue
        for role, who in ROLE_USERS.items():
            if t.allows_state(state) and role in t.roles:
                continue  # allowed by the table (who may act is tested elsewhere)
            params = {
                "comment": "理由",
                "reason": "duplicate",
                "satisfaction": 5,
                "into": case.ticket,
                "filing_condition": 1,
            }
            with pytest.raises(ActionRefused) as exc:
                case_act(
                    actor=getattr(loop, who),
                    case=case,
                    action=action,
                    version=case.version,
                    **params,
                )
            expected = StateForbids if role in t.roles else ActionRefused
            assert isinstance(exc.value, expected), (state, action, role)
            if role not in t.roles:
                assert exc.value.code == "role", (state, action, role)
            assert exc.value.as_item()["zh"] and exc.value.as_item()["en"]
            tried += 1
    case.refresh_from_db()
    assert (case.version, case.state, CaseEvent.objects.filter(case=case).count()) == before
    assert tried > 100


def test_a_handler_of_another_unit_cannot_act_on_the_case(loop, monday_morning):
    case = case_in(loop, CaseState.DISPATCHED)
    with pytest.raises(ActionRefused) as exc:
        case_act(actor=loop.water_handler, case=case, action="sign", version=case.version)
    assert exc.value.code == "unit"


def test_a_street_dispatcher_dispatches_only_in_its_own_street(loop, monday_morning):
    case = case_in(loop, CaseState.FILED)  # in street 001
    done = case_act(
        actor=loop.street_dispatcher, case=case, action="dispatch", version=case.version
    )
    assert done.state == CaseState.DISPATCHED


def test_a_street_dispatcher_cannot_dispatch_another_streets_case(loop, monday_morning):
    from cityloop.events.tests.conftest import PLAIN_POINT

    case = loop.report(point=PLAIN_POINT)  # in street 002
    loop.act(loop.acceptor, case, "accept")
    loop.act(loop.shift_leader, case, "file", filing_condition=condition("01", "10").pk)
    case.refresh_from_db()
    with pytest.raises(ActionRefused) as exc:
        case_act(actor=loop.street_dispatcher, case=case, action="dispatch", version=case.version)
    assert exc.value.code == "unit"
