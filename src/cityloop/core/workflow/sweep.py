"""The set-based clock sweep: every clock past its warning or its deadline turns at once.

A module names its clock fields (``ClockFields``) and its clock-state values (``ClockStates``,
declared on its table), and calls :func:`turn_clocks` (or :func:`sweep_clocks` for both
kinds) inside its sweep's transaction; it gets back what turned (the id, the state before and
after, the fields it asked for) and writes its history and notices from that.

One ``UPDATE … WHERE <clock state> … RETURNING …`` per kind of turn: running → warning (past
the warning moment, not yet past the deadline), warning → overdue and running → overdue (past
the deadline). ``RETURNING`` gives the row as updated on SQLite (≥ 3.35) and PostgreSQL alike,
so a turn's previous state is the one its statement selected on, never read separately. A row
turns only while it still has the old state: with several sweeps at once each row is turned
by exactly one of them and only that sweep's ``RETURNING`` names it (on PostgreSQL the second
``UPDATE`` waits for the first's row lock and re-checks its ``WHERE`` on the committed row; on
SQLite writers are serialised, so the second sees the committed turn).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models.expressions import Col

from cityloop.core.workflow.table import ClockStates

Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class ClockFields:
    """Where a model keeps its clock: the names of its fields."""

    deadline: str = "deadline"
    warn_at: str = "warn_at"
    state: str = "clock_state"
    suspended_at: str | None = None  # a clock runs only while this is empty
    touched: tuple[str, ...] = ()  # set to the sweep's moment with each turn (updated_at)


@dataclass(frozen=True)
class Turn:
    """One record whose clock a statement turned."""

    pk: Any
    previous: str
    state: str
    values: tuple[Any, ...]  # the fields asked for, converted as the ORM reads them


def sweep_clocks(
    model: type[models.Model],
    *,
    fields: ClockFields,
    states: ClockStates,
    now: datetime,
    only: Mapping[str, Collection[str]] | None = None,
    returning: Sequence[str] = (),
) -> dict[str, list[Turn]]:
    """Both kinds of turn, overdue first (a clock past both moments goes straight to overdue),
    by the state each turned to."""
    kwargs: dict[str, Any] = {"fields": fields, "states": states, "now": now, "only": only}
    overdue = turn_clocks(model, to=states.overdue, returning=returning, **kwargs)
    warning = turn_clocks(model, to=states.warning, returning=returning, **kwargs)
    return {states.overdue: overdue, states.warning: warning}


def turn_clocks(
    model: type[models.Model],
    *,
    fields: ClockFields,
    states: ClockStates,
    to: str,
    now: datetime,
    only: Mapping[str, Collection[str]] | None = None,
    returning: Sequence[str] = (),
) -> list[Turn]:
    """Turn every running clock of ``model`` that is due to ``to`` (``states.warning`` or
    ``states.overdue``), in the records whose ``only`` fields have one of the given values;
    the turns by primary key."""
    sources: tuple[str, ...]
    if to == states.overdue:
        sources = (states.warning, states.running)
    elif to == states.warning:
        sources = (states.running,)
    else:
        raise ValueError(f"a clock turns to '{states.warning}' or '{states.overdue}', not '{to}'")
    at = connection.ops.adapt_datetimefield_value(now)
    convert = [(i, c) for i, c in enumerate(_converters(model, returning), start=1) if c]
    turned: list[Turn] = []
    for source in sources:
        sql, params = _turn_sql(
            model, fields, source, to, at, only or {}, returning, warning=to == states.warning
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        turned.extend(Turn(row[0], source, to, _values(row, convert)) for row in rows)
    return sorted(turned, key=lambda t: t.pk)


def _turn_sql(
    model: type[models.Model],
    fields: ClockFields,
    source: str,
    to: str,
    at: object,
    only: Mapping[str, Collection[str]],
    returning: Sequence[str],
    *,
    warning: bool,
) -> tuple[str, list[Any]]:
    column = _columns(model)
    state, deadline = column(fields.state), column(fields.deadline)
    sets = [f"{state} = %s", *(f"{column(name)} = %s" for name in fields.touched)]
    params: list[Any] = [to, *(at for _name in fields.touched), source]
    where = [f"{state} = %s"]
    if warning:
        # NOT (deadline <= …) rather than deadline > …: the same rows, but SQLite's planner
        # (without histograms) would otherwise walk the deadline index over every future clock
        # instead of the warning index over the few clocks past their warning time.
        where.append(f"{column(fields.warn_at)} <= %s AND NOT ({deadline} <= %s)")
        params += [at, at]
    else:
        where.append(f"{deadline} <= %s")
        params.append(at)
    if fields.suspended_at is not None:
        where.append(f"{column(fields.suspended_at)} IS NULL")
    for name, values in only.items():
        where.append(f"{column(name)} IN ({', '.join(['%s'] * len(values))})")
        params += list(values)
    table = connection.ops.quote_name(model._meta.db_table)
    back = ", ".join(column(name) for name in ("pk", *returning))
    sql = (
        f"UPDATE {table} SET {', '.join(sets)} "  # noqa: S608 (names and placeholders only)
        f"WHERE {' AND '.join(where)} RETURNING {back}"
    )
    return sql, params


def _columns(model: type[models.Model]) -> Callable[[str], str]:
    """The quoted column of a field of ``model``, by the field's name."""

    def column(name: str) -> str:
        found = _field(model, name).column
        if found is None:
            raise ImproperlyConfigured(f"{model.__name__}.{name} has no column")
        return connection.ops.quote_name(found)

    return column


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A concrete field of ``model`` (``pk``: its primary key); a misnamed one fails loudly."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ImproperlyConfigured(f"{model.__name__} has no concrete field {name!r}")
    return field


def _converters(model: type[models.Model], names: Sequence[str]) -> list[Converter | None]:
    """How the ORM turns each raw value of these fields into Python (SQLite's text datetimes);
    None where the value is already what the ORM would give."""
    found: list[Converter | None] = []
    for name in names:
        field = _field(model, name)
        expression = Col(model._meta.db_table, field)
        steps = [
            *connection.ops.get_db_converters(expression),
            *field.get_db_converters(connection),
        ]
        found.append(functools.partial(_convert, steps, expression) if steps else None)
    return found


def _values(row: Sequence[Any], convert: Sequence[tuple[int, Converter]]) -> tuple[Any, ...]:
    """The returned fields of a row (after its primary key), converted where they need it."""
    if not convert:
        return tuple(row[1:])
    values = list(row)
    for index, step in convert:
        values[index] = step(values[index])
    return tuple(values[1:])


def _convert(steps: Sequence[Callable[..., Any]], expression: Col, value: Any) -> Any:
    for step in steps:
        value = step(value, expression, connection)
    return value
