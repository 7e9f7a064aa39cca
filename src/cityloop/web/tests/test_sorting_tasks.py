"""The collection-tasks page /sorting/tasks/ (docs/tasks.md): scoped lists, done/cancel buttons
for those the API's rules allow, 404 for another contractor's task, 403 for read-only roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cityloop.core.workflow.actors import SystemActor
from cityloop.geo.models import Grid
from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.services import unit_create, user_create
from cityloop.sorting.choices import PointKind, TaskReason, TaskStatus
from cityloop.sorting.models import CollectionPoint, CollectionTask
from cityloop.sorting.services import task_act


def _task(tiny, community_code, point_code, contractor_name, due_in_hours):
    community = tiny.communities[community_code]
    contractor = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name=contractor_name,
        entity_kind=EntityKind.SANITATION_CONTRACTOR,
        parent=community,
    )
    point = CollectionPoint.objects.create(
        code=point_code,
        name=f"{point_code} 垃圾厢房",
        kind=PointKind.MULTI_SORT_ROOM,
        community=community,
        grid=Grid.objects.filter(code__startswith=community_code).order_by("code").first(),
        contractor=contractor,
        lon=114.1,
        lat=22.55,
    )
    now = timezone.now()
    task = CollectionTask.objects.create(
        point=point,
        waste_type="kitchen",
        contractor=contractor,
        reason=TaskReason.choices[0][0],
        level=0.9,
        opened_at=now - timedelta(hours=3),
        due_at=now + timedelta(hours=due_in_hours),
        last_alarm_at=now,
    )
    handler = user_create(
        username=f"handler{point_code[-3:]}",
        password="x-Pass-1234",
        unit=contractor,
        roles=[Role.HANDLER],
    )
    return task, handler


@pytest.fixture
def world(tiny):
    mine, my_handler = _task(tiny, "440303001001", "P-001", "城环环卫公司", due_in_hours=-1)
    theirs, their_handler = _task(tiny, "440303002001", "P-002", "南区环卫公司", due_in_hours=2)
    return mine, my_handler, theirs, their_handler


def test_contractor_handler_sees_own_tasks_only_and_marks_one_done(world, login):
    mine, my_handler, _, _ = world
    client = login(my_handler)

    page = client.get("/sorting/tasks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "P-001" in html and "P-002" not in html
    assert 'class="overdue"' in html  # due an hour ago
    assert 'data-action="done"' in html and 'data-action="cancelled"' in html
    assert 'href="/sorting/points/P-001/"' not in html  # contractors cannot open point pages
    assert 'href="/sorting/tasks/"' in html  # the navigation entry

    response = client.post(f"/sorting/tasks/{mine.pk}/status/", {"status": "done"}, follow=True)
    assert response.redirect_chain[-1][0] == "/sorting/tasks/"
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE and mine.done_at is not None
    assert "Task marked done." in response.content.decode()
    assert f'data-task="{mine.pk}"' not in response.content.decode()  # open filter: gone
    assert f'data-task="{mine.pk}"' in client.get("/sorting/tasks/?status=done").content.decode()

    again = client.post(f"/sorting/tasks/{mine.pk}/status/", {"status": "cancelled"}, follow=True)
    assert "Only an open task can be marked done or cancelled." in again.content.decode()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE


def test_a_bad_status_changes_nothing_and_says_why(world, login):
    mine, my_handler, _, _ = world
    response = login(my_handler).post(
        f"/sorting/tasks/{mine.pk}/status/", {"status": "finished"}, follow=True
    )
    assert "Choose done or cancelled." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN


def test_another_contractors_user_gets_404(world, login):
    mine, _, theirs, their_handler = world
    client = login(their_handler)
    assert client.post(f"/sorting/tasks/{mine.pk}/status/", {"status": "done"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN
    html = client.get("/sorting/tasks/?status=all").content.decode()
    assert f'data-task="{theirs.pk}"' in html and f'data-task="{mine.pk}"' not in html


def test_a_read_only_role_sees_the_task_but_cannot_change_it(world, tiny, login):
    mine, _, _, _ = world
    client = login(tiny.users["street"])  # a street handler: sees its area, not a task changer

    html = client.get("/sorting/tasks/").content.decode()
    assert "P-001" in html and "P-002" not in html
    assert 'href="/sorting/points/P-001/"' in html  # street staff may open the point page
    assert "data-action=" not in html

    response = client.post(f"/sorting/tasks/{mine.pk}/status/", {"status": "cancelled"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == TaskStatus.OPEN


def test_lists_are_scoped_by_area(world, tiny, login):
    district = login(tiny.users["district"]).get("/sorting/tasks/").content.decode()
    assert "P-001" in district and "P-002" in district
    assert district.index("P-001") < district.index("P-002")  # oldest due first
    assert 'data-action="done"' in district  # district dispatchers may change tasks

    shop = login(tiny.users["shop"]).get("/sorting/tasks/").content.decode()
    assert "P-001" not in shop and "P-002" not in shop
    assert 'href="/sorting/tasks/"' not in shop  # no navigation entry without any task


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get("/sorting/tasks/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_task_page_shows_who_completed_it_when_and_why(world, login):
    mine, my_handler, _, _ = world
    client = login(my_handler)
    listing = client.get("/sorting/tasks/").content.decode()
    assert f'href="/sorting/tasks/{mine.pk}/"' in listing  # each row leads to its history

    page = client.get(f"/sorting/tasks/{mine.pk}/").content.decode()
    assert "data-entry=" not in page  # nothing happened yet
    assert 'data-action="done"' in page

    response = client.post(
        f"/sorting/tasks/{mine.pk}/status/",
        {
            "status": "done",
            "version": mine.version,
            "comment": "已清运两桶",
            "next": f"/sorting/tasks/{mine.pk}/",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/sorting/tasks/{mine.pk}/"
    html = response.content.decode()
    assert 'data-entry="complete"' in html
    entry = mine.events.get()
    row = html[html.index('data-entry="complete"') :].split("</tr>")[0]
    assert f"<td>{entry.actor_label}</td>" in row and "<td>已清运两桶</td>" in row
    assert (entry.action, entry.from_state, entry.to_state) == ("complete", "open", "done")
    assert entry.actor == my_handler and entry.comment == "已清运两桶"
    assert "data-action=" not in html  # a done task offers no change


def test_a_task_completed_by_a_truck_record_shows_the_system(world, login):
    mine, my_handler, _, _ = world
    task_act(actor=SystemActor(), task=mine, action="complete")
    html = login(my_handler).get(f"/sorting/tasks/{mine.pk}/").content.decode()
    assert 'data-entry="complete"' in html
    assert mine.events.get().actor_label in html


def test_another_contractors_task_page_is_404(world, login):
    mine, _, _, their_handler = world
    assert login(their_handler).get(f"/sorting/tasks/{mine.pk}/").status_code == 404
