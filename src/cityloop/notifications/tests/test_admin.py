"""The admin lists notifications read-only: nobody adds, edits or deletes them there."""

import pytest

from cityloop.notifications.models import Notification
from cityloop.notifications.services import Notice, notify_many
from cityloop.org.services import user_create

pytestmark = pytest.mark.django_db
LIST = "/admin/notifications/notification/"


@pytest.fixture
def admin_client(client, people, case):
    notify_many(
        notices=[
            Notice(
                users=[people["handler"]],
                kind="urged",
                text={"zh": "请尽快处理", "en": "Hurry"},
                case_id=case.pk,
            )
        ]
    )
    admin = user_create(username="root", password=None, unit=None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_admin_lists_notifications(admin_client, case):
    response = admin_client.get(LIST)

    assert response.status_code == 200
    assert "请尽快处理" in response.content.decode()
    assert case.ticket in response.content.decode()


def test_the_admin_cannot_add_change_or_delete_them(admin_client):
    note = Notification.objects.get()

    assert admin_client.get(f"{LIST}add/").status_code == 403
    assert admin_client.post(f"{LIST}{note.pk}/change/", {"kind": "x"}).status_code == 403
    assert admin_client.post(f"{LIST}{note.pk}/delete/", {"post": "yes"}).status_code == 403
    note.refresh_from_db()
    assert (Notification.objects.count(), note.kind) == (1, "urged")
