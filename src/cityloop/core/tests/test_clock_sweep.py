"""The kernel's set-based clock sweep (``core.workflow.sweep``), on cases through the generic
API: what turns, from which state, once only, and what is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cityloop.core.workflow.sweep import ClockFields, Turn, sweep_clocks, turn_clocks
from cityloop.core.workflow.table import ClockStates
from cityloop.events.choices import CaseState, ClockState
from cityloop.events.models import Case
from cityloop.events.tests.conftest import Loop

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=SH)
STATES = ClockStates(
    running=ClockState.ON_TIME,
    warning=ClockState.WARNING,
    overdue=ClockState.OVERDUE,
    stopped=ClockState.STOPPED,
)
FIELDS = ClockFields(suspended_at="suspended_at", touched=("updated_at",))
MINUTE = timedelta(minutes=1)


@pytest.fixture
def cases(tiny) -> dict[str, Case]:
    """Seven reported cases, their clocks set by hand around NOW."""
    loop = Loop(tiny)
    clocks = {
        # name: (clock state, warning moment, deadline, suspended)
        "future": (ClockState.ON_TIME, NOW + MINUTE, NOW + 2 * MINUTE, False),
        "warn_due": (ClockState.ON_TIME, NOW - MINUTE, NOW + MINUTE, False),
        "both_due": (ClockState.ON_TIME, NOW - 2 * MINUTE, NOW, False),
        "warned_due": (ClockState.WARNING, NOW - 2 * MINUTE, NOW - MINUTE, False),
        "warned_not_due": (ClockState.WARNING, NOW - 2 * MINUTE, NOW + MINUTE, False),
        "suspended": (ClockState.ON_TIME, NOW - 2 * MINUTE, NOW - MINUTE, True),
        "stopped": (ClockState.STOPPED, NOW - 2 * MINUTE, NOW - MINUTE, False),
    }
    found = {}
    for name, (state, warn_at, deadline, suspended) in clocks.items():
        case = loop.report(description=name)
        Case.objects.filter(pk=case.pk).update(
            clock_state=state,
            warn_at=warn_at,
            deadline=deadline,
            suspended_at=NOW - 3 * MINUTE if suspended else None,
        )
        found[name] = Case.objects.get(pk=case.pk)
    return found


def turned(turns: list[Turn], cases: dict[str, Case]) -> list[tuple[str, str, str]]:
    names = {case.pk: name for name, case in cases.items()}
    return [(names[t.pk], t.previous, t.state) for t in turns]


def test_one_sweep_turns_each_due_clock_once_and_says_from_which_state(cases):
    result = sweep_clocks(
        Case, fields=FIELDS, states=STATES, now=NOW, returning=("description", "deadline")
    )
    assert turned(result[ClockState.OVERDUE], cases) == [
        ("both_due", ClockState.ON_TIME, ClockState.OVERDUE),  # past both: straight to overdue
        ("warned_due", ClockState.WARNING, ClockState.OVERDUE),
    ]
    assert turned(result[ClockState.WARNING], cases) == [
        ("warn_due", ClockState.ON_TIME, ClockState.WARNING)
    ]
    # the fields asked for come back as the ORM reads them (aware datetimes, on SQLite too)
    first = result[ClockState.OVERDUE][0]
    assert first.values == ("both_due", NOW)
    assert first.values[1].tzinfo is not None
    states = dict(Case.objects.values_list("description", "clock_state"))
    assert states == {
        "future": ClockState.ON_TIME,
        "warn_due": ClockState.WARNING,
        "both_due": ClockState.OVERDUE,
        "warned_due": ClockState.OVERDUE,
        "warned_not_due": ClockState.WARNING,
        "suspended": ClockState.ON_TIME,  # a suspended clock does not run
        "stopped": ClockState.STOPPED,
    }
    touched = Case.objects.get(pk=cases["warn_due"].pk).updated_at
    assert touched == NOW
    # a second sweep at the same moment finds nothing left to turn
    again = sweep_clocks(Case, fields=FIELDS, states=STATES, now=NOW)
    assert again == {ClockState.OVERDUE: [], ClockState.WARNING: []}


def test_only_records_in_the_given_states_turn(cases):
    Case.objects.filter(pk=cases["both_due"].pk).update(state=CaseState.CLOSED)
    turns = turn_clocks(
        Case,
        fields=FIELDS,
        states=STATES,
        to=ClockState.OVERDUE,
        now=NOW,
        only={"state": [CaseState.REPORTED]},
    )
    assert turned(turns, cases) == [("warned_due", ClockState.WARNING, ClockState.OVERDUE)]


def test_without_a_suspension_field_every_running_clock_turns(cases):
    turns = turn_clocks(Case, fields=ClockFields(), states=STATES, to=ClockState.OVERDUE, now=NOW)
    assert [name for name, _previous, _state in turned(turns, cases)] == [
        "both_due",
        "warned_due",
        "suspended",
    ]


def test_a_clock_turns_only_to_warning_or_overdue(cases):
    with pytest.raises(ValueError, match="not 'stopped'"):
        turn_clocks(Case, fields=FIELDS, states=STATES, to=ClockState.STOPPED, now=NOW)
