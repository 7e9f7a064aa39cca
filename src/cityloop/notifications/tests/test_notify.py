"""notify(): in-app rows for the active people concerned, once each; e-mail after the commit
in both languages when enabled, never for a change that rolled back."""

import logging

import pytest
from django.core import mail
from django.db import transaction

from cityloop.core.api_errors import PYDANTIC_MESSAGES
from cityloop.notifications import services
from cityloop.notifications.models import Notification
from cityloop.notifications.services import (
    Notice,
    notifications_mark_read,
    notify,
    notify_many,
)
from cityloop.notifications.tests.conftest import NOON

pytestmark = pytest.mark.django_db
MESSAGE = PYDANTIC_MESSAGES["float_parsing"]  # "Enter a number.": any translated message
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def email_on(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.CITYLOOP_EMAIL_NOTIFICATIONS = True
    settings.DEFAULT_FROM_EMAIL = "cityloop@example.org"


def rows():
    return list(
        Notification.objects.order_by("user__username").values_list(
            "user__username", "case__ticket", "kind", "message_zh", "message_en", "read_at"
        )
    )


def test_each_active_person_is_told_once_in_both_languages(people, case, noon):
    handler, retired = people["handler"], people["retired"]

    sent = notify(users=[handler, handler, retired, None], kind="urged", message=MESSAGE, case=case)

    assert sent == 1
    assert rows() == [
        ("street-001-handler", case.ticket, "urged", "请输入数字。", "Enter a number.", None)
    ]
    assert Notification.objects.get().created_at == NOON


def test_an_email_goes_out_after_the_commit_in_both_languages(
    people, case, email_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notify(
            users=[people["handler"], people["dispatcher"]],
            kind="urged",
            message=MESSAGE,
            case=case,
        )
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["dispatcher@example.org", "handler@example.org"]
    message = mail.outbox[0]
    assert (message.subject, message.body, message.from_email) == (
        "[CityLoop] 请输入数字。",
        "请输入数字。\n\nEnter a number.\n",
        "cityloop@example.org",
    )


def test_a_change_that_rolls_back_sends_nothing_and_keeps_no_notification(
    people, case, email_on, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(users=[people["handler"]], kind="urged", message=MESSAGE, case=case)
        raise RuntimeError("the case's change failed")

    assert (mail.outbox, rows()) == ([], [])


def test_no_email_unless_enabled(people, case, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = LOCMEM
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users=[people["handler"]], kind="urged", message=MESSAGE, case=case)

    assert (callbacks, mail.outbox, len(rows())) == ([], [], 1)


def test_people_without_an_address_get_no_email(
    people, case, email_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(users=[people["shop"]], kind="urged", message=MESSAGE, case=case)

    assert (callbacks, mail.outbox, len(rows())) == ([], [], 1)


def test_a_mail_server_that_is_down_is_logged_and_keeps_the_notification(
    people, case, email_on, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mass_mail", refuse)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notify(users=[people["handler"]], kind="urged", message=MESSAGE, case=case)

    assert [r.getMessage() for r in caplog.records] == [
        "notification e-mail failed for 1 recipient(s)"
    ]
    assert len(rows()) == 1


def test_many_notices_are_written_together(people, case, noon):
    notices = [
        Notice(users=[people["handler"]], kind="a", text={"zh": "甲", "en": "A"}, case_id=case.pk),
        Notice(
            users=[people["handler"], people["dispatcher"]], kind="b", text={"zh": "乙", "en": "B"}
        ),
    ]

    assert notify_many(notices=notices) == 3
    assert sorted(
        Notification.objects.values_list("user__username", "kind", "case_id", "message_zh")
    ) == [
        ("district-dispatcher", "b", None, "乙"),
        ("street-001-handler", "a", case.pk, "甲"),
        ("street-001-handler", "b", None, "乙"),
    ]


def test_marking_read_touches_only_my_own_unread_notifications(people, case, noon):
    handler, dispatcher = people["handler"], people["dispatcher"]
    notify(users=[handler, dispatcher], kind="a", message=MESSAGE, case=case)
    notify(users=[handler], kind="b", message=MESSAGE, case=case)
    mine = list(Notification.objects.filter(user=handler).order_by("kind"))
    theirs = Notification.objects.get(user=dispatcher)

    assert notifications_mark_read(user=handler, ids=[mine[0].pk, theirs.pk]) == 1
    assert notifications_mark_read(user=handler) == 1
    assert notifications_mark_read(user=handler) == 0
    assert list(Notification.objects.filter(user=handler).values_list("read_at", flat=True)) == [
        NOON,
        NOON,
    ]
    theirs.refresh_from_db()
    assert theirs.read_at is None
