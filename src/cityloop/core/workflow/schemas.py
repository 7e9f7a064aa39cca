"""The JSON API's body schemas, derived from the inputs each row of a table declares.

``action_schemas(table, base)`` gives one django-ninja schema per action that has inputs,
named after the action (``dispatch`` → ``DispatchIn``; ``prefix`` goes in front, for a module
whose action names another module already uses), built on the module's own ``base`` (what
every action carries: the version the client saw, a comment); an action with no inputs takes
``base`` itself. A list input's items get the schema its declaration names. Every schema
refuses a field it does not declare (``extra="forbid"``), as the kernel does.

django-ninja keeps one schema per name in the OpenAPI document and would let a second one of
the same name replace the first: a name built twice from different declarations is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from ninja import Schema
from pydantic import ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from cityloop.core.workflow.inputs import Input, Many
from cityloop.core.workflow.table import Table


class Item(Schema):
    """The base of a list input's item: it refuses what it does not declare."""

    model_config = ConfigDict(extra="forbid")


_BUILT: dict[str, tuple[tuple[str, ...], type[Schema]]] = {}


def schema_name(action: str, prefix: str = "") -> str:
    return prefix + "".join(part.capitalize() for part in action.split("_")) + "In"


def _annotation(given: Input) -> tuple[Any, FieldInfo]:
    if isinstance(given, Many):
        item = _schema(given.item, Item, given.of)
        info: Any = Field(
            default_factory=list, max_length=given.max_items, description=given.help or None
        )
        return list[item], info  # type: ignore[valid-type]
    return given.annotation()


def _schema(name: str, base: type[Schema], inputs: tuple[Input, ...]) -> type[Schema]:
    signature = (base.__qualname__, *(repr(i) for i in inputs))
    if name in _BUILT:
        built_from, built = _BUILT[name]
        if built_from != signature:
            raise ImproperlyConfigured(
                f"two API schemas named {name}: give one module's action_schemas a prefix"
            )
        return built
    fields: dict[str, Any] = {i.name: _annotation(i) for i in inputs}
    built = create_model(name, __base__=base, **fields)
    _BUILT[name] = (signature, built)
    return built


def action_schemas(table: Table, base: type[Schema], prefix: str = "") -> dict[str, type[Schema]]:
    """The body schema of every action of ``table``, by action."""
    if base.model_config.get("extra") != "forbid":
        raise ImproperlyConfigured(f"{base.__name__} must refuse undeclared fields (extra=forbid)")
    return {
        action: _schema(schema_name(action, prefix), base, t.inputs) if t.inputs else base
        for action, t in table.items()
    }
