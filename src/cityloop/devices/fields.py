"""Two column types of ``devices_record``, the table device records stream into
(docs/decisions/0030-record-columns.md): each removes work the database did per inserted row.

* ``JSONTextField``: a record's payload, JSON kept as text. Django's ``JSONField`` makes SQLite
  check ``JSON_VALID`` on every insert and PostgreSQL parse every value into ``jsonb``; the
  pipeline writes JSON it serialised itself, and nothing queries inside a payload in SQL.
* ``RowIdField``: a big auto primary key without SQLite's ``AUTOINCREMENT``, which makes SQLite
  read and write its ``sqlite_sequence`` table for inserts. Without it SQLite gives a new row
  the largest id plus one; an id could be given again only if the row holding the largest id
  were deleted, and the newest records are never deleted. On PostgreSQL it is a plain
  ``BigAutoField``.
"""

from __future__ import annotations

import json

import orjson
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


def dumps(value) -> str:
    """``value`` as compact JSON text (UTF-8, not ASCII-escaped)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson does not take (a lone surrogate, an integer over 64 bits)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes):
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what only the standard library reads back (see dumps)
        return json.loads(text)


class JSONTextField(models.TextField):
    """JSON stored as text: a Python value in, the same value out (see the module doc)."""

    description = _("JSON kept as text")

    def from_db_value(self, value, expression, connection):
        return None if value is None else loads(value)

    def to_python(self, value):
        if value is None or not isinstance(value, str):
            return value
        try:
            return loads(value)
        except ValueError as error:
            raise ValidationError(_("Enter valid JSON."), code="invalid") from error

    def get_prep_value(self, value):
        return None if value is None else dumps(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class RowIdField(models.BigAutoField):
    """A ``BigAutoField`` without ``AUTOINCREMENT`` on SQLite (see the module doc)."""

    def db_type_suffix(self, connection):
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


def json_values(param: str = "%s", *, cast: str = "") -> str:
    """SQL selecting the elements of the JSON array ``param`` (a placeholder), as text or, on
    PostgreSQL, cast to ``cast`` (SQLite compares its JSON values as they are): a list of
    thousands of values travels as one text parameter."""
    if connection.vendor == "postgresql":
        return f"SELECT json_array_elements_text({param}::json){cast and '::' + cast}"
    return f"SELECT value FROM json_each({param})"  # noqa: S608 (the placeholder only)
