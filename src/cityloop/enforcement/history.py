"""The history of an enforcement case: one row per act (《行政处罚法》第四十七条 全过程记录),
including the clue's registration and the sweep's clock turns, which are not transitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import both, lazy_format
from cityloop.core.workflow.actors import SystemActor
from cityloop.core.workflow.history import chained_history_writer
from cityloop.core.workflow.sweep import Turn
from cityloop.enforcement.choices import ClockKind, ClockState
from cityloop.enforcement.models import CaseClock, EnforcementCase, EnforcementEvent

HISTORY = chained_history_writer(EnforcementEvent, "case")
REGISTER = "register"  # the first row: the clue registered
TURN_ACTION = {ClockState.WARNING: "clock_warning", ClockState.OVERDUE: "clock_overdue"}
MESSAGES = {
    ClockState.WARNING: _("Enforcement case %(number)s: “%(clock)s” is due by %(deadline)s."),
    ClockState.OVERDUE: _(
        "Enforcement case %(number)s: “%(clock)s” is overdue since %(deadline)s."
    ),
}


def write_first(case: EnforcementCase, actor: Any, now: datetime, data: dict) -> EnforcementEvent:
    """The clue's first history row (线索登记), the head of its chain."""
    row = HISTORY.row(case, REGISTER, "", case.state, actor, now, data=data)
    return HISTORY.append(row)


def write_turns(turned: dict[str, list[Turn]], now: datetime) -> int:
    """A system row on each case whose clock turned, and a notice to its officers. The cases
    are locked first (in id order), so that an act meanwhile cannot interleave its row."""
    from django.utils import timezone

    from cityloop.notifications.services import Notice, notify_many

    turns = [t for state in (ClockState.OVERDUE, ClockState.WARNING) for t in turned.get(state, [])]
    if not turns:
        return 0
    ids = sorted({t.values[0] for t in turns})
    cases = {
        c.pk: c
        for c in EnforcementCase.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .prefetch_related("officers")
    }

    clocks = {c.pk: c for c in CaseClock.objects.filter(pk__in=[t.pk for t in turns])}
    system, notices = SystemActor(), []
    for t in sorted(turns, key=lambda t: (t.values[0], t.pk)):
        case, clock = cases[t.values[0]], clocks[t.pk]
        label = ClockKind(clock.kind).label
        row = HISTORY.row(
            case,
            TURN_ACTION[t.state],
            case.state,
            case.state,
            system,
            now,
            data={"clock": clock.kind, "deadline": clock.deadline.isoformat()},
        )
        HISTORY.append(row)
        text = lazy_format(
            MESSAGES[t.state],
            {
                "number": case.number,
                "clock": label,
                "deadline": timezone.localtime(clock.deadline).strftime("%Y-%m-%d %H:%M"),
            },
        )
        notices.append(
            Notice(users=list(case.officers.all()), kind=TURN_ACTION[t.state], text=both(text))
        )
    notify_many(notices=notices, now=now)
    return len(turns)
