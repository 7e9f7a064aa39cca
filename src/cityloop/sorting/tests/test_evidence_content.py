"""Evidence by content: a package seals the bytes of the images its records name and each
record's digest as it arrived; ``verify`` recomputes both; a sealed image can no longer be
replaced (service, device door, admin); migration 0006 gives older records their digest."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cityloop.core.refusals import BadInput, StateForbids
from cityloop.devices import ingest, snapshots
from cityloop.devices.models import Record, Snapshot
from cityloop.devices.tests.conftest import NOW
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.sorting import evidence
from cityloop.sorting.models import EvidenceItem, EvidencePackage

pytestmark = pytest.mark.django_db

START, END = NOW - timedelta(days=1), NOW + timedelta(minutes=5)
IMAGE = b"\xff\xd8\xff\xe0 camera CAM-1 at 09:30 \xff\xd9"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def send(device, *messages):
    outcome = ingest.ingest(messages=ingest.parse_array(json.dumps(list(messages))), sender=device)
    assert outcome.quarantined == 0, outcome.results
    return outcome


def alarm(message_id: str, minute: int, snapshot: str) -> dict:
    record = {
        "time": f"2026-11-25T09:{minute:02d}:00+08:00",
        "alarm": "littering",
        "confidence": 0.9,
        "snapshot": snapshot,
    }
    return {"id": message_id, "kind": "ai_alarm", "record": record}


@pytest.fixture
def alarms(station):
    """Three confident alarms at the station's point; CityLoop holds the first one's image."""
    snapshots.snapshot_store(device=station.camera, name="snap/CAM-1/0930.jpg", content=IMAGE)
    send(
        station.camera,
        alarm("a1", 30, "snap/CAM-1/0930.jpg"),
        alarm("a2", 31, "https://cam.example/0931.jpg"),  # an image CityLoop does not hold
        alarm("a3", 32, "snap/CAM-1/0932.jpg"),
    )
    return station


@pytest.fixture
def package(alarms, tiny):
    return evidence.seal_package(unit=alarms.point.community, start=START, end=END)


def problems(report) -> list[tuple]:
    return [(p.package, p.item, p.what) for p in report.problems]


def image_path(media: Path, package: EvidencePackage) -> Path:
    content = json.loads(package.items.get(seq=1).content)
    return media / content["snapshot_file"]


def overwrite(path: Path, data: bytes) -> None:
    """What someone with the server's disk can do: make the file writable, write other bytes."""
    os.chmod(path, 0o644)
    path.write_bytes(data)


# --- sealing ------------------------------------------------------------------------------------


def test_an_item_seals_the_images_sha256_and_the_records_digest(package, media):
    items = [json.loads(i.content) for i in package.items.order_by("seq")]
    held = Snapshot.objects.get(name="snap/CAM-1/0930.jpg")

    assert items[0]["snapshot_sha256"] == hashlib.sha256(IMAGE).hexdigest() == held.sha256
    assert items[0]["snapshot_file"] == held.file.name
    assert held.file.name == f"snapshots/{held.sha256[:2]}/{held.sha256}.jpg"
    assert (media / held.file.name).read_bytes() == IMAGE
    # Images CityLoop does not hold are sealed by their name alone.
    assert [i["snapshot_sha256"] for i in items[1:]] == [None, None]
    for item in items:
        assert item["record_digest"] == bytes(Record.objects.get(pk=item["record"]).digest).hex()
    held.refresh_from_db()
    assert held.sealed_at == NOW
    assert (media / held.file.name).stat().st_mode & 0o777 == 0o444  # read-only on disk
    assert evidence.verify().ok


def test_the_pipeline_stores_the_sha256_of_the_records_row_text(station):
    send(station.camera, alarm("a1", 30, "snap/x.jpg"))

    record = Record.objects.get()

    text = (
        f'[{station.camera.pk},"a1",0,"ai_alarm","2026-11-25 01:30:00+00:00",'
        f'{station.point.pk},"",null,null,"",null,"2026-11-25 02:00:00+00:00"]\n'
        '{"time":"2026-11-25T09:30:00+08:00","alarm":"littering","confidence":0.9,'
        '"snapshot":"snap/x.jpg"}'
    )
    assert bytes(record.digest) == hashlib.sha256(text.encode()).digest()


