"""A fast accept/refuse check compiled from a record's JSON Schema (ingestion, docs/devices.md).

The JSON Schema files in ``devices/schemas/`` stay the documented truth. ``compile_schema`` turns
one of them into a plain Python function that answers "valid or not" about twenty times faster
than ``jsonschema``'s validator (which the pipeline still uses, but only to word the error of a
record this check refused). It understands exactly the keywords our schemas use: an object
with ``properties`` (``type`` string, number, integer or boolean; string ``enum``,
``minLength``/``maxLength``; number ``minimum``/``maximum``), ``required`` and
``additionalProperties: false``. Any other keyword is an error at compile time, so a schema
that grows a new rule cannot be silently checked less strictly than it says
(docs/decisions/0021-fast-record-check.md).

One rule is stricter than the schemas: a number must be finite and within ±2^53 (JSON has no
NaN or Infinity, and such a value could not be stored in a float column).
``tests/test_ingest_fastcheck.py`` proves that the compiled check and ``jsonschema`` agree on
accept/refuse for every other record.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite

SAFE_INTEGER = 2**53

_TOP_KEYWORDS = {
    "$schema",
    "$id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
}
_PROPERTY_KEYWORDS = {
    "type",
    "enum",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "description",
    "title",
}
_TYPES = {
    "string": "t is not str",
    "number": "t is not float and t is not int",
    "integer": "t is not int and not (t is float and v.is_integer())",
    "boolean": "t is not bool",
}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword the compiled check does not implement."""


def compile_schema(schema: dict) -> Callable[[object], bool]:
    """A function ``check(record) -> bool`` equivalent to the schema (see the module doc)."""
    if unknown := set(schema) - _TOP_KEYWORDS:
        raise UnsupportedSchema(f"keywords {sorted(unknown)}")
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        raise UnsupportedSchema("a record schema is a closed object")
    properties: dict = schema.get("properties", {})
    required = list(schema.get("required", []))
    lines = [
        "def check(r):",
        "    if type(r) is not dict or not r.keys() <= ALLOWED or not REQUIRED <= r.keys():",
        "        return False",
    ]
    constants: dict = {
        "ALLOWED": frozenset(properties),
        "REQUIRED": frozenset(required),
        "MISSING": object(),
        "isfinite": isfinite,
        "SAFE": SAFE_INTEGER,
    }
    for index, (name, rule) in enumerate(properties.items()):
        lines += _property(index, name, rule, constants)
    lines.append("    return True")
    namespace = dict(constants)
    exec(compile("\n".join(lines), f"<schema {schema.get('$id', '')}>", "exec"), namespace)  # noqa: S102 (source generated from our own schema files)
    return namespace["check"]


def _property(index: int, name: str, rule: dict, constants: dict) -> list[str]:
    if unknown := set(rule) - _PROPERTY_KEYWORDS:
        raise UnsupportedSchema(f"{name}: keywords {sorted(unknown)}")
    kind = rule.get("type")
    if kind not in _TYPES:
        raise UnsupportedSchema(f"{name}: type {kind!r}")
    body = [f"if {_TYPES[kind]}: return False"]
    if "enum" in rule:
        if kind != "string" or not all(isinstance(e, str) for e in rule["enum"]):
            raise UnsupportedSchema(f"{name}: enum of strings only")
        constants[f"ENUM{index}"] = frozenset(rule["enum"])
        body.append(f"if v not in ENUM{index}: return False")
    if "minLength" in rule or "maxLength" in rule:
        if kind != "string":
            raise UnsupportedSchema(f"{name}: lengths are for strings")
        if "minLength" in rule:
            body.append(f"if len(v) < {int(rule['minLength'])}: return False")
        if "maxLength" in rule:
            body.append(f"if len(v) > {int(rule['maxLength'])}: return False")
    if kind in {"number", "integer"}:
        # Stricter than the schema: finite, and integers within ±2^53 (storable as a float).
        body.append("if t is float and not isfinite(v): return False")
        body.append("if t is int and not -SAFE <= v <= SAFE: return False")
        if "minimum" in rule:
            body.append(f"if v < {float(rule['minimum'])!r}: return False")
        if "maximum" in rule:
            body.append(f"if v > {float(rule['maximum'])!r}: return False")
    elif "minimum" in rule or "maximum" in rule:
        raise UnsupportedSchema(f"{name}: bounds are for numbers")
    return [
        f"    v = r.get({name!r}, MISSING)",
        "    if v is not MISSING:",
        "        t = type(v)",
        *(f"        {line}" for line in body),
    ]
