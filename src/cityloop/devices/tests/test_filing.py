"""A household's records filed in arrears on SQLite (``cityloop.devices.filing``,
docs/decisions/0033-filing-in-arrears.md): stored unfiled, filed once enough wait, and found
alike by every reader before and after; migration 0005 files the records stored before it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from cityloop.devices import filing, ingest
from cityloop.devices.models import Record
from cityloop.devices.tests.conftest import NOW
from cityloop.org.services import user_create
from cityloop.sorting import evidence, rollups
from cityloop.sorting.models import PointDay
from cityloop.web.sorting import detail

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="records are filed as they are stored on PostgreSQL: no arrears to test",
)

START, END = NOW - timedelta(days=2), NOW + timedelta(minutes=5)


def send(device, *messages):
    outcome = ingest.ingest(messages=ingest.parse_array(json.dumps(list(messages))), sender=device)
    assert outcome.quarantined == 0, outcome.results
    return outcome


def disposal(message_id, *, at, day="2026-11-25", card="C-0001", correct=False, weight=1.5):
    record = {
        "time": f"{day}T{at}:00+08:00",
        "card": card,
        "bin_type": "kitchen",
        "weight_kg": weight,
        "is_correct": correct,
    }
    return {"id": message_id, "kind": "disposal", "record": record}


def alarm(message_id, *, at):
    record = {
        "time": f"2026-11-25T{at}:00+08:00",
        "alarm": "mixed_disposal",
        "confidence": 0.95,
        "snapshot": "https://cam.example/1.jpg",
    }
    return {"id": message_id, "kind": "ai_alarm", "record": record}


def filed() -> dict[str, bool]:
    return dict(Record.objects.values_list("message_id", "filed"))


@pytest.mark.django_db
def test_a_households_records_wait_unfiled_only_on_sqlite(station, household):
    send(station.scale, disposal("mine", at="08:00"), disposal("nobody", at="08:05", card="X"))
    send(station.camera, alarm("cam", at="08:10"))
    arrears = connection.vendor == "sqlite"
    assert filing.in_arrears() is arrears
    # Only a record with a household waits; the others are filed at once.
    assert filed() == {"mine": not arrears, "nobody": True, "cam": True}


@sqlite_only
@pytest.mark.django_db
def test_filing_starts_once_the_oldest_unfiled_is_far_enough_behind(
    station, household, monkeypatch
):
    monkeypatch.setattr(filing, "FILE_EVERY", 3)
    send(station.scale, disposal("a", at="08:00"), disposal("b", at="08:01"))
    send(station.scale, disposal("c", at="08:02"))
    assert filed() == {"a": False, "b": False, "c": False}  # ids 1..3: 2 behind
    send(station.scale, disposal("d", at="08:03"))  # 3 behind: the batch files them all
    assert filed() == {"a": True, "b": True, "c": True, "d": True}
    send(station.scale, disposal("e", at="08:04"))
    assert filed()["e"] is False
    assert filing.file_pending() == 0  # not yet due
    assert filing.file_pending(every=0) == 1 and filed()["e"] is True


@pytest.mark.django_db
def test_readers_see_filed_and_unfiled_records_alike(station, household, tiny):
    send(
        station.scale,
        disposal("y1", day="2026-11-24", at="20:00"),
        disposal("y2", day="2026-11-24", at="21:00", correct=True),
    )
    filing.file_pending(every=0)
    send(station.scale, disposal("t1", at="08:00"), disposal("t2", at="09:00", weight=2.5))
    send(station.scale, disposal("other", at="09:30", card="C-9999"))
    # Unfiled as SQLite stores them (on PostgreSQL as if copied from SQLite): read all the same.
    Record.objects.filter(message_id__in=["t1", "t2"]).update(filed=False)
    assert filed() == {"y1": True, "y2": True, "t1": False, "t2": False, "other": True}
    user = user_create(username="admin1", password=None, unit=None, is_superuser=True)

    def seen():
        page = detail.household_context(user, household)
        found = evidence.incidents(household=household, start=START, end=END)
        return (
            [(d["at"].isoformat(), d["is_correct"]) for d in page["disposals"]],
            [(m["month"], m["disposals"], m["incorrect"], m["kg"]) for m in page["months"]],
            [r.message_id for r in found],
        )

    before = seen()
    assert before == (
        [
            ("2026-11-25T09:00:00+08:00", False),
            ("2026-11-25T08:00:00+08:00", False),
            ("2026-11-24T21:00:00+08:00", True),
            ("2026-11-24T20:00:00+08:00", False),
        ],
        [(NOW.date().replace(day=1), 4, 3, 7.0)],
        ["y1", "t1", "t2"],
    )
    filing.file_pending(every=0)
    assert all(filed().values())
    assert seen() == before


@pytest.mark.django_db
def test_the_household_page_merges_both_parts_in_order_within_its_limit(station, household):
    # 20 filed records at even minutes, 20 unfiled at odd minutes, 06:00 to 06:39.
    send(station.scale, *[disposal(f"f{m}", at=f"06:{m:02d}") for m in range(0, 40, 2)])
    filing.file_pending(every=0)
    send(station.scale, *[disposal(f"u{m}", at=f"06:{m:02d}") for m in range(1, 40, 2)])
    Record.objects.filter(message_id__startswith="u").update(filed=False)  # (PostgreSQL)
    user = user_create(username="admin1", password=None, unit=None, is_superuser=True)
    with CaptureQueriesContext(connection) as queries:
        found = list(filing.household_records(Record.objects.all(), household, [NOW.date()]))
    assert len(found) == 40 and len(queries) == 1  # both parts: one statement, one snapshot
    page = detail.household_context(user, household)
    minutes = [d["at"].minute for d in page["disposals"]]
    assert len(minutes) == detail.HOUSEHOLD_DISPOSALS == 30
    assert minutes == list(range(39, 9, -1))  # the newest 30, filed and unfiled interleaved
    assert [(m["disposals"], m["incorrect"]) for m in page["months"]] == [(40, 40)]


@pytest.mark.django_db
def test_a_rebuild_files_what_waits_and_rolls_it_up(station, household):
    send(station.scale, disposal("t1", at="08:00"), disposal("t2", at="09:00", correct=True))
    kept = sorted(PointDay.objects.values_list("day", "waste_type", "disposals", "correct"))
    rollups.rebuild(NOW.date(), NOW.date())
    assert all(filed().values())
    rebuilt = sorted(PointDay.objects.values_list("day", "waste_type", "disposals", "correct"))
    assert rebuilt == kept and kept[0][2:] == (2, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0005_files_earlier_records_and_drops_the_time_index(station, household):
    send(station.scale, disposal("t1", at="08:00"), disposal("t2", at="09:00"))
    executor = MigrationExecutor(connection)
    before, latest = ("devices", "0004_record_columns"), executor.loader.graph.leaf_nodes()

    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            return set(connection.introspection.get_constraints(cursor, "devices_record"))

    try:
        executor.migrate([before])
        assert "devices_rec_time" in indexes()
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert "devices_rec_time" not in indexes()
    assert {"devices_rec_day_household", "devices_rec_unfiled"} <= indexes()
    assert filed() == {"t1": True, "t2": True}
