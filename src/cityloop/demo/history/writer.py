"""Bulk writes of a batch of finished cases: one ``executemany`` INSERT per table on SQLite,
one ``COPY`` on PostgreSQL, values adapted by the backend's own adapters (the same ones
``bulk_create`` uses), so each database gets exactly what the ORM would write.

``bulk_create`` builds a model instance and runs every field's preparation per row, which is
several times slower at a million history entries; the columns here are the models' own, and
a column the demo does not fill gets the field's default, so a field added later still works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils.duration import duration_microseconds

from cityloop.demo.history.machine import CaseLife
from cityloop.events.models import Case, CaseAssignment, CaseEvent, CaseRequest

LOOKUP_CHUNK = 900  # tickets per look-up query (well under SQLite's parameter limit)


class Table:
    """INSERTs into one model's table: the given columns, then every other column's default."""

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
        self.columns = list(columns)
        self.extra = [f for name, f in fields.items() if name not in self.columns]
        names = [fields[c].column for c in self.columns] + [f.column for f in self.extra]
        quote = connection.ops.quote_name
        table, columns = quote(model._meta.db_table), ", ".join(quote(n) for n in names)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 (no user input: our own table and columns)
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def _defaults(self) -> tuple:
        return tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.extra)

    def write(self, rows: Iterable[tuple]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        constant = all(not callable(f.default) for f in self.extra)
        defaults = self._defaults()
        full = (r + (defaults if constant else self._defaults()) for r in rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in full:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, list(full))
        return len(rows)


def datetime_adapter() -> Callable[[datetime | None], Any]:
    """The backend's ``adapt_datetimefield_value``, bound once (the connection proxy costs
    more than the adaptation). On SQLite with UTC storage, the same text without the proxy
    and the settings look-ups: ``str`` of the naive UTC moment, exactly as Django writes it."""
    ops = connection.ops
    offset = connection.timezone.utcoffset(None) if connection.timezone else None
    if connection.vendor != "sqlite" or not settings.USE_TZ or offset != timedelta(0):
        return ops.adapt_datetimefield_value

    def adapt(value: datetime | None) -> str | None:
        if value is None:
            return None
        return str(value.astimezone(UTC).replace(tzinfo=None))

    return adapt


def duration(value: timedelta | None) -> Any:
    """A ``DurationField`` value as the backend stores it (DurationField.get_db_prep_value)."""
    if value is None or connection.features.has_native_duration_field:
        return value
    return duration_microseconds(value)


def json_adapter() -> Callable[[Any], Any]:
    """The backend's ``adapt_json_value`` bound once; the empty object adapted once."""
    adapt_json = connection.ops.adapt_json_value
    empty = adapt_json({}, None)

    def adapt(value: Any) -> Any:
        return adapt_json(value, None) if value else empty

    return adapt


CASE_COLUMNS = (
    "ticket", "source", "external_id", "category_id", "filing_condition_id", "urgency",
    "description", "lon", "lat", "address", "grid_id", "community_id", "street_id", "zone_id",
    "area_class", "reporter_name", "reporter_phone", "reported_by_id", "state",
    "state_before_suspension", "stage", "stage_started_at", "deadline", "warn_at",
    "clock_state", "suspended_at", "handle_deadline", "version", "rework_count", "urge_count",
    "extension_count", "return_count", "confirmed_at", "reported_at", "accepted_at", "filed_at",
    "dispatched_at", "fed_back_at", "closed_at", "closed_on_time", "satisfaction",
    "evaluation_comment", "updated_at", "clock_anchor_at", "clock_limit", "warn_limit",
    "provisional_year",
)  # fmt: skip
EVENT_COLUMNS = (
    "case_id", "action", "from_state", "to_state", "actor_id", "actor_unit_id", "actor_label",
    "at", "comment", "data",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "case_id", "unit_id", "role", "state", "task", "deadline", "routing_reason",
    "dispatched_at", "signed_at", "done_at",
)  # fmt: skip


