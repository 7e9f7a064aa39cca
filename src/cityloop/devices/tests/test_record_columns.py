"""The columns of devices_record (docs/decisions/0030-record-columns.md): the payload kept as JSON
text, the local day, and migration 0004 filling the day of records stored before it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError

from cityloop.devices import ingest
from cityloop.devices.fields import JSONTextField, dumps, loads
from cityloop.devices.models import Record
from cityloop.devices.tests.conftest import disposal


def test_json_text_round_trips_what_orjson_refuses():
    # A lone surrogate (JSON "\ud800") and an integer beyond 64 bits: the standard library's turn.
    for value in ({"note": "\ud800"}, {"n": 2**70}, {"城市": "罗湖", "kg": 1.5, "ok": True}):
        assert loads(dumps(value)) == value
    assert dumps({"城市": "罗湖"}) == '{"城市":"罗湖"}'  # UTF-8, not ASCII escapes


def test_json_text_field_reads_text_and_refuses_what_is_not_json():
    field = JSONTextField()
    assert field.to_python('{"a": [1, 2]}') == {"a": [1, 2]}
    assert field.to_python({"a": 1}) == {"a": 1}
    with pytest.raises(ValidationError, match="JSON"):
        field.to_python("{not json")


@pytest.mark.django_db
def test_the_record_table_has_no_autoincrement_and_a_day_household_index(station):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "devices_record")
    columns = {tuple(c["columns"]) for c in indexes.values() if c["index"] and not c["primary_key"]}
    assert ("day", "household_id") in columns
    assert ("household_id", "occurred_at") not in columns
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'devices_record'")
            assert "AUTOINCREMENT" not in cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0004_gives_earlier_records_their_local_day(station):
    # 00:30 in Shenzhen on the 25th is still the 24th in UTC: the day is the district's.
    times = {"late": "2026-11-24T23:30:00+08:00", "early": "2026-11-25T00:30:00+08:00"}
    messages = [disposal(name, time=moment) for name, moment in times.items()]
    raws = ingest.parse_array(json.dumps(messages))
    assert ingest.ingest(sender=station.scale, messages=raws).records == 2
    executor = MigrationExecutor(connection)
    before, latest = ("devices", "0003_sorting_supervision"), executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM devices_record")
            assert cursor.fetchone()[0] == 2
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    days = {r.message_id: r.day for r in Record.objects.all()}
    assert days == {"late": date(2026, 11, 24), "early": date(2026, 11, 25)}
    assert Record.objects.get(message_id="early").payload["time"] == times["early"]


@pytest.mark.django_db
def test_records_keep_their_device_point_and_household_without_database_foreign_keys(
    station, household
):
    # The database checks none of them (decision 0034); Django still protects and nulls.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "devices_record")
    assert not [name for name, c in constraints.items() if c["foreign_key"]]
    raws = ingest.parse_array(json.dumps([disposal("d1")]))
    assert ingest.ingest(sender=station.scale, messages=raws).records == 1
    record = Record.objects.get()
    assert (record.device, record.point, record.household) == (
        station.scale,
        station.point,
        household,
    )
    with pytest.raises(ProtectedError):
        station.scale.delete()
    with pytest.raises(ProtectedError):
        station.point.delete()
    household.delete()
    record.refresh_from_db()
    assert record.household is None and record.card_id == "C-0001"
