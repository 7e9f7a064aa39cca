"""Device registry: tokens shown once, stored hashed; admin in Chinese; schemas are valid."""

from __future__ import annotations

import hashlib
import json
import re

import jsonschema
import pytest

from cityloop.devices.choices import MessageKind
from cityloop.devices.models import Device
from cityloop.devices.record_schemas import SCHEMA_DIR
from cityloop.devices.tests.conftest import disposal
from cityloop.sorting.models import Household, HouseholdCard

pytestmark = pytest.mark.django_db
SHOWN_TOKEN = re.compile(r'id="device-token"[^>]*>([^<]+)<')


def test_a_device_made_in_the_admin_shows_its_token_once_and_stores_its_hash(
    admin_client, station, post
):
    data = {"code": "SC-2", "kind": "smart_scale", "point": station.point.pk, "truck_plate": ""}

    response = admin_client.post("/admin/devices/device/add/", data)

    page = response.content.decode()
    token = SHOWN_TOKEN.search(page)[1]
    device = Device.objects.get(code="SC-2")
    assert "请立即复制到设备配置中" in page
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith("dv_") and token[3:9] == device.token_prefix
    change = admin_client.get(f"/admin/devices/device/{device.pk}/change/").content.decode()
    assert token not in change
    assert post(token, [disposal("adm1")]).json()["accepted"] == 1


def test_a_device_needs_a_point_or_a_truck_plate(admin_client, station):
    data = {"code": "SC-3", "kind": "smart_scale", "truck_plate": ""}

    response = admin_client.post("/admin/devices/device/add/", data)

    assert "设备须位于投放点或安装在车辆上" in response.content.decode()
    assert not Device.objects.filter(code="SC-3").exists()


def test_the_admin_is_in_chinese_and_lists_leave_out_building_and_room(admin_client, station):
    household = Household.objects.create(
        code="H-0001", community=station.point.community, building="7栋", room="1203"
    )
    HouseholdCard.objects.create(household=household, card_id="C-0001")

    households = admin_client.get("/admin/sorting/household/").content.decode()
    points = admin_client.get("/admin/sorting/collectionpoint/").content.decode()
    devices = admin_client.get("/admin/devices/device/").content.decode()

    assert "H-0001" in households and "1203" not in households
    assert "多分类垃圾厢房" in points and "投放点" in points
    assert "智能称重" in devices and "最后在线" in devices
    detail = admin_client.get(f"/admin/sorting/household/{household.pk}/change/")
    assert "1203" in detail.content.decode()


@pytest.mark.parametrize("kind", MessageKind.values)
def test_each_kind_has_a_valid_committed_schema(kind):
    schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator.check_schema(schema)
    assert "time" in schema["required"]


def test_disabling_a_device_in_the_admin_keeps_its_token_and_refuses_it(
    admin_client, station, post
):
    url = f"/admin/devices/device/{station.scale.pk}/change/"
    data = {"code": "SC-1", "name": "", "kind": "smart_scale", "point": station.point.pk}

    admin_client.post(url, {**data, "truck_plate": "", "gateway": "", "is_active": ""})

    station.scale.refresh_from_db()
    assert not station.scale.is_active
    assert post(station.scale_token, [disposal("off1")]).status_code == 401


def test_the_change_page_has_a_button_to_reset_the_token(admin_client, station):
    page = admin_client.get(f"/admin/devices/device/{station.scale.pk}/change/").content.decode()
    assert f'href="/admin/devices/device/{station.scale.pk}/reset-token/"' in page
    assert "重置令牌" in page


def test_resetting_a_token_in_the_admin_asks_first_and_changes_nothing_on_get(
    admin_client, station, post
):
    before = Device.objects.values_list("token_prefix", "token_hash").get(pk=station.scale.pk)
    page = admin_client.get(f"/admin/devices/device/{station.scale.pk}/reset-token/")
    assert page.status_code == 200
    assert "旧令牌将立即失效" in page.content.decode()
    after = Device.objects.values_list("token_prefix", "token_hash").get(pk=station.scale.pk)
    assert after == before
    assert post(station.scale_token, [disposal("ask1")]).json()["accepted"] == 1


def test_resetting_a_token_in_the_admin_shows_the_new_one_once_and_the_old_one_stops(
    admin_client, station, post
):
    url = f"/admin/devices/device/{station.scale.pk}/reset-token/"

    response = admin_client.post(url)

    page = response.content.decode()
    assert response.status_code == 200
    token = SHOWN_TOKEN.search(page)[1]
    device = Device.objects.get(pk=station.scale.pk)
    assert "请立即复制到设备配置中" in page
    assert token.startswith("dv_") and token[3:9] == device.token_prefix
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    change = admin_client.get(f"/admin/devices/device/{device.pk}/change/").content.decode()
    assert token not in change
    assert post(station.scale_token, [disposal("old1")]).status_code == 401
    assert post(token, [disposal("new1")]).json()["accepted"] == 1
    history = admin_client.get(f"/admin/devices/device/{device.pk}/history/").content.decode()
    assert "令牌已重置" in history


def test_only_those_who_may_change_devices_reset_a_token(client, station, tiny):
    from cityloop.org.services import user_create

    staff = user_create(username="viewer", password=None, unit=None, is_staff=True)
    client.force_login(staff)
    before = Device.objects.values_list("token_hash", flat=True).get(pk=station.scale.pk)

    response = client.post(f"/admin/devices/device/{station.scale.pk}/reset-token/")

    assert response.status_code == 403
    assert Device.objects.values_list("token_hash", flat=True).get(pk=station.scale.pk) == before
