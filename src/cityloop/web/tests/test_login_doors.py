"""One lock-out for every door that takes a password: /login/ and /admin/login/.

The count lives in ``web_loginfailure`` and is kept by the authentication backend, so a
username locked on one door is locked on the other, and a failure on either counts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cityloop.org.services import user_create
from cityloop.web.models import LoginFailure

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "adm1n-s3cret-pass"


@pytest.fixture
def admin_user(db):
    return user_create(
        username="admin", password=ADMIN_PASSWORD, unit=None, is_staff=True, is_superuser=True
    )


def _admin_login(client, password, username="admin", **extra):
    body = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", body, **extra)


def _site_login(client, password, username="admin"):
    return client.post("/login/", {"username": username, "password": password})


def test_wrong_admin_passwords_are_counted_and_lock_the_username(admin_user, client, settings):
    settings.LANGUAGE_CODE = "en"
    answers = [_admin_login(client, "wrong").status_code for _ in range(20)]
    limit = settings.CITYLOOP_LOGIN_MAX_FAILURES
    assert answers == [200] * (limit - 1) + [429] * (21 - limit)
    assert LoginFailure.objects.filter(username="admin").count() == limit
    right = _admin_login(client, ADMIN_PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert "locked until" in right.content.decode()


def test_the_admin_lock_out_message_is_in_chinese_first(admin_user, client, settings):
    for _ in range(settings.CITYLOOP_LOGIN_MAX_FAILURES):
        response = _admin_login(client, "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert "该用户名登录失败次数过多" in html, html
    assert "errornote" in html


def test_a_username_locked_on_the_site_is_locked_on_the_admin(admin_user, client, settings):
    for _ in range(settings.CITYLOOP_LOGIN_MAX_FAILURES):
        _site_login(client, "wrong")
    response = _admin_login(client, ADMIN_PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(username="admin").count() == (
        settings.CITYLOOP_LOGIN_MAX_FAILURES
    )


def test_a_username_locked_on_the_admin_is_locked_on_the_site(admin_user, client, settings):
    for _ in range(settings.CITYLOOP_LOGIN_MAX_FAILURES):
        _admin_login(client, "wrong")
    response = _site_login(client, ADMIN_PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_failures_on_both_doors_add_up(admin_user, client, settings):
    limit = settings.CITYLOOP_LOGIN_MAX_FAILURES
    for n in range(limit - 1):
        (_site_login if n % 2 else _admin_login)(client, "wrong")
    assert _admin_login(client, "wrong").status_code == 429


def test_the_admin_lock_passes_with_the_window_and_a_sign_in_clears_it(
    admin_user, client, settings
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.CITYLOOP_LOGIN_MAX_FAILURES):
            _admin_login(client, "wrong")
        clock.shift(timedelta(minutes=settings.CITYLOOP_LOGIN_LOCK_MINUTES - 1))
        assert _admin_login(client, ADMIN_PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=1, seconds=1))
        response = _admin_login(client, ADMIN_PASSWORD)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert LoginFailure.objects.filter(username="admin").count() == 0


def test_one_wrong_admin_password_says_so_and_counts_one_failure(admin_user, client, settings):
    settings.LANGUAGE_CODE = "en"
    response = _admin_login(client, "wrong")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert LoginFailure.objects.filter(username="admin").count() == 1
