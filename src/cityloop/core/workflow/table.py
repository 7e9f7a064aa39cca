"""A transition table: state × action → next state, who may act, the clock.

A module declares its table once (``events.workflow.TRANSITIONS`` for a case); the kernel's
write path (``engine.Workflow.act``), the API, the pages' buttons and the generated docs all
read it. Each row also declares the action's inputs (``inputs``): the kernel's input check,
the API's body schema and the page's form are derived from them. The table checks itself when
it is built: every row names a known action, known states, a known kind of actor and a known
stage, its inputs are well declared, and no action appears twice, so a typo fails at import,
not on the day a user first takes the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from cityloop.core.workflow.inputs import Input, check_declaration

# Next states that are not states: the state does not change, or goes back to the one before
# a suspension (the record keeps it; see ``Workflow.previous_state``).
SAME = "same"
PREVIOUS = "previous"


@dataclass(frozen=True)
class ClockStates:
    """A workflow's clock-state values, declared on its table beside its stages (the clock
    service reads a state from them, the sweep turns them)."""

    running: str
    warning: str
    overdue: str
    stopped: str

    def values(self) -> tuple[str, str, str, str]:
        return (self.running, self.warning, self.overdue, self.stopped)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    actor: str  # whose unit may act (a key of the workflow's unit rules)
    stage: str | None  # the stage whose clock starts; None keeps the running clock
    reason_required: bool = False
    attachments: bool = False
    inputs: tuple[Input, ...] = ()  # declared once: the kernel's check, the API, the page

    def allows_state(self, state: str) -> bool:
        return state in self.sources


def row(
    action: str,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    actor: str,
    stage: str | None = None,
    *,
    reason: bool = False,
    attachments: bool = False,
    inputs: Iterable[Input] = (),
) -> Transition:
    """One row of a table, written on one line (the tables read as tables)."""
    return Transition(
        action=str(action),
        sources=frozenset(str(s) for s in sources),
        target=str(target),
        roles=frozenset(str(r) for r in roles),
        actor=str(actor),
        stage=None if stage is None else str(stage),
        reason_required=reason,
        attachments=attachments,
        inputs=tuple(inputs),
    )


class Table(Mapping[str, Transition]):
    """The rows of one workflow, by action, in the order they were declared."""

    def __init__(
        self,
        rows: Iterable[Transition],
        *,
        states: type[models.TextChoices],
        actions: type[models.TextChoices],
        actors: type[models.TextChoices],
        stages: type[models.TextChoices] | None = None,
        clock_states: ClockStates | None = None,
        roles: Iterable[str] = (),
        reserved: Iterable[str] = (),
    ) -> None:
        self.states, self.actions, self.actors, self.stages = states, actions, actors, stages
        if clock_states is not None and stages is None:
            raise ImproperlyConfigured("clock states need the stages whose clocks they are")
        self.clock_states = clock_states
        self.reserved = frozenset(reserved)  # the keywords of the module's own service
        self._rows: dict[str, Transition] = {}
        known_roles = set(roles)
        for t in rows:
            self._check(t, known_roles)
            self._rows[t.action] = t

    def _check(self, t: Transition, known_roles: set[str]) -> None:
        problems = []
        if t.action in self._rows:
            problems.append("declared twice")
        if t.action not in self.actions.values:
            problems.append("unknown action")
        if unknown := t.sources - set(self.states.values):
            problems.append(f"unknown source states {sorted(unknown)}")
        if t.target not in (SAME, PREVIOUS, *self.states.values):
            problems.append(f"unknown target {t.target}")
        if t.actor not in self.actors.values:
            problems.append(f"unknown actor {t.actor}")
        if t.stage is not None and (self.stages is None or t.stage not in self.stages.values):
            problems.append(f"unknown stage {t.stage}")
        if known_roles and (unknown := t.roles - known_roles):
            problems.append(f"unknown roles {sorted(unknown)}")
        if not t.sources or not t.roles:
            problems.append("no source state or no role")
        problems.extend(check_declaration(t.inputs, reserved=self.reserved))
        if problems:
            raise ImproperlyConfigured(f"transition {t.action!r}: {', '.join(problems)}")

    def __getitem__(self, action: str) -> Transition:
        return self._rows[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)
