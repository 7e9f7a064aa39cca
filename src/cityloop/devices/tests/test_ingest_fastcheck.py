"""The compiled record check agrees with the JSON Schema files (the documented truth) on
accept/refuse, for every kind, over valid records and records broken in every way the schemas
forbid; its one stricter rule (finite numbers) is refused with its own words."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from cityloop.devices import ingest, record_schemas
from cityloop.devices.choices import MessageKind
from cityloop.devices.fastcheck import UnsupportedSchema, compile_schema

T = "2026-11-25T09:58:00+08:00"

VALID = {
    "disposal": {
        "time": T,
        "card": "C-1",
        "bin_type": "kitchen",
        "weight_kg": 1.5,
        "is_correct": True,
        "photo": "s3://p.jpg",
    },
    "ai_alarm": {"time": T, "alarm": "overflow", "confidence": 0.9, "snapshot": "s3://a.jpg"},
    "fill_level": {"time": T, "bin_rfid": "BIN-1", "bin_type": "other", "level": 0.5},
    "truck_collection": {
        "time": T,
        "bin_rfid": "BIN-1",
        "bin_type": "kitchen",
        "weight_kg": 88,
        "sorting_score": 92.5,
        "plate": "粤B12345",
    },
    "plant_intake": {
        "time": T,
        "plate": "粤B12345",
        "waste_type": "kitchen",
        "gross_kg": 15000,
        "tare_kg": 9000,
        "net_kg": 6000.0,
    },
}

# Values of every JSON type, and edge values around each schema's bounds.
PROBES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    0.5,
    -0.001,
    1.0000001,
    100,
    100.5,
    1000,
    1000.01,
    5000,
    5001,
    2**53,  # the largest integer still stored exactly (beyond: fastcheck is stricter)
    "",
    "x",
    "kitchen",
    "recyclable",
    "hazardous",
    "other",
    "KITCHEN",
    "mixed_disposal",
    "littering",
    "overflow",
    "bag_on_ground",
    "2026-11-25",
    "a" * 16,
    "a" * 17,
    "b" * 64,
    "b" * 65,
    "c" * 500,
    "c" * 501,
    "长" * 10,
    [],
    ["kitchen"],
    {},
    {"a": 1},
]


def variants(kind: str):
    """The valid record, each field replaced by each probe or removed, an unknown key added,
    the record as another JSON type, and the fields of the minimal record in pairs."""
    valid = VALID[kind]
    yield valid
    for name in valid:
        for probe in PROBES:
            yield {**valid, name: probe}
        yield {k: v for k, v in valid.items() if k != name}
    yield {**valid, "extra": 1}
    yield from (None, [], "record", 3, [valid])
    required = set(record_schemas.schema(kind)["required"])
    minimal = {k: v for k, v in valid.items() if k in required}
    for a, b in itertools.combinations(sorted(valid), 2):
        for pa, pb in itertools.product(PROBES[::7], PROBES[3::9]):
            yield {**minimal, a: pa, b: pb}


@pytest.mark.parametrize("kind", MessageKind.values)
def test_the_compiled_check_and_the_schema_agree(kind):
    check, validator = record_schemas.fast_check(kind), record_schemas.validator(kind)
    seen = {True: 0, False: 0}
    for record in variants(kind):
        expected = validator.is_valid(record)
        assert check(record) is expected, (kind, json.dumps(record, ensure_ascii=False)[:200])
        seen[expected] += 1
    assert seen[True] >= 20 and seen[False] >= 200, seen  # both answers were exercised


@pytest.mark.parametrize("value", [math.nan, math.inf, 2**60])
def test_a_number_that_cannot_be_stored_is_refused_though_the_schema_allows_it(value):
    record = {**VALID["plant_intake"], "gross_kg": value}  # no maximum in the schema
    assert record_schemas.validator("plant_intake").is_valid(record) is True
    assert record_schemas.fast_check("plant_intake")(record) is False
    assert "not finite" in ingest._schema_error("plant_intake", 0, record)


def test_the_refusal_is_worded_by_jsonschema():
    record = {**VALID["disposal"], "bin_type": "glass"}
    assert ingest._schema_error("disposal", 3, record) == (
        "records[3] bin_type: 'glass' is not one of ['kitchen', 'recyclable', 'hazardous', 'other']"
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {}},  # open object: additionalProperties missing
        {"type": "object", "additionalProperties": False, "patternProperties": {}},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"n": {"type": "number", "multipleOf": 2}},
        },
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"n": {"type": "array"}},
        },
    ],
)
def test_a_schema_using_an_unknown_keyword_does_not_compile(schema):
    with pytest.raises(UnsupportedSchema):
        compile_schema(schema)
