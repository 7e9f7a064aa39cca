"""The one write path of a stateful record: ``Workflow.act``.

A module builds one ``Workflow`` from its model, its table (``table.Table``), its handlers (the
rules of each action beyond the state change), its unit rules (whose unit may act), its clock
policy and its history writer. ``act`` then, in one transaction: locks the row, runs the checks
in ``Workflow.checks`` order (each refusal raises before anything is written), runs the
action's handler, sets the next state, lets the module react to the move (its tasks, its
clock), bumps the version, writes the history row, saves the attachments, queues the
notifications, schedules the side effects for after the commit, and takes the action that
follows, if the handler named one, as the system.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db import OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import ActionRefused, BadInput, RecordChanged, StateForbids
from cityloop.core.workflow.actors import EXPLICIT_ROLES, SystemActor, is_explicit
from cityloop.core.workflow.history import History
from cityloop.core.workflow.inputs import clean_all
from cityloop.core.workflow.table import PREVIOUS, SAME, Table, Transition

Handler = Callable[["ActionContext"], None]
UnitRule = Callable[[Any, Any, Transition], bool]


@dataclass
class ActionContext:
    """What a handler sees and fills: the locked record, who acts, the inputs, what to record."""

    record: Any
    actor: Any
    transition: Transition
    now: datetime
    params: dict[str, Any]
    comment: str
    workflow: Workflow
    data: dict[str, Any] = field(default_factory=dict)  # details for the history row
    notices: list[tuple[Any, str, Any]] = field(default_factory=list)  # with the change
    on_commit: list[Callable[[], None]] = field(default_factory=list)  # after the commit
    follow_up: str | None = None  # an action the system takes right after this one
    attachments: Sequence[Any] = ()  # the files given, for a handler that seals their digests


@dataclass(frozen=True)
class Check:
    """One check of the write path: ``act`` runs ``Workflow.checks`` in their order (each by
    its ``run`` method; the last, the action's own rules, is its handler), and the docs list
    the same sequence."""

    name: str
    status: int
    code: str
    says: Any  # what it checks, in words
    run: str | None  # the Workflow method that runs it; None: the handler, in ``_apply``


@dataclass
class Attempt:
    """An action asked for, as the checks see it."""

    actor: Any
    record: Any
    action: str
    version: int | None = None
    comment: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    transition: Transition | None = None

    @property
    def row(self) -> Transition:
        """The table's row, once the action check has found it (it runs first of the row's)."""
        if self.transition is None:
            raise RuntimeError("the action check must run before the row's checks")
        return self.transition


class Messages:
    """How a workflow words its refusals (its own noun: a case, a task …)."""

    def __init__(
        self,
        *,
        role: Any = None,
        state: Any = None,
        unit: Any = None,
        unknown_action: Any = None,
        reason: Any = None,
    ) -> None:
        self.role = role or _("Only %(roles)s may %(action)s this record.")
        self.state = state or _("A record that is “%(state)s” cannot be given “%(action)s”.")
        self.unit = unit or _("Your unit cannot %(action)s this record: %(who)s.")
        self.unknown_action = unknown_action or _("There is no action “%(action)s”.")
        self.reason = reason or _("Say why: this action needs a reason.")


class Workflow:
    """A stateful record moved only through its table; see the module's docstring."""

    @cached_property
    def checks(self) -> tuple[Check, ...]:
        """The checks of ``act``, in the order it runs them (the generated docs list these)."""
        return (
            Check(
                "version",
                409,
                self.changed.code,
                _("the version the actor saw is current"),
                "_check_version",
            ),
            Check("action", 403, "unknown_action", _("the action exists"), "_check_action"),
            Check("role", 403, "role", _("the actor has one of the row's roles"), "_check_role"),
            Check(
                "state",
                409,
                "state_forbids",
                _("the row allows the record's state"),
                "_check_state",
            ),
            Check(
                "unit", 403, "unit", _("the actor's unit may act (the row's “who”)"), "_check_unit"
            ),
            Check(
                "reason",
                422,
                "missing",
                _("a reason is given where the row requires one"),
                "_check_reason",
            ),
            Check(
                "inputs",
                422,
                "",
                _("the action's declared inputs: presence, type, length, range, allowed values"),
                "_check_inputs",
            ),
            Check("rules", 422, "", _("the action's own rules (its handler), on a field"), None),
        )

    def _run_checks(self, attempt: Attempt, *, skip: tuple[str, ...] = ()) -> Transition:
        for check in self.checks:
            if check.run is not None and check.name not in skip:
                getattr(self, check.run)(attempt)
        return attempt.row

    def __init__(
        self,
        *,
        name: str,
        model: type[models.Model],
        table: Table,
        handlers: Mapping[str, Handler],
        unit_rules: Mapping[str, UnitRule],
        write_history: History,
        role_label: Callable[[str], Any],
        messages: Messages | None = None,
        related: Sequence[str] = (),
        previous_state: Callable[[Any], str] | None = None,
        on_move: Callable[[ActionContext, str], None] | None = None,
        start_clock: Callable[[ActionContext], None] | None = None,
        attach: Callable[[ActionContext, Any, Sequence[Any]], None] | None = None,
        notify: Callable[[ActionContext], None] | None = None,
        changed: type[RecordChanged] = RecordChanged,
        state_field: str = "state",
        version_field: str = "version",
    ) -> None:
        missing = set(table.actors.values) - set(unit_rules)
        if missing:
            raise ValueError(f"workflow {name}: no unit rule for {sorted(missing)}")
        unknown = set(handlers) - set(table)
        if unknown:
            raise ValueError(f"workflow {name}: handlers for unknown actions {sorted(unknown)}")
        self.name, self.model, self.table = name, model, table
        self.handlers, self.unit_rules = handlers, unit_rules  # by reference: tests patch them
        self.write_history, self.role_label = write_history, role_label
        self.messages = messages or Messages()
        self.related = tuple(related)
        self.previous_state, self.on_move, self.start_clock = previous_state, on_move, start_clock
        self.attach, self.notify, self.changed = attach, notify, changed
        self.state_field, self.version_field = state_field, version_field

    def state_of(self, record: Any) -> str:
        return str(getattr(record, self.state_field))

    # --- the checks, in order -----------------------------------------------------------
    def check_allowed(self, actor: Any, record: Any, action: str) -> Transition:
        """The row if ``actor`` may take ``action`` on ``record`` now (the checks that do not
        need the request: no version, no reason); else a refusal."""
        attempt = Attempt(actor, record, action)
        return self._run_checks(attempt, skip=("version", "reason", "inputs"))

    def _check_version(self, a: Attempt) -> None:
        current = getattr(a.record, self.version_field)
        if a.version is not None and current != a.version:
            raise self.changed(current=current)

    def _check_action(self, a: Attempt) -> None:
        a.transition = self.table.get(a.action)
        if a.transition is None:
            raise ActionRefused(
                lazy_format(self.messages.unknown_action, {"action": a.action}),
                field="action",
                code="unknown_action",
            )

    def _check_role(self, a: Attempt) -> None:
        t = a.row
        if a.actor.is_superuser and t.roles - EXPLICIT_ROLES:
            return
        # A user never passes through ``system`` or ``citizen``, whatever their grants say.
        allowed = t.roles if is_explicit(a.actor) else t.roles - EXPLICIT_ROLES
        if not a.actor.has_role(*allowed):
            staff = sorted(t.roles - EXPLICIT_ROLES) or sorted(t.roles)
            roles = "、".join(str(self.role_label(r)) for r in staff)
            raise ActionRefused(
                lazy_format(self.messages.role, {"roles": roles, "action": self._label(t)}),
                code="role",
            )

    def _check_state(self, a: Attempt) -> None:
        t, state = a.row, self.state_of(a.record)
        if not t.allows_state(state):
            raise StateForbids(
                lazy_format(
                    self.messages.state,
                    {"state": self.table.states(state).label, "action": self._label(t)},
                ),
                field=self.state_field,
            )

    def _check_unit(self, a: Attempt) -> None:
        t, actor = a.row, a.actor
        if is_explicit(actor):
            fits = actor.reaches(a.record)
        else:
            fits = self.unit_rules[t.actor](actor, a.record, t)
        if not fits:
            raise ActionRefused(
                lazy_format(
                    self.messages.unit,
                    {"action": self._label(t), "who": self.table.actors(t.actor).label},
                ),
                code="unit",
            )

    def _check_reason(self, a: Attempt) -> None:
        # A row that declares a ``reason`` input (a chosen reason) takes it as the reason.
        chosen = any(i.name == "reason" for i in a.row.inputs) and a.params.get("reason")
        if a.row.reason_required and not a.comment and not chosen:
            raise BadInput(self.messages.reason, field="comment", code="missing")

    def _check_inputs(self, a: Attempt) -> None:
        a.params = clean_all(a.row.inputs, a.params)

    def _label(self, t: Transition) -> Any:
        return self.table.actions(t.action).label

    def allowed_actions(self, actor: Any, record: Any) -> list[Transition]:
        """The actions ``actor`` may take on ``record`` now (the pages show exactly these)."""
        allowed = []
        for action in self.table:
            try:
                allowed.append(self.check_allowed(actor, record, action))
            except ActionRefused:
                continue
        return allowed

    # --- the write path -----------------------------------------------------------------
    def act(
        self,
        *,
        actor: Any,
        record: Any,
        action: str,
        version: int | None = None,
        comment: str = "",
        attachments: Sequence[Any] = (),
        now: datetime | None = None,
        **params: Any,
    ) -> Any:
        """Take ``action`` on ``record`` as ``actor``: a user, ``SystemActor``, ``CitizenActor``."""
        if actor is None:
            raise TypeError("an actor is required: a user, SystemActor() or CitizenActor(pk)")
        try:
            return self._act(actor, record, action, version, comment, attachments, now, params)
        except OperationalError as exc:  # two actions locking in opposite order: one loses
            if "deadlock" not in str(exc).lower():
                raise
            raise self.changed(current=getattr(record, self.version_field, 0)) from exc

    def _act(
        self,
        actor: Any,
        record: Any,
        action: str,
        version: int | None,
        comment: str,
        attachments: Sequence[Any],
        now: datetime | None,
        params: dict[str, Any],
    ) -> Any:
        with transaction.atomic():
            locked = self._lock(record)
            attempt = Attempt(actor, locked, action, version, comment.strip(), params)
            t = self._run_checks(attempt)
            ctx = ActionContext(
                locked, actor, t, now or timezone.now(), attempt.params, attempt.comment, self
            )
            ctx.attachments = tuple(attachments)
            history = self._apply(ctx)
            if attachments and self.attach is not None:
                self.attach(ctx, history, attachments)
            if self.notify is not None:
                self.notify(ctx)
            for effect in ctx.on_commit:
                transaction.on_commit(effect)
            if ctx.follow_up:
                self.act(actor=SystemActor(), record=locked, action=ctx.follow_up, now=ctx.now)
        return locked

    def _lock(self, record: Any) -> Any:
        pk = record.pk if isinstance(record, self.model) else record
        rows = self.model._default_manager.select_for_update(of=("self",))
        return rows.select_related(*self.related).get(pk=pk)

    def _apply(self, ctx: ActionContext) -> Any:
        record, t = ctx.record, ctx.transition
        before = self.state_of(record)
        handler = self.handlers.get(t.action)
        if handler is not None:
            handler(ctx)
        setattr(record, self.state_field, self._target(record, t, before))
        if self.on_move is not None:
            self.on_move(ctx, before)
        if t.stage is not None and self.start_clock is not None:
            self.start_clock(ctx)
        setattr(record, self.version_field, getattr(record, self.version_field) + 1)
        record.save()
        return self.write_history(ctx, before)

    def apply_in_bulk(
        self, records: Sequence[Any], action: str, *, actor: Any, at: Callable[[Any], datetime]
    ) -> list[Any]:
        """The set-based path (ingestion reacting to a batch): ``action`` taken by ``actor`` on
        each of ``records`` in memory, after the same role, state and unit checks, its handler
        run with ``now = at(record)`` and the version bumped; returns the unsaved history rows.
        The caller writes both in its own transaction (``bulk_update`` of the records,
        ``bulk_create`` of the rows). For actions whose handler only sets fields: one that
        starts a clock, notifies or writes goes through ``act``."""
        t = self.table.get(action)
        if t is None or t.stage is not None or t.reason_required or t.inputs or self.on_move:
            raise ValueError(f"workflow {self.name}: {action} needs act(), not the bulk path")
        handler = self.handlers.get(t.action)
        rows = []
        for record in records:
            self._run_checks(Attempt(actor, record, action), skip=("version", "reason", "inputs"))
            before = self.state_of(record)
            ctx = ActionContext(record, actor, t, at(record), {}, "", self)
            if handler is not None:
                handler(ctx)
            if ctx.notices or ctx.on_commit or ctx.follow_up:
                raise ValueError(f"workflow {self.name}: {action} has effects; use act()")
            setattr(record, self.state_field, self._target(record, t, before))
            setattr(record, self.version_field, getattr(record, self.version_field) + 1)
            after = self.state_of(record)
            rows.append(
                self.write_history.row(record, action, before, after, actor, ctx.now, data=ctx.data)
            )
        return rows

    def next_state(self, record: Any, t: Transition) -> str:
        """The state ``t`` takes ``record`` to from where it is (the table's target, the same
        state, or the one before), for callers that move a record in memory (the demo year)."""
        return self._target(record, t, self.state_of(record))

    def _target(self, record: Any, t: Transition, before: str) -> str:
        if t.target == SAME:
            return before
        if t.target == PREVIOUS:
            if self.previous_state is None:
                raise ValueError(f"workflow {self.name}: PREVIOUS needs previous_state")
            return self.previous_state(record)
        return t.target
