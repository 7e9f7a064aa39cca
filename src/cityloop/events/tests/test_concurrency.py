"""Two people act on the same case at once: exactly one wins, the other gets a 409."""

import threading

import pytest
from django.db import connection

from cityloop.events.models import Case, CaseEvent
from cityloop.events.services.refusals import CaseChanged
from cityloop.events.services.transitions import case_act


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_connections_accept_the_same_case_and_exactly_one_wins(loop):
    case = loop.report()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user, action):
        try:
            barrier.wait()
            case_act(
                actor=user,
                case=case.pk,
                action=action,
                version=case.version,
                **({"reason": "duplicate", "comment": "重复"} if action == "reject" else {}),
            )
            outcomes.append("won")
        except CaseChanged:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(loop.acceptor, "accept")),
        threading.Thread(target=accept, args=(loop.shift_leader, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["409", "won"]
    case.refresh_from_db()
    assert case.version == 2 and case.state in ("accepted", "rejected")
    assert CaseEvent.objects.filter(case=case).exclude(action="report").count() == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_loser_is_told_the_current_version(loop):
    case = loop.report()
    case_act(actor=loop.acceptor, case=case, action="accept", version=case.version)
    with pytest.raises(CaseChanged) as exc:
        case_act(
            actor=loop.shift_leader,
            case=case.pk,
            action="reject",
            version=case.version,
            reason="duplicate",
            comment="x",
        )
    assert exc.value.current == case.version + 1
