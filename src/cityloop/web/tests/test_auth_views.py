"""Sign-in, the lock-out after repeated failures, sign-out, landing by role, headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cityloop.conftest import PASSWORD
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.web.models import LoginFailure

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_the_login_page_renders(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "landing"),
    [("district", "/centre/"), ("street", "/tasks/"), ("shop", "/tasks/")],
)
def test_staff_land_on_the_page_of_their_role(tiny, client, who, landing):
    response = _login(client, tiny.users[who].username)
    assert (response.status_code, response["Location"]) == (302, landing)


def test_inspectors_and_others_land_on_their_pages(tiny, client):
    user_create(username="insp", password=PASSWORD, unit=tiny.district, roles=[Role.INSPECTOR])
    user_create(
        username="lawyer", password=PASSWORD, unit=tiny.district, roles=[Role.LEGAL_REVIEWER]
    )
    assert _login(client, "insp")["Location"] == "/inspect/"
    assert _login(client, "lawyer")["Location"] == "/cases/"


def test_a_safe_next_is_followed_and_an_offsite_one_ignored(tiny, client):
    assert _login(client, "street-001-handler", next="/cases/7/")["Location"] == "/cases/7/"
    client.logout()
    assert (
        _login(client, "street-001-handler", next="https://evil.example/")["Location"] == "/tasks/"
    )


def test_a_wrong_password_says_so_and_counts_a_failure(tiny, client, settings):
    settings.LANGUAGE_CODE = "en"
    response = _login(client, "street-001-handler", "wrong")
    assert response.status_code == 200
    assert "username or password is wrong" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="street-001-handler").count() == 1


def test_five_failures_lock_the_username_for_fifteen_minutes(tiny, client, settings):
    settings.LANGUAGE_CODE = "en"
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            assert _login(client, "Street-001-Handler", "wrong").status_code == 200
        fifth = _login(client, "street-001-handler", "wrong")
        assert fifth.status_code == 429 and "locked until" in fifth.content.decode()
        clock.shift(timedelta(minutes=14))
        locked = _login(client, "street-001-handler")  # the right password, still locked
        assert locked.status_code == 429 and "_auth_user_id" not in client.session
        clock.shift(timedelta(minutes=1, seconds=1))
        assert _login(client, "street-001-handler").status_code == 302
    assert LoginFailure.objects.filter(username="street-001-handler").count() == 0


def test_failures_spread_over_more_than_the_window_do_not_lock(tiny, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            _login(client, "street-001-handler", "wrong")
        clock.shift(timedelta(minutes=16))
        _login(client, "street-001-handler", "wrong")
        assert _login(client, "street-001-handler").status_code == 302


def test_a_lock_is_per_username(tiny, client):
    for _ in range(5):
        _login(client, "street-001-handler", "wrong")
    assert _login(client, "street-002-handler").status_code == 302


def test_logout_asks_on_get_and_signs_out_on_post(tiny, client):
    client.force_login(tiny.users["street"])
    assert client.get("/logout/").status_code == 200
    assert "_auth_user_id" in client.session
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert "_auth_user_id" not in client.session


def test_home_shows_the_doors_to_anyone_and_sends_staff_to_their_page(tiny, client):
    assert client.get("/").status_code == 200
    client.force_login(tiny.users["district"])
    assert client.get("/")["Location"] == "/centre/"


def test_the_layout_shows_the_unit_and_only_the_links_of_the_roles(tiny, client):
    client.force_login(tiny.users["street"])
    html = client.get("/report/").content.decode()
    assert "街道001" in html and 'href="/tasks/"' in html and 'href="/cases/"' in html
    assert 'href="/centre/"' not in html and 'href="/dispatch/"' not in html


def test_every_page_sends_the_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "connect-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_the_tile_host_is_allowed_as_an_image_source(client, settings):
    settings.CITYLOOP_MAP_TILE_URL = (
        "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    )
    assert (
        "img-src 'self' data: blob: https://*.is.autonavi.com"
        in client.get("/login/")["Content-Security-Policy"]
    )


def test_the_language_switch_turns_the_page_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in html and "Staff sign-in" in html


def test_an_unknown_tile_crs_fails_the_system_check(settings):
    from cityloop.web.checks import map_tile_crs

    assert map_tile_crs(None) == []
    settings.CITYLOOP_MAP_TILE_CRS = "bd09"
    assert [e.id for e in map_tile_crs(None)] == ["cityloop.web.E001"]