# --- verify -------------------------------------------------------------------------------------


def test_replacing_a_sealed_images_bytes_breaks_the_chain(package, media):
    overwrite(image_path(media, package), b"another picture")

    report = evidence.verify()

    assert problems(report) == [(package.number, 1, "image_changed")]
    data = report.problems[0].data
    assert data["sealed"] == hashlib.sha256(IMAGE).hexdigest()
    assert data["now"] == hashlib.sha256(b"another picture").hexdigest()
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--only", "evidence", stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{package.number} #1: image_changed: snapshots/")
    assert lines[-1].startswith("evidence: BROKEN: 1 problems in 1 packages, 3 items")


def test_a_removed_sealed_image_is_reported(package, media):
    image_path(media, package).unlink()

    assert problems(evidence.verify()) == [(package.number, 1, "image_missing")]


def test_the_api_reports_a_replaced_image_in_both_languages(package, media, tiny, login):
    officer = user_create(
        username="enforcer",
        password="x-Pass-1234",
        unit=tiny.district,
        roles=[Role.ENFORCEMENT_OFFICER],
    )
    client = login(officer)
    assert client.get(f"/api/evidence/{package.number}/verify").json()["ok"] is True
    overwrite(image_path(media, package), b"another picture")

    answer = client.get(f"/api/evidence/{package.number}/verify").json()

    assert answer["ok"] is False
    (problem,) = answer["problems"]
    assert (problem["item"], problem["what"]) == (1, "image_changed")
    assert problem["label"]["en"] == "The sealed image's bytes differ from what was sealed."
    assert problem["label"]["zh"] == "封存图片的内容与封存时不一致。"


def test_a_record_rewritten_without_visible_change_is_found_by_its_digest(package):
    record_id = package.items.get(seq=2).record_id
    with connection.cursor() as cursor:  # the same JSON value, other bytes
        cursor.execute(
            "UPDATE devices_record SET payload = %s WHERE id = %s",
            [json.dumps(Record.objects.get(pk=record_id).payload, indent=1), record_id],
        )

    report = evidence.verify()

    assert problems(report) == [(package.number, 2, "record_digest")]
    data = report.problems[0].data
    assert data["sealed"] == data["stored"] != data["now"]


def test_a_rewritten_record_digest_is_found(package):
    record_id = package.items.get(seq=3).record_id
    Record.objects.filter(pk=record_id).update(digest=bytes(32))

    assert problems(evidence.verify()) == [(package.number, 3, "record_digest")]


def test_a_record_changed_after_it_arrived_is_not_sealed(alarms, tiny):
    record = Record.objects.get(message_id="a2")
    Record.objects.filter(pk=record.pk).update(received_at=record.received_at - timedelta(days=1))

    with pytest.raises(BadInput) as refused:
        evidence.seal_package(unit=alarms.point.community, start=START, end=END)

    assert refused.value.code == "changed_since_arrival"
    assert str(record.pk) in str(refused.value.message)
    assert not EvidencePackage.objects.exists() and not EvidenceItem.objects.exists()
    assert Snapshot.objects.get().sealed_at is None


def test_an_image_altered_before_sealing_is_not_sealed(alarms, tiny, media):
    held = Snapshot.objects.get()
    (media / held.file.name).write_bytes(b"altered on disk")

    with pytest.raises(BadInput) as refused:
        evidence.seal_package(unit=alarms.point.community, start=START, end=END)

    assert "snap/CAM-1/0930.jpg" in str(refused.value.message)
    assert not EvidencePackage.objects.exists()


# --- a sealed image stays as it is ------------------------------------------------------------


