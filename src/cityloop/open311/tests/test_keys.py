"""API keys: made in the admin or by the command, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command

from cityloop.open311.models import ApiKey
from cityloop.open311.tests.conftest import BASE, POINT
from cityloop.org.services import user_create

pytestmark = pytest.mark.django_db
SHOWN_KEY = re.compile(r'<code id="api-key"[^>]*>([^<]+)</code>')


@pytest.fixture
def admin_client(client, db):
    root = user_create(username="root", password=None, unit=None, is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_admin_lists_are_in_chinese(admin_client, api_key):
    keys = admin_client.get("/admin/open311/apikey/").content.decode()
    submissions = admin_client.get("/admin/open311/submission/").content.decode()

    assert "API 密钥" in keys
    assert "FixMyStreet 试点" in keys
    assert "Open311 提交记录" in submissions


def test_adding_a_key_in_the_admin_shows_it_once_and_stores_its_hash(admin_client):
    response = admin_client.post("/admin/open311/apikey/add/", {"name": "随手拍小程序"})

    page = response.content.decode()
    raw = SHOWN_KEY.search(page)[1]
    key = ApiKey.objects.get()
    assert response.status_code == 200
    assert "请立即复制并交给客户端" in page
    assert (key.name, key.key_hash, key.prefix, key.is_active) == (
        "随手拍小程序",
        sha256(raw),
        raw[:8],
        True,
    )
    change_page = admin_client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert raw not in change_page


def test_a_key_made_in_the_admin_works(admin_client, tiny):
    page = admin_client.post("/admin/open311/apikey/add/", {"name": "随手拍小程序"})
    raw = SHOWN_KEY.search(page.content.decode())[1]
    data = {
        "api_key": raw,
        "service_code": "event-01-10",
        "lat": POINT[1],
        "long": POINT[0],
        "description": "垃圾",
    }

    assert admin_client.post(f"{BASE}/requests.json", data).status_code == 200


def test_a_key_is_deactivated_in_the_admin_and_not_deleted(admin_client, api_key):
    key = api_key[0]

    admin_client.post(
        f"/admin/open311/apikey/{key.pk}/change/", {"name": "FixMyStreet 试点（停用）"}
    )
    deleting = admin_client.get(f"/admin/open311/apikey/{key.pk}/delete/")

    key.refresh_from_db()
    assert (key.name, key.is_active) == ("FixMyStreet 试点（停用）", False)
    assert deleting.status_code == 403


def test_submissions_are_read_only_in_the_admin(admin_client):
    assert admin_client.get("/admin/open311/submission/add/").status_code == 403


def test_the_command_prints_the_key_once_on_stdout(db):
    out, err = io.StringIO(), io.StringIO()

    call_command("open311_key", "12345 热线平台", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert (key.name, key.key_hash) == ("12345 热线平台", sha256(raw))
    assert "请立即复制" in err.getvalue()
    assert raw not in err.getvalue()


def test_the_command_refuses_an_empty_name(db):
    with pytest.raises(CommandError, match="名称不能为空"):
        call_command("open311_key", "  ", stdout=io.StringIO(), stderr=io.StringIO())

    assert ApiKey.objects.count() == 0