class Writer:
    """Writes batches of finished cases with their assignments, requests and history."""

    def __init__(self) -> None:
        self.cases = Table(Case, CASE_COLUMNS)
        self.events = Table(CaseEvent, EVENT_COLUMNS)
        self.assignments = Table(CaseAssignment, ASSIGNMENT_COLUMNS)

    def write(self, lives: list[CaseLife]) -> dict[str, int]:
        dt, js = datetime_adapter(), json_adapter()
        self.cases.write(_case_row(life, dt) for life in lives)
        ids = _ids([life.p.ticket for life in lives])
        merged = [(ids[life.merged_into], ids[life.p.ticket]) for life in lives if life.merged_into]
        if merged:
            table = connection.ops.quote_name(Case._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET merged_into_id = %s WHERE id = %s",  # noqa: S608
                    merged,
                )
        requests = self._requests(lives, ids)
        assignments = self.assignments.write(
            _assignment_row(ids[life.p.ticket], a, dt) for life in lives for a in life.assignments
        )
        events = self.events.write(
            _event_row(ids[life.p.ticket], e, dt, js) for life in lives for e in life.events
        )
        return {"events": events, "assignments": assignments, "requests": requests}

    @staticmethod
    def _requests(lives: list[CaseLife], ids: dict[str, int]) -> int:
        pairs = [(life, r) for life in lives for r in life.requests]
        rows = [
            CaseRequest(
                case_id=ids[life.p.ticket],
                kind=r.kind,
                status=r.status,
                reason=r.reason,
                requested_deadline=r.requested_deadline,
                requested_by_id=r.requested_by,
                requested_at=r.requested_at,
                decided_by_id=r.decided_by,
                decided_at=r.decided_at,
            )
            for life, r in pairs
        ]
        CaseRequest.objects.bulk_create(rows, batch_size=500)
        for (_, request), row in zip(pairs, rows, strict=True):
            request.pk = row.pk
        return len(rows)


def _ids(tickets: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(tickets), LOOKUP_CHUNK):
        chunk = tickets[start : start + LOOKUP_CHUNK]
        found.update(Case.objects.filter(ticket__in=chunk).values_list("ticket", "id"))
    return found


def _case_row(life: CaseLife, dt) -> tuple:
    p, spot = life.p, life.p.spot
    reporter = p.reporter
    return (
        p.ticket, p.source, p.external_id, p.category.minor.pk,
        life.filing_condition.pk if life.filing_condition else None, p.urgency, p.description,
        spot.lon, spot.lat, spot.address[:200], spot.grid_id, spot.community.pk, spot.street.pk,
        spot.zone_id, spot.area_class, p.reporter_name, p.reporter_phone,
        reporter.user_id if reporter else None, life.state, life.state_before_suspension,
        life.stage, dt(life.stage_started_at), dt(life.deadline), dt(life.warn_at),
        life.clock_state, dt(life.suspended_at), dt(life.handle_deadline), life.version,
        life.rework_count, life.urge_count, life.extension_count, life.return_count,
        dt(life.confirmed_at), dt(p.reported_at), dt(life.accepted_at), dt(life.filed_at),
        dt(life.dispatched_at), dt(life.fed_back_at), dt(life.closed_at),
        life.closed_on_time, life.satisfaction, life.evaluation_comment, dt(life.updated_at),
        dt(life.clock_anchor_at), duration(life.clock_limit), duration(life.warn_limit),
        life.provisional_year,
    )  # fmt: skip


def _assignment_row(case_id: int, a, dt) -> tuple:
    return (
        case_id, a.unit.pk, a.role, a.state, a.task, dt(a.deadline), a.routing_reason,
        dt(a.dispatched_at), dt(a.signed_at), dt(a.done_at),
    )  # fmt: skip


def _event_row(case_id: int, e, dt, js) -> tuple:
    data: Any = e.data
    if "request" in data:
        data = {**data, "request": data["request"].pk}
    return (
        case_id, e.action, e.from_state, e.to_state, e.actor.user_id, e.actor.unit_id,
        e.actor.label, dt(e.at), e.comment, js(data),
    )  # fmt: skip
