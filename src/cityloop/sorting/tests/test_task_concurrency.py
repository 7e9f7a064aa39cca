"""A user cancels a collection task while a batch of records arrives for its point: the batch
waits for the user's change and reads the task as it is now, never writing back the open task
it would have read a moment earlier (a lost update). The user's transaction commits only once
PostgreSQL shows the batch waiting for a lock, so the interleaving is the one under test."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.models import CollectionTask
from cityloop.sorting.services import task_act
from cityloop.sorting.tests.test_reactions import contractor, fill, send  # noqa: F401

WAIT_SECONDS = 20  # how long the user's transaction waits for the batch to queue on its lock


def _someone_waits_for_a_lock() -> bool:
    """True when another connection is waiting for a row lock (the batch behind the user)."""
    with connection.cursor() as cursor:
        # Statistics views are read once per transaction unless the snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_alarm_arriving_while_a_user_cancels_the_task_does_not_reopen_it(
    station,
    contractor,  # noqa: F811
):
    send(station.sensor, fill("f1", 0.9, at="09:58"))
    task = CollectionTask.objects.get()
    handler = user_create(
        username="contractor-handler", password="x-Pass-1234", unit=contractor, roles=[Role.HANDLER]
    )
    locked, failures, waited = threading.Event(), [], []

    def user_cancels() -> None:
        try:
            with transaction.atomic():
                task_act(actor=handler, task=task.pk, action="cancel", version=0, comment="误报")
                locked.set()
                # Commit only once the batch is queued on the task's lock (or give up).
                deadline = time.monotonic() + WAIT_SECONDS
                while not (queued := _someone_waits_for_a_lock()) and time.monotonic() < deadline:
                    time.sleep(0.05)
                waited.append(queued)
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)
        finally:
            locked.set()
            connection.close()

    def batch_arrives() -> None:
        try:
            locked.wait(timeout=10)
            send(station.sensor, fill("f2", 0.95, at="10:05"))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=user_cancels), threading.Thread(target=batch_arrives)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not failures, failures
    assert waited == [True], "the batch never waited for the user's lock"

    task.refresh_from_db()
    assert (task.status, task.version, task.alarms) == (TaskStatus.CANCELLED, 1, 1)
    [entry] = task.events.all()
    assert (entry.action, entry.actor, entry.comment) == ("cancel", handler, "误报")
    # The alarm after the cancellation opens a task of its own.
    [new] = CollectionTask.objects.exclude(pk=task.pk)
    assert (new.status, new.alarms, new.level) == (TaskStatus.OPEN, 1, 0.95)