def test_the_service_refuses_to_replace_a_sealed_image(package, alarms, media):
    held = Snapshot.objects.get()

    with pytest.raises(StateForbids) as refused:
        snapshots.snapshot_store(device=alarms.camera, name=held.name, content=b"new bytes")

    assert refused.value.code == "sealed" and refused.value.status == 409
    after = Snapshot.objects.get()
    assert (after.sha256, after.file.name, after.stored_at) == (
        held.sha256,
        held.file.name,
        held.stored_at,
    )
    assert (media / held.file.name).read_bytes() == IMAGE
    assert evidence.verify().ok


def test_an_unsealed_image_is_replaced_without_touching_other_files(alarms, media):
    first = Snapshot.objects.get()

    again = snapshots.snapshot_store(device=alarms.camera, name=first.name, content=b"retake")

    assert again.pk == first.pk and again.sha256 == hashlib.sha256(b"retake").hexdigest()
    assert (media / again.file.name).read_bytes() == b"retake"
    assert (media / first.file.name).read_bytes() == IMAGE  # named by content: not overwritten


def test_the_device_door_stores_an_image_and_refuses_a_sealed_one(alarms, client, tiny):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {alarms.camera_token}"}
    url = "/api/ingest/snapshot?name=snap/CAM-1/0932.jpg"

    stored = client.post(url, b"third image", "image/jpeg", **headers)

    assert stored.status_code == 201
    assert stored.json()["sha256"] == hashlib.sha256(b"third image").hexdigest()
    package = evidence.seal_package(unit=alarms.point.community, start=START, end=END)
    assert (
        json.loads(package.items.get(seq=3).content)["snapshot_sha256"] == (stored.json()["sha256"])
    )

    refused = client.post(url, b"replacement", "image/jpeg", **headers)

    assert refused.status_code == 409
    error = refused.json()["detail"][0]
    assert (error["field"], error["code"]) == ("file", "sealed")
    assert error["zh"] and error["en"].startswith("This image is sealed")
    assert Snapshot.objects.get(name="snap/CAM-1/0932.jpg").sha256 == stored.json()["sha256"]
    assert client.post(url, b"x", "image/jpeg").status_code == 401
    empty = client.post("/api/ingest/snapshot?name=a.jpg", b"", "image/jpeg", **headers)
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "file"


def test_the_admin_offers_no_change_or_delete_of_a_sealed_image(package, admin_client, media):
    held = Snapshot.objects.get()
    change = f"/admin/devices/snapshot/{held.pk}/change/"

    page = admin_client.get(change)
    posted = admin_client.post(change, {"image": SimpleUploadedFile("f.jpg", b"forged")})
    deleted = admin_client.post(f"/admin/devices/snapshot/{held.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200 and b'type="file"' not in page.content  # read-only view
    assert posted.status_code == 403 and deleted.status_code == 403
    assert Snapshot.objects.get().sha256 == held.sha256
    assert (media / held.file.name).read_bytes() == IMAGE


def test_the_admin_replaces_an_unsealed_image_through_the_service(alarms, admin_client, media):
    held = Snapshot.objects.get()
    upload = SimpleUploadedFile("retake.jpg", b"retake", content_type="image/jpeg")

    response = admin_client.post(f"/admin/devices/snapshot/{held.pk}/change/", {"image": upload})

    assert response.status_code == 302, response.content.decode()[:2000]
    after = Snapshot.objects.get()
    assert after.sha256 == hashlib.sha256(b"retake").hexdigest()
    assert (media / after.file.name).read_bytes() == b"retake"


# --- migration 0006 -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0006_gives_earlier_records_the_digest_the_pipeline_gives(station):
    send(station.camera, alarm("a1", 30, "snap/1.jpg"), alarm("a2", 31, "snap/2.jpg"))
    expected = {m: bytes(d) for m, d in Record.objects.values_list("message_id", "digest")}
    assert len(set(expected.values())) == 2
    executor = MigrationExecutor(connection)
    before, latest = ("devices", "0005_record_filing"), executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([before])
        with connection.cursor() as cursor:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(cursor, "devices_record")
            ]
            cursor.execute("SELECT count(*) FROM devices_record")
            assert cursor.fetchone()[0] == 2
        assert "digest" not in columns
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    assert {m: bytes(d) for m, d in Record.objects.values_list("message_id", "digest")} == expected
