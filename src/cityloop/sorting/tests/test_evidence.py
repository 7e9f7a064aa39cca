"""Evidence packages: sealed in a hash chain; ``verify`` finds any edit of an item, a package
or the records they copied; too few incidents are refused; the command and the API."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import shapely
from django.core.management import call_command
from django.db import connection, connections

from cityloop.core.refusals import BadInput
from cityloop.devices import ingest
from cityloop.devices.models import Record
from cityloop.devices.tests.conftest import NOW
from cityloop.geo.models import ResponsibilityZone
from cityloop.geo.services import zone_save
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.services import unit_create, user_create
from cityloop.sorting import evidence
from cityloop.sorting.models import EvidenceItem, EvidencePackage, Household

pytestmark = pytest.mark.django_db

START, END = NOW - timedelta(days=1), NOW + timedelta(minutes=5)


def send(device, *messages):
    outcome = ingest.ingest(messages=ingest.parse_array(json.dumps(list(messages))), sender=device)
    assert outcome.quarantined == 0, outcome.results
    return outcome


def wrong(message_id, *, at="09:00", card="C-0001", weight=1.5, correct=False):
    record = {
        "time": f"2026-11-25T{at}:00+08:00",
        "card": card,
        "bin_type": "kitchen",
        "weight_kg": weight,
        "is_correct": correct,
    }
    return {"id": message_id, "kind": "disposal", "record": record}


@pytest.fixture
def incidents(station, household):
    send(
        station.scale,
        wrong("d1", at="08:00"),
        wrong("d2", at="08:30", weight=2.25),
        wrong("d3", at="09:00"),
        wrong("ok", at="09:10", correct=True),  # sorted correctly: not an incident
        wrong("other", at="09:20", card="C-9999"),  # another card: not this household's
    )
    return household


@pytest.fixture
def sealed(incidents, tiny):
    return evidence.seal_package(household=incidents, start=START, end=END, by=None)


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def problems(report) -> list[tuple]:
    return [(p.package, p.item, p.what) for p in report.problems]


def test_a_household_package_seals_its_incorrect_disposals_in_a_chain(sealed, household):
    items = list(sealed.items.order_by("seq"))

    assert sealed.item_count == 3 and [i.seq for i in items] == [1, 2, 3]
    assert sealed.previous_digest == evidence.GENESIS
    assert items[0].previous_digest == sealed.previous_digest
    assert items[1].previous_digest == items[0].digest
    content = json.loads(items[1].content)
    assert content["weight_kg"] == 2.25 and content["is_correct"] is False
    assert content["household"] == "H-0001" and content["device"] == "SC-1"
    assert content["point"].startswith("P-001")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert items[1].content == canonical and "翠竹苑1号垃圾厢房" in canonical
    assert items[1].digest == evidence.sha256(items[0].digest, items[1].content)
    assert evidence.verify().ok


def test_packages_chain_to_each_other(sealed, station, household):
    send(station.scale, wrong("d4", at="09:30"), wrong("d5", at="09:40"), wrong("d6", at="09:50"))
    second = evidence.seal_package(household=household, start=NOW - timedelta(minutes=35), end=END)

    assert second.previous_digest == sealed.digest
    assert second.item_count == 3
    report = evidence.verify()
    assert report.ok and (report.packages, report.items) == (2, 6)
    assert report.head == second.digest


def test_editing_a_records_weight_is_reported_on_its_item(sealed):
    item = sealed.items.get(seq=2)
    sql("UPDATE devices_record SET weight_kg = %s WHERE id = %s", [0.5, item.record_id])

    report = evidence.verify()

    assert problems(report) == [(sealed.number, 2, "record_changed")]
    assert "weight_kg: 2.25 → 0.5" in report.problems[0].detail
    shown = report.as_json()["problems"][0]
    assert shown["data"] == {
        "record": item.record_id,
        "changes": {"weight_kg": {"sealed": 2.25, "now": 0.5}},
    }
    assert shown["label"]["en"] == "The record differs from what was sealed."
    assert shown["label"]["zh"]


def test_editing_a_records_payload_or_correctness_is_reported(sealed):
    item = sealed.items.get(seq=3)
    Record.objects.filter(pk=item.record_id).update(is_correct=True)

    report = evidence.verify()

    assert problems(report) == [(sealed.number, 3, "record_changed")]
    assert "is_correct: false → true" in report.problems[0].detail


def test_editing_an_items_content_is_detected(sealed):
    item = sealed.items.get(seq=1)
    forged = item.content.replace('"weight_kg":1.5', '"weight_kg":0.1')
    sql("UPDATE devices_evidenceitem SET content = %s WHERE id = %s", [forged, item.pk])

    found = problems(evidence.verify())

    assert (sealed.number, 1, "item_digest") in found


def test_rehashing_an_edited_item_still_breaks_the_chain(sealed):
    item = sealed.items.get(seq=1)
    forged = item.content.replace('"weight_kg":1.5', '"weight_kg":0.1')
    digest = evidence.sha256(item.previous_digest, forged)
    sql(
        "UPDATE devices_evidenceitem SET content = %s, digest = %s WHERE id = %s",
        [forged, digest, item.pk],
    )

    found = problems(evidence.verify())

    assert (sealed.number, 2, "item_chain") in found  # the next item chained to the old digest
    assert (sealed.number, 1, "record_changed") in found  # and the record disagrees


def test_deleting_an_item_is_detected(sealed):
    sql("DELETE FROM devices_evidenceitem WHERE id = %s", [sealed.items.get(seq=2).pk])

    found = problems(evidence.verify())

    assert (sealed.number, None, "item_count") in found
    assert (sealed.number, 3, "item_chain") in found


def test_reordering_items_is_detected(sealed):
    first, second = sealed.items.get(seq=1), sealed.items.get(seq=2)
    sql("UPDATE devices_evidenceitem SET seq = 99 WHERE id = %s", [first.pk])
    sql("UPDATE devices_evidenceitem SET seq = 1 WHERE id = %s", [second.pk])
    sql("UPDATE devices_evidenceitem SET seq = 2 WHERE id = %s", [first.pk])

    found = problems(evidence.verify())

    assert (sealed.number, 1, "item_chain") in found


def test_editing_a_package_is_detected(sealed):
    EvidencePackage.objects.filter(pk=sealed.pk).update(period_start=START + timedelta(hours=1))

    assert problems(evidence.verify()) == [(sealed.number, None, "package_digest")]


def test_deleting_a_package_breaks_the_chain_of_the_next(sealed, station, household):
    send(station.scale, wrong("d4", at="09:30"), wrong("d5", at="09:40"), wrong("d6", at="09:50"))
    second = evidence.seal_package(household=household, start=NOW - timedelta(minutes=35), end=END)
    sql("DELETE FROM devices_evidenceitem WHERE package_id = %s", [sealed.pk])
    sql("DELETE FROM devices_evidencepackage WHERE id = %s", [sealed.pk])

    assert problems(evidence.verify()) == [(second.number, None, "package_chain")]


def test_too_few_incidents_are_refused_and_nothing_is_written(incidents, settings):
    settings.CITYLOOP_EVIDENCE_MIN_INCIDENTS = 4

    with pytest.raises(BadInput) as refused:
        evidence.seal_package(household=incidents, start=START, end=END)

    assert refused.value.field == "start"
    assert "3" in str(refused.value.message) and "4" in str(refused.value.message)
    assert not EvidencePackage.objects.exists() and not EvidenceItem.objects.exists()


def test_a_unit_package_holds_the_alarms_and_wrong_disposals_at_its_points(
    station, incidents, tiny
):
    manager = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name="翠竹物业",
        entity_kind=EntityKind.PROPERTY_MANAGER,
        parent=station.point.community,
    )
    lon, lat = station.point.lon, station.point.lat
    zone = ResponsibilityZone(owner=manager, kind="estate", name="翠竹苑")
    zone_save(zone=zone, shape=shapely.box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
    alarm = {"time": "2026-11-25T09:30:00+08:00", "alarm": "littering", "confidence": 0.9}
    weak = {**alarm, "confidence": 0.3}
    send(station.camera, {"id": "a1", "kind": "ai_alarm", "records": [alarm, weak]})

    package = evidence.seal_package(unit=manager, start=START, end=END)

    kinds = [json.loads(i.content)["kind"] for i in package.items.order_by("seq")]
    assert kinds.count("ai_alarm") == 1  # the weak alarm is not evidence
    assert kinds.count("disposal") == 4  # every wrong disposal at the point, any card
    assert package.subject == "unit" and evidence.verify().ok

    elsewhere = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name="别处物业",
        entity_kind=EntityKind.PROPERTY_MANAGER,
        parent=tiny.communities["440303002002"],
    )
    with pytest.raises(BadInput):
        evidence.seal_package(unit=elsewhere, start=START, end=END)


def test_a_package_needs_one_subject(incidents):
    with pytest.raises(BadInput) as refused:
        evidence.seal_package(start=START, end=END)
    assert refused.value.field == "household"


# --- Command and API ----------------------------------------------------------------------------


def test_the_verify_command_says_ok_or_exits_1_naming_the_item(sealed):
    out = StringIO()
    call_command("verify", "--only", "evidence", stdout=out)
    assert out.getvalue().startswith("evidence: OK: 1 packages, 3 items")

    sql(
        "UPDATE devices_record SET weight_kg = 9 WHERE id = %s", [sealed.items.get(seq=1).record_id]
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--only", "evidence", stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{sealed.number} #1: record_changed")
    assert lines[-1].startswith("evidence: BROKEN: 1 problems")


def test_the_seal_command_seals_and_refuses(incidents, capsys):
    out = StringIO()
    call_command(
        "seal_evidence", household="H-0001", start="2026-11-24", end="2026-11-25", stdout=out
    )
    number, count, _items, digest = out.getvalue().split()
    assert count == "3" and EvidencePackage.objects.get(number=number).digest == digest

    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least"):
        call_command("seal_evidence", household="H-0001", start="2026-11-20", end="2026-11-21")
    with pytest.raises(CommandError, match="not an ISO date or time: 2026-11-31"):
        call_command("seal_evidence", household="H-0001", start="2026-11-31", end="2026-11-30")


@pytest.fixture
def officer(tiny):
    return user_create(
        username="enforcer",
        password="x-Pass-1234",
        unit=tiny.streets["001"],
        roles=[Role.ENFORCEMENT_OFFICER],
    )


def staff(tiny, name, unit, role):
    return user_create(username=name, password="x-Pass-1234", unit=unit, roles=[role])


def test_an_officer_seals_through_the_api_and_verifies(incidents, officer, tiny, login):
    client = login(officer)
    body = {"household": "H-0001", "start": START.isoformat(), "end": END.isoformat()}

    response = client.post("/api/evidence/", body, content_type="application/json")

    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert response.json()["item_count"] == 3
    detail = client.get(f"/api/evidence/{number}").json()
    assert len(detail["items"]) == 3 and detail["items"][0]["seq"] == 1
    verified = client.get("/api/evidence/verify").json()
    assert verified["ok"] is True and verified["items"] == 3
    one = client.get(f"/api/evidence/{number}/verify").json()
    assert one["ok"] is True and one["packages"] == 1

    record = incidents.records.order_by("occurred_at").first()
    Record.objects.filter(pk=record.pk).update(weight_kg=40)
    broken = client.get("/api/evidence/verify").json()
    assert broken["ok"] is False
    problem = broken["problems"][0]
    assert (problem["package"], problem["item"], problem["what"]) == (number, 1, "record_changed")
    assert problem["data"]["changes"]["weight_kg"] == {"sealed": 1.5, "now": 40.0}
    assert problem["label"]["en"] and problem["label"]["zh"]
    assert "detail" not in problem  # no English-only text


def seal_through_api(client, **times):
    return client.post(
        "/api/evidence/", {"household": "H-0001", **times}, content_type="application/json"
    )


def test_times_without_an_offset_are_local_and_a_date_is_its_local_midnight(
    incidents, officer, login
):
    client = login(officer)

    # 00:00 to 09:05 Shenzhen time holds the 08:00, 08:30 and 09:00 incidents.
    response = seal_through_api(client, start="2026-11-25", end="2026-11-25T09:05")

    assert response.status_code == 201, response.json()
    package = response.json()
    assert package["item_count"] == 3
    assert datetime.fromisoformat(package["period_start"]) == datetime(2026, 11, 24, 16, tzinfo=UTC)
    assert datetime.fromisoformat(package["period_end"]) == datetime(2026, 11, 25, 1, 5, tzinfo=UTC)
    # Local 08:45 is the end: two incidents only (read as UTC it would have held all three).
    short = seal_through_api(client, start="2026-11-25", end="2026-11-25T08:45")
    assert short.status_code == 422 and short.json()["detail"][0]["code"] == "too_few_incidents"
    # A date as the end is its midnight, excluded: 2026-11-25 itself is not in the period.
    none = seal_through_api(client, start="2026-11-24", end="2026-11-25")
    assert none.status_code == 422 and "0" in none.json()["detail"][0]["en"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("start", "2026-11-32"), ("end", "soon"), ("start", "0001-01-01T00:00")],
)
def test_a_bad_time_is_refused_on_its_field_in_both_languages(
    incidents, officer, login, field, value
):
    times = {"start": "2026-11-25", "end": "2026-11-25T09:05", field: value}

    response = seal_through_api(login(officer), **times)

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert (error["field"], error["code"]) == (field, "datetime_parsing")
    assert error["en"].startswith("Enter a date and time") and error["zh"] != error["en"]
    assert not EvidencePackage.objects.exists()


def test_the_command_and_the_api_read_times_alike():
    assert evidence.moment("2026-11-25") == datetime(2026, 11, 24, 16, tzinfo=UTC)
    assert evidence.moment("2026-11-25", end=True) == datetime(2026, 11, 25, 16, tzinfo=UTC)
    assert evidence.moment("2026-11-25T09:05") == datetime(2026, 11, 25, 1, 5, tzinfo=UTC)
    assert evidence.moment("2026-11-25T09:05Z") == datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        evidence.moment("9999-12-31", end=True)


def test_roles_without_need_get_403_in_both_languages(sealed, tiny, login):
    legal = staff(tiny, "legal", tiny.district, Role.LEGAL_REVIEWER)
    for user in (tiny.users["street"], tiny.users["district"], tiny.users["shop"]):
        client = login(user)
        for path in ("/", "/verify", f"/{sealed.number}", f"/{sealed.number}/verify"):
            response = client.get(f"/api/evidence{path}")
            assert response.status_code == 403, (user.username, path)
            error = response.json()["detail"][0]
            assert error["code"] == "forbidden" and error["zh"] and error["en"]
    assert login(legal).get("/api/evidence/").json()["count"] == 1


def test_readers_see_and_verify_only_their_areas_packages(sealed, tiny, login, settings):
    settings.CITYLOOP_EVIDENCE_MIN_INCIDENTS = 0
    away = Household.objects.create(code="H-0900", community=tiny.communities["440303002001"])
    elsewhere = evidence.seal_package(household=away, start=START, end=END)
    EvidencePackage.objects.filter(pk=elsewhere.pk).update(period_start=START - timedelta(days=1))
    inspector = staff(tiny, "inspector-001001", tiny.communities["440303001001"], Role.INSPECTOR)
    other = staff(tiny, "inspector-002", tiny.streets["002"], Role.INSPECTOR)
    admin = staff(tiny, "district-admin", tiny.district, Role.ADMINISTRATOR)

    client = login(inspector)
    listed = client.get("/api/evidence/").json()
    assert [p["number"] for p in listed["items"]] == [sealed.number]
    assert client.get(f"/api/evidence/{elsewhere.number}").status_code == 404
    mine = client.get("/api/evidence/verify").json()
    assert mine["ok"] is True and mine["packages"] == 1  # the other street's edit is not shown

    theirs = login(other).get("/api/evidence/verify").json()
    assert theirs["packages"] == 1 and theirs["ok"] is False
    assert {p["package"] for p in theirs["problems"]} == {elsewhere.number}
    assert login(other).get(f"/api/evidence/{sealed.number}").status_code == 404

    whole = login(admin).get("/api/evidence/verify").json()
    assert whole["packages"] == 2 and whole["head"] == elsewhere.digest
    assert [p["what"] for p in whole["problems"]] == ["package_digest"]


def test_the_api_refuses_other_roles_and_too_few_incidents(incidents, officer, tiny, login):
    body = {"household": "H-0001", "start": START.isoformat(), "end": END.isoformat()}
    refused = login(tiny.users["street"]).post(
        "/api/evidence/", body, content_type="application/json"
    )
    assert refused.status_code == 403

    short = {**body, "start": (NOW - timedelta(minutes=95)).isoformat()}  # 08:30 and 09:00
    response = login(officer).post("/api/evidence/", short, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["field"] == "start" and error["code"] == "too_few_incidents"
    assert "2" in error["en"] and error["zh"]
    login(officer).post("/api/evidence/", body, content_type="application/json")
    away = staff(tiny, "enforcer-002", tiny.streets["002"], Role.ENFORCEMENT_OFFICER)
    assert login(officer).get("/api/evidence/").json()["count"] == 1
    assert login(away).get("/api/evidence/").json()["count"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_seals_never_share_a_previous_digest(station, household):
    send(
        station.scale,
        *[wrong(f"d{i}", at=f"09:{10 + i:02d}") for i in range(6)],
    )
    barrier, errors = threading.Barrier(4), []

    def seal():
        try:
            barrier.wait()
            evidence.seal_package(household=household, start=START, end=END)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    previous = list(EvidencePackage.objects.values_list("previous_digest", flat=True))
    assert len(previous) == 4 and len(set(previous)) == 4
    assert evidence.verify().ok
