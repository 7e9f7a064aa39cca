"""From data to action, through ``ingest.ingest``: camera alarms → cases (with suppression of
repeats), fill levels and overflows → collection tasks that a truck's collection closes; the
tasks API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.devices import ingest
from cityloop.devices.models import Record
from cityloop.devices.stored import Stored
from cityloop.devices.tests.conftest import NOW, disposal
from cityloop.events.choices import CaseState, Source
from cityloop.events.models import Case
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.services import unit_create, user_create
from cityloop.sorting import reactions
from cityloop.sorting.choices import TaskReason, TaskStatus
from cityloop.sorting.models import AlarmCase, CollectionTask

pytestmark = pytest.mark.django_db


def send(device, *messages):
    outcome = ingest.ingest(messages=ingest.parse_array(json.dumps(list(messages))), sender=device)
    assert outcome.quarantined == 0, outcome.results
    return outcome


def alarm(message_id, *, at="09:58", kind="mixed_disposal", confidence=0.93, snapshot=""):
    record = {"time": f"2026-11-25T{at}:00+08:00", "alarm": kind, "confidence": confidence}
    if snapshot:
        record["snapshot"] = snapshot
    return {"id": message_id, "kind": "ai_alarm", "record": record}


def fill(message_id, level, *, at="09:58", bin_type="kitchen"):
    record = {"time": f"2026-11-25T{at}:00+08:00", "level": level, "bin_type": bin_type}
    return {"id": message_id, "kind": "fill_level", "record": record}


def pickup(message_id, *, at="09:59", rfid="BIN-K-1"):
    record = {"time": f"2026-11-25T{at}:00+08:00", "bin_rfid": rfid, "weight_kg": 180.0}
    return {"id": message_id, "kind": "truck_collection", "record": record}


@pytest.fixture
def contractor(tiny, station):
    unit = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name="城环环卫公司",
        entity_kind=EntityKind.SANITATION_CONTRACTOR,
        parent=tiny.communities["440303001001"],
    )
    station.point.contractor = unit
    station.point.save()
    return unit


# --- Alarms → cases ---------------------------------------------------------------------------


def test_a_confident_alarm_opens_a_case_at_the_point(station):
    send(station.camera, alarm("a1", snapshot="s3://cam/1.jpg"))

    case = Case.objects.get()
    assert case.source == Source.AI_CAMERA
    assert case.state == CaseState.REPORTED
    assert case.category.code_path == "01-70"  # 垃圾分类违规投放
    assert (case.lon, case.lat) == pytest.approx((station.point.lon, station.point.lat))
    assert case.community == station.point.community
    assert station.point.name in case.description
    assert "混合投放" in case.description and "0.93" in case.description
    assert "s3://cam/1.jpg" in case.description
    link = AlarmCase.objects.get()
    assert (link.case, link.point, link.alarm, link.alarms) == (
        case,
        station.point,
        "mixed_disposal",
        1,
    )


def test_each_alarm_kind_opens_a_case_of_its_own_category(station):
    send(
        station.camera,
        alarm("a1", kind="littering"),
        alarm("a2", kind="overflow"),
        alarm("a3", kind="bag_on_ground"),
    )

    codes = sorted(c.category.code_path for c in Case.objects.all())
    assert codes == ["01-10", "01-10", "01-92"]


def test_a_kind_left_out_of_the_category_setting_opens_no_case(station, settings):
    settings.CITYLOOP_ALARM_CATEGORIES = {"overflow": "event:01-92"}
    send(station.camera, alarm("a1", kind="littering"), alarm("a2", kind="overflow"))

    assert [c.category.code_path for c in Case.objects.all()] == ["01-92"]


def test_a_repeat_within_the_window_joins_the_open_case(station):
    send(station.camera, alarm("a1", at="08:30", snapshot="first.jpg"))
    send(station.camera, alarm("a2", at="09:58", snapshot="second.jpg"))

    assert Case.objects.count() == 1
    link = AlarmCase.objects.get()
    assert link.alarms == 2
    assert link.last_snapshot == "second.jpg"
    assert link.last_at == NOW - timedelta(minutes=2)
    assert link.first_at == NOW - timedelta(minutes=90)


def test_repeats_in_one_batch_join_one_case(station):
    send(station.camera, alarm("a1", at="09:00"), alarm("a2", at="09:30"), alarm("a3", at="09:58"))

    assert Case.objects.count() == 1
    assert AlarmCase.objects.get().alarms == 3


def test_an_alarm_after_the_window_opens_a_new_case(station):
    send(station.camera, alarm("a1", at="07:00"))
    send(station.camera, alarm("a2", at="09:58"))  # 2 h 58 min since the last alarm

    assert Case.objects.count() == 2
    assert sorted(AlarmCase.objects.values_list("alarms", flat=True)) == [1, 1]


def test_the_window_runs_from_the_last_alarm(station):
    send(station.camera, alarm("a1", at="06:30"), alarm("a2", at="08:00"), alarm("a3", at="09:58"))

    assert Case.objects.count() == 1  # never two hours without an alarm
    assert AlarmCase.objects.get().alarms == 3


def test_an_alarm_after_the_case_closed_opens_a_new_case(station):
    send(station.camera, alarm("a1", at="09:00"))
    Case.objects.update(state=CaseState.CLOSED)

    send(station.camera, alarm("a2", at="09:58"))

    assert Case.objects.count() == 2
    assert Case.objects.filter(state=CaseState.REPORTED).count() == 1


def test_a_low_confidence_alarm_is_stored_but_opens_nothing(station):
    send(station.camera, alarm("a1", confidence=0.42))

    assert Record.objects.filter(kind="ai_alarm").count() == 1
    assert not Case.objects.exists() and not AlarmCase.objects.exists()


def test_the_confidence_threshold_is_a_setting(station, settings):
    settings.CITYLOOP_ALARM_MIN_CONFIDENCE = 0.95
    send(station.camera, alarm("a1", confidence=0.93))

    assert not Case.objects.exists()


def test_a_replayed_alarm_message_opens_no_second_case(station):
    send(station.camera, alarm("a1"))
    outcome = send(station.camera, alarm("a1"))

    assert outcome.duplicates == 1
    assert Case.objects.count() == 1 and AlarmCase.objects.get().alarms == 1


def test_a_batch_without_alarms_or_levels_costs_no_query(station):
    stored = [
        Stored(
            station.scale.pk,
            f"m{i}",
            0,
            "disposal",
            NOW,
            NOW.date(),
            station.point.pk,
            None,
            "kitchen",
            1.0,
            True,
            "C-0001",
            disposal(f"m{i}")["record"],
        )
        for i in range(500)
    ]
    with CaptureQueriesContext(connection) as queries:
        reactions.react(stored, now=NOW)

    assert len(queries) == 0


# --- Fill levels → collection tasks -------------------------------------------------------------


def test_a_full_bin_opens_a_task_for_the_points_contractor(station, contractor):
    send(station.sensor, fill("f1", 0.85))

    task = CollectionTask.objects.get()
    assert (task.point, task.contractor, task.waste_type) == (station.point, contractor, "kitchen")
    assert (task.reason, task.level, task.status) == (TaskReason.FILL_LEVEL, 0.85, TaskStatus.OPEN)
    assert task.opened_at == NOW - timedelta(minutes=2)
    assert task.due_at == task.opened_at + timedelta(hours=2)


def test_a_level_under_the_threshold_opens_no_task(station, contractor):
    send(station.sensor, fill("f1", 0.79))

    assert not CollectionTask.objects.exists()


def test_repeats_raise_the_open_tasks_count_and_a_truck_collection_closes_it(station, contractor):
    send(station.sensor, fill("f1", 0.81, at="09:00"))
    send(station.sensor, fill("f2", 0.95, at="09:30"))

    task = CollectionTask.objects.get()
    assert (task.alarms, task.level) == (2, 0.95)
    assert task.last_alarm_at == NOW - timedelta(minutes=30)

    send(station.truck, pickup("t1", at="09:59"))  # the bin's RFID names the point

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.done_at == NOW - timedelta(minutes=1)

    send(station.sensor, fill("f3", 0.9, at="10:00"))
    assert CollectionTask.objects.filter(status=TaskStatus.OPEN).count() == 1
    assert CollectionTask.objects.count() == 2


def test_a_collection_and_a_new_reading_in_one_batch_close_the_task_and_open_another(
    station, contractor
):
    send(station.sensor, fill("f1", 0.9, at="09:00"))
    batch = [
        ingest.Raw(text="", value=pickup("t1", at="09:59"), sender=station.truck),
        ingest.Raw(text="", value=fill("f2", 0.95, at="10:00"), sender=station.sensor),
    ]

    outcome = ingest.ingest(messages=batch)

    assert (outcome.accepted, outcome.quarantined) == (2, 0), outcome.results
    old, new = CollectionTask.objects.order_by("opened_at")
    assert (old.status, old.done_at) == (TaskStatus.DONE, NOW - timedelta(minutes=1))
    assert (new.status, new.level, new.opened_at) == (TaskStatus.OPEN, 0.95, NOW)


def test_a_collection_of_another_waste_type_leaves_the_task_open(station, contractor):
    from cityloop.sorting.models import Bin

    Bin.objects.create(
        point=station.point, waste_type="other", capacity_litres=240, rfid_tag="BIN-O-1"
    )
    send(station.sensor, fill("f1", 0.9, at="09:00"))
    send(station.truck, pickup("t1", rfid="BIN-O-1"))

    assert CollectionTask.objects.get().status == TaskStatus.OPEN


def test_an_overflow_alarm_opens_a_task_and_a_case(station, contractor):
    send(station.camera, alarm("a1", kind="overflow"))

    task = CollectionTask.objects.get()
    assert (task.reason, task.waste_type, task.contractor) == (TaskReason.OVERFLOW, "", contractor)
    assert Case.objects.get().category.code_path == "01-92"
    send(station.truck, pickup("t1"))  # any collection at the point answers an overflow
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


# --- Tasks API ----------------------------------------------------------------------------------


@pytest.fixture
def contractor_staff(contractor):
    return user_create(
        username="contractor-staff", password="x-Pass-1234", unit=contractor, roles=[Role.HANDLER]
    )


def test_contractor_and_street_staff_see_the_task_other_streets_do_not(
    station, contractor, contractor_staff, tiny, login, client
):
    send(station.sensor, fill("f1", 0.9))

    for user, seen in [
        (contractor_staff, 1),
        (tiny.users["street"], 1),
        (tiny.users["district"], 1),
        (tiny.users["other_street"], 0),
        (tiny.users["shop"], 0),
    ]:
        body = login(user).get("/api/tasks/").json()
        assert body["count"] == seen, user.username
    body = login(contractor_staff).get("/api/tasks/?status=open").json()
    item = body["items"][0]
    assert (item["point"], item["waste_type"], item["status"]) == ("P-001", "kitchen", "open")
    assert item["contractor"] == "城环环卫公司" and item["overdue"] is False


def test_contractor_marks_a_task_done_once(station, contractor, contractor_staff, login):
    send(station.sensor, fill("f1", 0.9))
    task = CollectionTask.objects.get()
    client = login(contractor_staff)

    response = client.post(
        f"/api/tasks/{task.pk}/status", {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "done" and response.json()["done_at"]

    again = client.post(
        f"/api/tasks/{task.pk}/status", {"status": "cancelled"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "status"


def test_a_bad_status_is_refused_on_its_field_in_both_languages(
    station, contractor, contractor_staff, login
):
    send(station.sensor, fill("f1", 0.9))
    task = CollectionTask.objects.get()

    response = login(contractor_staff).post(
        f"/api/tasks/{task.pk}/status", {"status": "finished"}, content_type="application/json"
    )

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["field"] == "status"
    assert error["en"] == "Choose one of the allowed values." and error["zh"]
    assert CollectionTask.objects.get().status == TaskStatus.OPEN


def test_another_streets_staff_cannot_mark_the_task(station, contractor, tiny, login):
    send(station.sensor, fill("f1", 0.9))
    task = CollectionTask.objects.get()

    response = login(tiny.users["other_street"]).post(
        f"/api/tasks/{task.pk}/status", {"status": "cancelled"}, content_type="application/json"
    )

    assert response.status_code == 404
    assert CollectionTask.objects.get().status == TaskStatus.OPEN


def test_only_handlers_administrators_and_dispatchers_or_inspectors_change_a_task(
    station, contractor, contractor_staff, tiny, login
):
    send(station.sensor, fill("f1", 0.9))
    task = CollectionTask.objects.get()
    street = tiny.streets["001"]
    community = tiny.communities["440303001001"]

    def mark(user, status="cancelled"):
        return login(user).post(
            f"/api/tasks/{task.pk}/status", {"status": status}, content_type="application/json"
        )

    community_inspector = user_create(
        username="community-inspector",
        password="x-Pass-1234",
        unit=community,
        roles=[Role.INSPECTOR],
    )
    street_leader = user_create(
        username="street-leader", password="x-Pass-1234", unit=street, roles=[Role.LEADER]
    )
    for user in (tiny.users["street"], tiny.users["community"], community_inspector, street_leader):
        assert login(user).get("/api/tasks/").json()["count"] == 1  # they see it
        response = mark(user)
        assert response.status_code == 403, user.username
        error = response.json()["detail"][0]
        assert error["code"] in ("role", "unit") and error["zh"] and error["en"]
    assert CollectionTask.objects.get().status == TaskStatus.OPEN

    inspector = user_create(
        username="street-inspector", password="x-Pass-1234", unit=street, roles=[Role.INSPECTOR]
    )
    assert mark(inspector).json()["status"] == "cancelled"
    for user in (tiny.users["district"], contractor_staff):  # a district dispatcher, a handler
        CollectionTask.objects.filter(pk=task.pk).update(status=TaskStatus.OPEN, done_at=None)
        assert mark(user, "done").status_code == 200, user.username
    admin = user_create(
        username="admin", password="x-Pass-1234", unit=tiny.district, roles=[Role.ADMINISTRATOR]
    )
    CollectionTask.objects.filter(pk=task.pk).update(status=TaskStatus.OPEN, done_at=None)
    assert mark(admin, "done").json()["status"] == "done"
