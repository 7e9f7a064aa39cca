"""GET /api/notifications/ (mine, newest first, unread filter, paginated) and
POST /api/notifications/read (ids or all)."""

import json
from datetime import timedelta

import pytest

from cityloop.notifications.models import Notification
from cityloop.notifications.services import Notice, notify_many
from cityloop.notifications.tests.conftest import NOON

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def told(user, kind, at, case=None):
    notify_many(
        notices=[
            Notice(users=[user], kind=kind, text={"zh": f"{kind}中", "en": kind}, case_id=case)
        ],
        now=at,
    )
    return Notification.objects.get(user=user, kind=kind)


@pytest.fixture
def inbox(people, case):
    """Three notifications of the handler (one read), one of the dispatcher."""
    handler = people["handler"]
    first = told(handler, "first", NOON - timedelta(hours=2), case.pk)
    second = told(handler, "second", NOON - timedelta(hours=1))
    third = told(handler, "third", NOON)
    second.read_at = NOON
    second.save(update_fields=["read_at"])
    other = told(people["dispatcher"], "theirs", NOON, case.pk)
    return {"first": first, "second": second, "third": third, "other": other}


def test_i_see_my_notifications_newest_first(people, inbox, case, login):
    response = login(people["handler"]).get("/api/notifications/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [n["kind"] for n in body["items"]] == ["third", "second", "first"]
    assert body["items"][2] == {
        "id": inbox["first"].pk,
        "kind": "first",
        "message_zh": "first中",
        "message_en": "first",
        "case": case.ticket,
        "created_at": "2025-11-24T02:00:00Z",
        "read_at": None,
    }


def test_the_unread_filter(people, inbox, login):
    client = login(people["handler"])

    unread = client.get("/api/notifications/?unread=true").json()
    read = client.get("/api/notifications/?unread=false").json()

    assert [n["kind"] for n in unread["items"]] == ["third", "first"]
    assert [n["kind"] for n in read["items"]] == ["second"]


def test_notifications_need_a_login(client, inbox):
    assert client.get("/api/notifications/").status_code == 401
    assert post(client, "/api/notifications/read", {"all": True}).status_code == 401
    assert Notification.objects.unread().count() == 3


def test_marking_some_read_ignores_other_peoples_ids(people, inbox, login, noon):
    response = post(
        login(people["handler"]),
        "/api/notifications/read",
        {"ids": [inbox["first"].pk, inbox["other"].pk]},
    )

    assert (response.status_code, response.json()) == (200, {"marked": 1, "unread": 1})
    unread = set(Notification.objects.unread().values_list("kind", flat=True))
    assert unread == {"third", "theirs"}


def test_marking_all_read(people, inbox, login, noon):
    response = post(login(people["handler"]), "/api/notifications/read", {"all": True})

    assert response.json() == {"marked": 2, "unread": 0}
    assert list(Notification.objects.unread().values_list("kind", flat=True)) == ["theirs"]


@pytest.mark.parametrize("body", [{}, {"ids": [1], "all": True}, {"all": False}])
def test_marking_read_needs_ids_or_all_but_not_both(people, inbox, login, body):
    response = post(login(people["handler"]), "/api/notifications/read", body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "ids",
                "code": "ids_or_all",
                "zh": "请列出要标记为已读的通知（ids），或将 all 设为 true。",
                "en": "Name the notifications to mark read (ids), or set all to true.",
            }
        ]
    }
    assert Notification.objects.unread().count() == 3


def test_the_list_query_count_does_not_grow_with_rows(
    people, inbox, case, login, django_assert_num_queries
):
    client = login(people["handler"])
    client.get("/api/notifications/")
    # session, user, count, page (with the case joined)
    with django_assert_num_queries(4):
        client.get("/api/notifications/")
    for n in range(20):
        told(people["handler"], f"more-{n}", NOON, case.pk)
    with django_assert_num_queries(4):
        assert client.get("/api/notifications/").json()["count"] == 23
