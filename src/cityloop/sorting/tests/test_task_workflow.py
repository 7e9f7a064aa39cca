"""The collection-task workflow on the kernel: every door (API, page, the truck's record) moves
a task through the one service, each change leaves a history entry, and a refusal changes
nothing (docs/tasks.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.core.refusals import ActionRefused, RecordChanged, StateForbids
from cityloop.core.workflow.actors import SystemActor
from cityloop.devices.tests.conftest import NOW
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.models import CollectionTask, CollectionTaskEvent
from cityloop.sorting.services import TASKS, task_act
from cityloop.sorting.tests.test_reactions import contractor, fill, pickup, send  # noqa: F401
from cityloop.sorting.workflow import TaskAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(contractor):  # noqa: F811
    return user_create(
        username="contractor-handler", password="x-Pass-1234", unit=contractor, roles=[Role.HANDLER]
    )


@pytest.fixture
def task(station, contractor):  # noqa: F811
    send(station.sensor, fill("f1", 0.9))
    return CollectionTask.objects.get()


def _unchanged(task: CollectionTask) -> None:
    fresh = CollectionTask.objects.get(pk=task.pk)
    assert (fresh.status, fresh.version, fresh.done_at) == (TaskStatus.OPEN, 0, None)
    assert not CollectionTaskEvent.objects.filter(task=task).exists()


def test_marking_done_through_the_api_writes_its_history(task, handler, login):
    response = login(handler).post(
        f"/api/tasks/{task.pk}/status",
        {"status": "done", "version": 0, "comment": "已清运"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["version"]) == ("done", 1)
    [entry] = CollectionTaskEvent.objects.filter(task=task)
    assert (entry.action, entry.from_state, entry.to_state) == ("complete", "open", "done")
    assert (entry.actor, entry.actor_unit, entry.comment) == (handler, handler.unit, "已清运")
    assert entry.actor_label == f"{handler.unit.display_name} · {handler.username}"
    assert entry.at == NOW


def test_a_stale_version_is_refused_with_the_current_one(task, handler, login):
    CollectionTask.objects.filter(pk=task.pk).update(version=3)

    response = login(handler).post(
        f"/api/tasks/{task.pk}/status",
        {"status": "cancelled", "version": 2},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["version"] == 3
    assert response.json()["detail"][0]["field"] == "version"
    fresh = CollectionTask.objects.get(pk=task.pk)
    assert fresh.status == TaskStatus.OPEN and not fresh.events.exists()


def test_the_page_marks_a_task_done_through_the_same_service(task, handler, login):
    response = login(handler).post(
        f"/sorting/tasks/{task.pk}/status/", {"status": "done", "version": "0"}, follow=True
    )

    assert response.status_code == 200
    assert "Task marked done" in response.content.decode()
    [entry] = CollectionTaskEvent.objects.filter(task=task)
    assert (entry.action, entry.actor) == ("complete", handler)


def test_the_page_says_a_task_changed_since_it_was_drawn(task, handler, login):
    CollectionTask.objects.filter(pk=task.pk).update(version=1)

    response = login(handler).post(
        f"/sorting/tasks/{task.pk}/status/", {"status": "done", "version": "0"}, follow=True
    )

    assert response.status_code == 200
    assert "changed since you loaded it" in response.content.decode()
    assert CollectionTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_the_trucks_collection_completes_the_task_as_the_system(station, task):
    send(station.truck, pickup("t1", at="09:59"))

    task.refresh_from_db()
    assert (task.status, task.version) == (TaskStatus.DONE, 1)
    [entry] = task.events.all()
    assert (entry.action, entry.from_state, entry.to_state) == ("complete", "open", "done")
    assert (entry.actor, entry.actor_label) == (None, "系统")
    assert entry.at == task.done_at == NOW - timedelta(minutes=1)


def test_the_system_may_not_cancel_a_task(task):
    with pytest.raises(ActionRefused) as refused:
        task_act(actor=SystemActor(), task=task, action=TaskAction.CANCEL)

    assert refused.value.code == "role"
    _unchanged(task)


def test_a_task_done_cannot_be_cancelled(task, handler):
    task_act(actor=handler, task=task, action=TaskAction.COMPLETE)

    with pytest.raises(StateForbids) as refused:
        task_act(actor=handler, task=task, action=TaskAction.CANCEL, version=1)

    assert refused.value.field == "status"
    assert CollectionTask.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert task.events.count() == 1


def test_a_handler_of_another_unit_is_refused(task, tiny):
    with pytest.raises(ActionRefused) as refused:
        task_act(actor=tiny.users["community"], task=task, action=TaskAction.COMPLETE)

    assert refused.value.code == "unit"
    _unchanged(task)


def test_the_page_shows_buttons_exactly_to_those_the_table_allows(task, handler, tiny):
    assert [t.action for t in TASKS.allowed_actions(handler, task)] == ["complete", "cancel"]
    assert TASKS.allowed_actions(tiny.users["community"], task) == []
    assert TASKS.allowed_actions(SystemActor(), task)[0].action == "complete"


def test_a_stale_version_on_the_service_changes_nothing(task, handler):
    with pytest.raises(RecordChanged):
        task_act(actor=handler, task=task, action=TaskAction.COMPLETE, version=5)

    _unchanged(task)


def test_a_user_granted_the_system_role_by_hand_still_cannot_act_as_the_system(task, tiny):
    from cityloop.org.models import RoleGrant

    leader = user_create(
        username="district-leader", password="x-Pass-1234", unit=tiny.district, roles=[Role.LEADER]
    )
    RoleGrant.objects.bulk_create([RoleGrant(user=leader, role="system")])  # no validation
    leader = type(leader).objects.get(pk=leader.pk)
    assert leader.has_role("system")

    with pytest.raises(ActionRefused) as refused:
        task_act(actor=leader, task=task, action=TaskAction.COMPLETE)

    assert refused.value.code == "role"
    _unchanged(task)


def test_the_bulk_path_refuses_what_it_cannot_do_alike(task):
    with pytest.raises(ActionRefused):  # the table's role check: cancel does not name the system
        TASKS.apply_in_bulk([task], TaskAction.CANCEL, actor=SystemActor(), at=lambda t: NOW)
    with pytest.raises(ValueError):
        TASKS.apply_in_bulk([task], "reopen", actor=SystemActor(), at=lambda t: NOW)
    assert CollectionTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_long_unit_name_fits_the_history_label(task, contractor):  # noqa: F811
    contractor.name = "很长的环卫作业单位名称" * 10
    contractor.save()
    handler = user_create(
        username="h" * 80, password="x-Pass-1234", unit=contractor, roles=[Role.HANDLER]
    )

    task_act(actor=handler, task=task, action=TaskAction.COMPLETE)

    assert len(task.events.get().actor_label) == 60
