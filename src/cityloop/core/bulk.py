"""Appending many rows to an append-only table fast: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL.

For history entries and notifications written by the thousand (the deadline sweep), where the
ORM's per-object cost (a model instance and a prepared value per field, batches of ~100 rows on
SQLite) is most of the time. Values are adapted as the ORM would: datetimes by the backend, JSON
by the field's encoder. Nothing is returned (no ids), and no model code runs: use it only for
tables that are written nowhere else with extra logic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models

BATCH = 10_000


def bulk_append(
    *, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, attnames such as ``case_id``) into
    ``model``'s table in the current transaction; returns how many rows were written."""
    columns = [_concrete(model, name) for name in fields]
    adapt = [_adapter(field) for field in columns]
    prepared = (tuple(a(v) if a else v for a, v in zip(adapt, row, strict=True)) for row in rows)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in columns)
    if connection.vendor == "postgresql":
        return _copy(table, names, prepared)
    return _executemany(table, names, len(columns), prepared)


def _concrete(model: type[models.Model], name: str) -> models.Field:
    """The column-backed field ``name`` (an attname such as ``case_id`` names its FK)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return lambda value: json.dumps(value, cls=encoder, ensure_ascii=False)
    if kind == "DateTimeField" and connection.vendor != "postgresql":
        # Bulk rows mostly share their timestamps ("now"): adapt each distinct one once.
        return lru_cache(maxsize=1024)(connection.ops.adapt_datetimefield_value)
    return None


def _copy(table: str, names: str, rows: Iterable[tuple]) -> int:
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _executemany(table: str, names: str, width: int, rows: Iterable[tuple]) -> int:
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * width)})"  # noqa: S608 (names from the model)
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
    return count + len(batch)
