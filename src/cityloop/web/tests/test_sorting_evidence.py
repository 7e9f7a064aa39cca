"""The evidence-packages page /sorting/evidence/: the packages of the user's area, a verify
button that shows the result in place (HTMX) in Chinese or English, and the ZIP export that
the real ``sha256sum -c`` checks; its query count does not grow with its packages."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityloop.devices import ingest, snapshots
from cityloop.devices.choices import DeviceKind
from cityloop.devices.models import Record
from cityloop.devices.services import device_create
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.sorting import evidence
from cityloop.sorting.choices import PointKind
from cityloop.sorting.models import CollectionPoint, Household, HouseholdCard
from cityloop.web.tests.conftest import shoot

PHOTO = b"\xff\xd8\xff\xe0 scale photo of a wrongly sorted bag \xff\xd9"


@dataclass
class Sealed:
    package: evidence.EvidencePackage
    inspector: object  # of the package's community
    other: object  # an inspector of another street


def _household(tiny, code: str, community_code: str, point_code: str):
    community = tiny.communities[community_code]
    point = CollectionPoint.objects.create(
        code=point_code,
        name=f"{point_code} 垃圾厢房",
        kind=PointKind.MULTI_SORT_ROOM,
        community=community,
        lon=114.105,
        lat=22.555,
    )
    scale, _token = device_create(code=f"SC-{point_code}", kind=DeviceKind.SMART_SCALE, point=point)
    home = Household.objects.create(code=code, community=community, point=point)
    HouseholdCard.objects.create(household=home, card_id=f"C-{code}")
    return home, scale


def _seal(tiny, code: str, community_code: str, point_code: str, *, photo: bool = False):
    """A household with three wrongly sorted disposals in the last hour, sealed; the first
    with a photo that CityLoop holds when ``photo``."""
    home, scale = _household(tiny, code, community_code, point_code)
    now = timezone.now()
    messages = []
    for n in range(3):
        record = {
            "time": (now - timedelta(minutes=30 - n)).isoformat(),
            "card": f"C-{code}",
            "bin_type": "kitchen",
            "weight_kg": 1.5 + n,
            "is_correct": False,
        }
        if photo and n == 0:
            record["photo"] = f"photo/{point_code}/1.jpg"
            snapshots.snapshot_store(device=scale, name=record["photo"], content=PHOTO)
        messages.append({"id": f"{code}-{n}", "kind": "disposal", "record": record})
    raws = ingest.parse_array(json.dumps(messages))
    assert ingest.ingest(messages=raws, sender=scale).records == 3
    return evidence.seal_package(
        household=home, start=now - timedelta(hours=1), end=now + timedelta(minutes=1)
    )


def _inspector(tiny, name: str, unit):
    return user_create(username=name, password="x-Pass-1234", unit=unit, roles=[Role.INSPECTOR])


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sealed(tiny, media) -> Sealed:
    package = _seal(tiny, "H-0001", "440303001001", "P-001", photo=True)
    inspector = _inspector(tiny, "inspector-001001", tiny.communities["440303001001"])
    other = _inspector(tiny, "inspector-002", tiny.streets["002"])
    return Sealed(package, inspector, other)


def verify(client: Client, number: str, **headers):
    return client.post(f"/sorting/evidence/{number}/verify/", HTTP_HX_REQUEST="true", **headers)


def replace_photo(media: Path, package) -> None:
    name = json.loads(package.items.get(seq=1).content)["snapshot_file"]
    os.chmod(media / name, 0o644)
    (media / name).write_bytes(b"another photo")


# --- list and scope -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_the_packages_of_the_users_area_only(sealed, tiny, login):
    elsewhere = _seal(tiny, "H-0900", "440303002001", "P-900")

    mine = login(sealed.inspector).get("/sorting/evidence/")
    html = mine.content.decode()

    assert mine.status_code == 200
    assert f'data-package="{sealed.package.number}"' in html
    assert f'data-package="{elsewhere.number}"' not in html
    assert 'href="/sorting/evidence/"' in html  # the navigation entry
    theirs = login(sealed.other).get("/sorting/evidence/").content.decode()
    assert f'data-package="{elsewhere.number}"' in theirs
    assert f'data-package="{sealed.package.number}"' not in theirs
    admin = user_create(
        username="district-admin",
        password="x-Pass-1234",
        unit=tiny.district,
        roles=[Role.ADMINISTRATOR],
    )
    everything = login(admin).get("/sorting/evidence/").content.decode()
    assert everything.count("data-package=") == 2


@pytest.mark.django_db
def test_roles_without_need_get_403_and_no_navigation_entry(sealed, tiny, login):
    client = login(tiny.users["street"])  # a street handler

    assert client.get("/sorting/evidence/").status_code == 403
    assert verify(client, sealed.package.number).status_code == 403
    assert client.get(f"/sorting/evidence/{sealed.package.number}/export.zip").status_code == 403
    assert 'href="/sorting/evidence/"' not in client.get("/sorting/").content.decode()


@pytest.mark.django_db
def test_another_areas_package_is_404_and_anonymous_users_sign_in(sealed, client, login):
    number = sealed.package.number
    assert client.get("/sorting/evidence/").status_code == 302

    other = login(sealed.other)

    assert verify(other, number).status_code == 404
    assert other.get(f"/sorting/evidence/{number}/export.zip").status_code == 404
    assert other.get(f"/sorting/evidence/{number}/verify/").status_code == 405


# --- verify -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_verify_button_says_intact_then_broken_in_chinese_and_english(sealed, media, login):
    client = login(sealed.inspector)
    number = sealed.package.number

    intact = verify(client, number).content.decode()

    assert 'data-verdict="ok"' in intact and "完好：3 项与封存时一致。" in intact
    replace_photo(media, sealed.package)
    record = sealed.package.items.get(seq=2).record_id
    Record.objects.filter(pk=record).update(weight_kg=0.1)

    broken = verify(client, number).content.decode()
    english = verify(client, number, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'data-verdict="broken"' in broken and "<html" not in broken  # the partial only
    assert "已损坏：2 个问题。" in broken and "第 1 项：封存图片的内容与封存时不一致。" in broken
    assert 'data-problem="image_changed"' in broken and "封存图片的内容与封存时不一致。" in broken
    assert 'data-problem="record_changed"' in broken
    assert "Broken: 2 problems." in english
    assert "Item 1: The sealed image&#x27;s bytes differ from what was sealed." in english
    assert "Item 2: The record differs from what was sealed." in english


# --- the ZIP ------------------------------------------------------------------------------------


def sha256sum_check(archive: bytes, folder: Path) -> subprocess.CompletedProcess:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        opened.extractall(folder)
    (root,) = folder.iterdir()
    return subprocess.run(
        [shutil.which("sha256sum") or "sha256sum", "-c", "SHA256SUMS"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db
def test_the_zip_is_checked_by_sha256sum_alone(sealed, media, login, tmp_path):
    client = login(sealed.inspector)
    number = sealed.package.number

    response = client.get(f"/sorting/evidence/{number}/export.zip")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{number}.zip"'
    checked = sha256sum_check(response.content, tmp_path / "intact")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = sorted(checked.stdout.splitlines())
    assert lines == sorted(
        [
            "package.chain: OK",
            "manifest.json: OK",
            "images/0001.jpg: OK",
            *[f"items/000{n}.chain: OK" for n in (1, 2, 3)],
            *[f"records/000{n}.txt: OK" for n in (1, 2, 3)],
        ]
    )
    root = tmp_path / "intact" / number
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["package"]["digest"] == sealed.package.digest
    assert (root / "images/0001.jpg").read_bytes() == PHOTO
    first = sealed.package.items.get(seq=1)
    assert (root / "items/0002.chain").read_text().startswith(first.digest)

    replace_photo(media, sealed.package)
    record = sealed.package.items.get(seq=3).record_id
    Record.objects.filter(pk=record).update(is_correct=True)
    tampered = sha256sum_check(
        client.get(f"/sorting/evidence/{number}/export.zip").content, tmp_path / "tampered"
    )

    assert tampered.returncode == 1
    failed = sorted(line for line in tampered.stdout.splitlines() if "FAILED" in line)
    assert failed == ["images/0001.jpg: FAILED", "records/0003.txt: FAILED"]


@pytest.mark.django_db
def test_the_api_exports_the_same_zip(sealed, tiny, login, tmp_path):
    officer = user_create(
        username="enforcer",
        password="x-Pass-1234",
        unit=tiny.district,
        roles=[Role.ENFORCEMENT_OFFICER],
    )
    client = login(officer)

    response = client.get(f"/api/evidence/{sealed.package.number}/export")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert sha256sum_check(response.content, tmp_path / "api").returncode == 0
    assert (
        login(sealed.other).get(f"/api/evidence/{sealed.package.number}/export").status_code == 404
    )


# --- cost ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_costs_the_same_with_more_packages(sealed, tiny, login, settings):
    client = login(sealed.inspector)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/sorting/evidence/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    settings.CITYLOOP_EVIDENCE_MIN_INCIDENTS = 0
    home = sealed.package.household
    now = timezone.now()
    for n in range(3):
        evidence.seal_package(
            household=home, start=now - timedelta(days=n + 2), end=now - timedelta(days=n + 1)
        )

    assert queries() == one
    assert client.get("/sorting/evidence/").content.decode().count("data-package=") == 4


# --- in a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_verify_button_shows_the_result_in_a_browser(tiny, pages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    package = _seal(tiny, "H-0001", "440303001001", "P-001", photo=True)
    inspector = _inspector(tiny, "inspector-001001", tiny.communities["440303001001"])
    client = Client()
    client.force_login(inspector)
    page = pages.open("desktop")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": pages.base_url}]
    )

    page.goto("/sorting/evidence/")
    page.click(f"tr[data-package='{package.number}'] button[data-action=verify]")
    page.wait_for_selector(f"#verify-{package.number} [data-verdict=ok]")
    assert "完好" in page.inner_text(f"#verify-{package.number}")
    replace_photo(settings.MEDIA_ROOT, package)
    page.click(f"tr[data-package='{package.number}'] button[data-action=verify]")
    page.wait_for_selector(f"#verify-{package.number} [data-problem=image_changed]")

    assert page.url.endswith("/sorting/evidence/")  # shown in place, no navigation
    assert pages.console_errors == []
    shoot(page, "sorting-evidence")
