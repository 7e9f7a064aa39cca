"""The JSON Schemas of the record kinds (``schemas/<kind>.json``, docs/devices.md) and what is
derived from them: the ``jsonschema`` validator that words a refusal, the compiled fast check
(``fastcheck``), and the record fields a device's vendor key map may name.

The pipeline (``ingest``), the vendor adapters (``adapters``) and the device registry's check of
``Device.vendor_keys`` (``models``) all read them; this module reads no table and imports no
model, so each of those can import it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # (no stubs installed)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cityloop.devices.choices import MessageKind
from cityloop.devices.fastcheck import compile_schema

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@cache
def schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
    return loaded


@cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(kind))


@cache
def fast_check(kind: str) -> Callable[[Any], bool]:
    """The compiled accept/refuse check of ``kind``'s schema (``fastcheck``)."""
    return compile_schema(schema(kind))


def record_fields() -> set[str]:
    """Every record field of every message kind (the targets a key map may name)."""
    return {name for kind in MessageKind.values for name in schema(kind)["properties"]}


def check_vendor_keys(value: Any) -> None:
    """A device's ``vendor_keys``: ``{"firmware key": "record field" or null}``."""
    if not isinstance(value, dict):
        raise ValidationError(
            _('Vendor keys are a JSON object such as {"Weight": "weight_kg"}.'), code="vendor_keys"
        )
    fields = record_fields()
    for key, target in value.items():
        if not key.strip():
            raise ValidationError(_("A vendor key is not blank."), code="vendor_keys")
        if target is not None and target not in fields:
            raise ValidationError(
                _("Vendor key %(key)s: %(target)s is not a record field (one of %(fields)s)."),
                code="vendor_keys",
                params={"key": key, "target": target, "fields": ", ".join(sorted(fields))},
            )
