"""The JSON API's body schemas, derived from the inputs each row of a table declares.

``action_schemas(table, base)`` gives one django-ninja schema per action that has inputs,
named after the action (``dispatch`` → ``DispatchIn``), built on the module's own ``base``
(what every action carries: the version the client saw, a comment); an action with no inputs
takes ``base`` itself. A list input's items get the schema its declaration names.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field, create_model
from pydantic.fields import FieldInfo

from cityloop.core.workflow.inputs import Input, Many
from cityloop.core.workflow.table import Table


def schema_name(action: str) -> str:
    return "".join(part.capitalize() for part in action.split("_")) + "In"


def _annotation(given: Input) -> tuple[Any, FieldInfo]:
    if isinstance(given, Many):
        item = _schema(given.item, Schema, given.of)
        info: Any = Field(
            default_factory=list, max_length=given.max_items, description=given.help or None
        )
        return list[item], info  # type: ignore[valid-type]
    return given.annotation()


def _schema(name: str, base: type[Schema], inputs: tuple[Input, ...]) -> type[Schema]:
    fields: dict[str, Any] = {i.name: _annotation(i) for i in inputs}
    built: type[Schema] = create_model(name, __base__=base, **fields)
    return built


def action_schemas(table: Table, base: type[Schema]) -> dict[str, type[Schema]]:
    """The body schema of every action of ``table``, by action."""
    return {
        action: _schema(schema_name(action), base, t.inputs) if t.inputs else base
        for action, t in table.items()
    }
