"""Roll-ups kept by the pipeline: hand-checked sums, local days, replay, apply == rebuild.

The small data set (``sorting``) is pushed through ``ingest.ingest`` on two local days; every
expected figure below was computed by hand from the messages in ``sorting_data.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cityloop.devices.models import DeviceDay
from cityloop.devices.stored import Stored
from cityloop.sorting import rollups
from cityloop.sorting.models import (
    CommunityDay,
    CommunityMonth,
    HouseholdDay,
    HouseholdMonth,
    PlantDay,
    PointDay,
    StreetDay,
)
from cityloop.sorting.tests.sorting_data import DAY1, DAY2, NOV, make, send, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_memory():
    rollups.forget()
    yield
    rollups.forget()


@pytest.fixture
def sorting(tiny):
    yield from make(tiny)


def _point_days(sorting) -> dict:
    names = {sorting.points[k].pk: k for k in sorting.points}
    return {
        (names[r.point_id], r.day, r.waste_type): (
            r.disposals,
            r.judged,
            r.correct,
            round(r.disposed_kg, 6),
            r.collections,
            round(r.collected_kg, 6),
            r.alarms,
        )
        for r in PointDay.objects.all()
    }


def test_point_days_sum_disposals_collections_and_alarms(sorting):
    assert _point_days(sorting) == {
        # point, day, type: disposals, judged, correct, disposed kg, bins, collected kg, alarms
        ("A", DAY1, "kitchen"): (2, 2, 1, 3.0, 1, 40.0, 0),
        ("A", DAY1, "other"): (2, 1, 1, 4.0, 1, 60.0, 0),
        ("A", DAY1, ""): (0, 0, 0, 0.0, 0, 0.0, 2),
        ("B", DAY1, "recyclable"): (1, 1, 1, 0.5, 1, 20.0, 0),
        ("B", DAY1, "kitchen"): (1, 1, 1, 1.5, 0, 0.0, 0),
        ("A", DAY2, "kitchen"): (2, 2, 2, 3.0, 1, 30.0, 0),
        ("C", DAY2, "other"): (2, 2, 1, 5.0, 1, 70.0, 0),
    }
    a = sorting.points["A"]
    row = PointDay.objects.get(point=a, day=DAY1, waste_type="kitchen")
    assert (row.community_id, row.street_id) == (a.community_id, a.community.parent_id)


def test_street_days_are_the_sums_of_their_point_days(sorting):
    s001, s002 = sorting.tiny.streets["001"].pk, sorting.tiny.streets["002"].pk
    rows = {
        (r.street_id, r.day, r.waste_type): (r.disposals, r.judged, r.correct, r.collected_kg)
        for r in StreetDay.objects.all()
    }
    assert rows == {
        # street 001 = points A and B: day 1 kitchen = A (2, 2, 1, 40) + B (1, 1, 1, 0)
        (s001, DAY1, "kitchen"): (3, 3, 2, 40.0),
        (s001, DAY1, "other"): (2, 1, 1, 60.0),
        (s001, DAY1, ""): (0, 0, 0, 0.0),
        (s001, DAY1, "recyclable"): (1, 1, 1, 20.0),
        (s001, DAY2, "kitchen"): (2, 2, 2, 30.0),
        (s002, DAY2, "other"): (2, 2, 1, 70.0),
    }
    assert StreetDay.objects.get(street_id=s001, day=DAY1, waste_type="").alarms == 2


def test_plant_days_sum_net_weights(sorting):
    rows = {(r.day, r.waste_type): (r.intakes, r.treated_kg) for r in PlantDay.objects.all()}
    assert rows == {
        (DAY1, "kitchen"): (1, 1000.0),
        (DAY1, "other"): (1, 3000.0),
        (DAY2, "kitchen"): (1, 500.0),
    }


def test_households_count_once_per_day_and_month_in_their_own_community(sorting):
    h = {pk: code for code, pk in sorting.household_pks.items()}
    days = {(h[r.household_id], r.day) for r in HouseholdDay.objects.all()}
    assert days == {
        ("H1", DAY1),  # twice that day: once
        ("H2", DAY1),
        ("H4", DAY1),
        ("H6", DAY1),
        ("H1", DAY2),
        ("H3", DAY2),  # 07:30 in Shenzhen is still the previous day in UTC
        ("H6", DAY2),
        ("H7", DAY2),
    }
    assert {h[r.household_id] for r in HouseholdMonth.objects.filter(month=NOV)} == {
        "H1",
        "H2",
        "H3",
        "H4",
        "H6",
        "H7",
    }
    c = {u.pk: k for k, u in sorting.communities.items()}
    # H6 lives in C but disposed at B's point: it counts for C.
    assert {(c[r.community_id], r.day): r.households for r in CommunityDay.objects.all()} == {
        ("A", DAY1): 2,
        ("B", DAY1): 1,
        ("C", DAY1): 1,
        ("A", DAY2): 2,
        ("C", DAY2): 1,
        ("D", DAY2): 1,
    }
    months = {c[r.community_id]: r.households for r in CommunityMonth.objects.all()}
    assert months == {"A": 3, "B": 1, "C": 1, "D": 1}
    assert all(
        r.street_id == sorting.communities[c[r.community_id]].parent_id
        for r in CommunityMonth.objects.all()
    )


def test_device_days_are_the_days_each_device_sent(sorting):
    d = {dev.pk: code for code, dev in sorting.devices.items()}
    assert {(d[r.device_id], r.day) for r in DeviceDay.objects.all()} == {
        ("SC-A", DAY1),
        ("SC-B", DAY1),
        ("CAM-A", DAY1),
        ("TRK", DAY1),
        ("WB", DAY1),
        ("SC-A", DAY2),
        ("SC-C", DAY2),
        ("TRK", DAY2),
        ("WB", DAY2),
    }


def test_a_replayed_batch_changes_nothing(sorting):
    before = snapshot()
    outcome = send(sorting, DAY2)

    assert outcome.duplicates > 0 and outcome.records == 0
    assert snapshot() == before


def test_rebuild_from_records_gives_what_apply_kept(sorting):
    kept = snapshot()
    for model in (
        PointDay, StreetDay, PlantDay, HouseholdDay, HouseholdMonth, CommunityDay, CommunityMonth
    ):  # fmt: skip
        model.objects.all().delete()

    done = rollups.rebuild(date(2026, 11, 24), date(2026, 11, 24))

    assert (done.start, done.end) == (NOV, date(2026, 11, 30))
    assert done.records == 21
    assert done.point_days == 7 and done.household_days == 8 and done.community_months == 4
    assert snapshot() == kept


def test_rebuild_replaces_wrong_rows_and_leaves_other_months(sorting):
    kept = snapshot()
    PointDay.objects.filter(day=DAY1).update(disposals=999)
    other = PointDay.objects.create(
        point=sorting.points["A"],
        community=sorting.communities["A"],
        street=sorting.communities["A"].parent,
        day=date(2026, 10, 31),
        waste_type="kitchen",
        disposals=7,
    )

    call_command("rollups_rebuild", "--from", "2026-11-01", "--to", "2026-11-30", stdout=_Out())

    assert snapshot() - {_row(other)} == kept
    assert PointDay.objects.get(pk=other.pk).disposals == 7


def test_rebuild_command_prints_a_summary_and_refuses_bad_days(sorting):
    out = _Out()
    call_command("rollups_rebuild", "--from", "2026-11-24", "--to", "2026-11-25", stdout=out)
    assert "rollups_rebuild: 2026-11-01..2026-11-30: 21 records" in out.text
    assert "7 point-days" in out.text
    with pytest.raises(CommandError, match="not a day"):
        call_command("rollups_rebuild", "--from", "24/11/2026", "--to", "2026-11-25")
    with pytest.raises(CommandError, match="before"):
        call_command("rollups_rebuild", "--from", "2026-11-25", "--to", "2026-11-24")


def test_apply_runs_a_fixed_number_of_queries_whatever_the_batch(sorting):
    def batch(n: int) -> list[Stored]:
        point = sorting.points["A"]
        homes = list(sorting.household_pks.values())
        return [
            Stored(
                sorting.devices["SC-A"].pk, f"q{n}", i, "disposal", None, date(2026, 12, 1 + i % 3),
                point.pk, homes[i % len(homes)], ("kitchen", "other")[i % 2], 1.0, i % 3 == 0,
                "", {},
            )
            for i in range(n)
        ]  # fmt: skip

    counts = []
    for n in (3, 600):
        with CaptureQueriesContext(connection) as queries:
            rollups.apply(batch(n), now=sorting.now)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10
    december = PointDay.objects.filter(day__gte=date(2026, 12, 1))
    assert sum(december.values_list("disposals", flat=True)) == 603
    assert sum(december.values_list("correct", flat=True)) == 1 + 200


def test_households_stored_by_a_committed_batch_cost_nothing_later(
    sorting, django_capture_on_commit_callbacks
):
    h1 = sorting.household_pks["H1"]
    dec = date(2026, 12, 1)

    def batch(message_id: str) -> list[Stored]:
        a = sorting.points["A"]
        return [
            Stored(0, message_id, 0, "disposal", None, dec, a.pk, h1, "kitchen", 1.0, True, "", {})
        ]

    with django_capture_on_commit_callbacks(execute=True):
        rollups.apply(batch("d1"), now=sorting.now)
    with CaptureQueriesContext(connection) as queries:
        rollups.apply(batch("d2"), now=sorting.now)

    assert not any("householdday" in q["sql"] for q in queries.captured_queries)
    assert CommunityDay.objects.get(day=dec).households == 1
    assert PointDay.objects.get(day=dec, point=sorting.points["A"]).disposals == 2


def test_a_rolled_back_batch_is_not_remembered(sorting, django_capture_on_commit_callbacks):
    h1 = sorting.household_pks["H1"]
    dec = date(2026, 12, 2)
    record = Stored(0, "r", 0, "disposal", None, dec, None, h1, "kitchen", 1.0, True, "", {})

    class Boom(Exception):
        pass

    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(Boom), transaction.atomic():
        rollups.apply([record], now=sorting.now)
        raise Boom
    with django_capture_on_commit_callbacks(execute=True):
        rollups.apply([record], now=sorting.now)

    assert CommunityDay.objects.get(day=dec).households == 1
    assert HouseholdDay.objects.filter(day=dec).count() == 1


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def _row(obj: PointDay):
    return (
        "point_day",
        obj.point_id,
        obj.day,
        obj.waste_type,
        obj.disposals,
        obj.judged,
        obj.correct,
        0.0,
        0,
        0.0,
        0,
    )
