"""The dispatcher's, handling units' and inspectors' workbenches."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.events.models import Case, CaseEvent, CaseRequest
from cityloop.web.tests.staff_helpers import (
    HX,
    SHOP_POINT,
    closed,
    dispatched,
    fed_back,
    filed,
    photo,
    queries,
    verified,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded photos land in a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("/dispatch/", "dispatcher", "community_handler"),
        ("/dispatch/", "acceptor", "inspector"),
        ("/tasks/", "shop_handler", "dispatcher"),
        ("/inspect/", "inspector", "street_handler"),
    ],
)
def test_each_workbench_is_for_its_roles(client, loop, url, allowed, refused):
    client.force_login(getattr(loop, allowed))
    assert client.get(url).status_code == 200
    client.force_login(getattr(loop, refused))
    assert client.get(url).status_code == 403


def test_workbenches_ask_for_a_login(client, loop):
    for url in ("/dispatch/", "/tasks/", "/inspect/"):
        assert client.get(url).status_code == 302


def test_the_dispatch_desk_shows_the_proposal_and_dispatches_in_one_click(
    client, loop, monday_morning
):
    case = filed(loop)
    client.force_login(loop.dispatcher)
    body = client.get("/dispatch/").content.decode()
    assert case.ticket in body and loop.tiny.shop.name in body and "门前三包" in body
    assert 'data-action="dispatch-proposed"' in body
    response = client.post(
        f"/cases/{case.ticket}/act/dispatch/",
        {"version": case.version, "unit": loop.tiny.shop.pk, "row": "dispatch"},
        **HX,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "dispatched"
    assert case.assignments.get().unit == loop.tiny.shop
    assert f'id="case-{case.ticket}"' in response.content.decode()  # the row, re-rendered


def test_the_dispatch_form_summons_assisting_units(client, loop, monday_morning):
    case = filed(loop)
    client.force_login(loop.dispatcher)
    client.post(
        f"/cases/{case.ticket}/act/dispatch/",
        {
            "version": case.version,
            "unit": loop.tiny.streets["001"].pk,
            "assisting": [loop.water.pk],
            "task": "牵头整治",
            "assisting_task": "排查管网",
            "assisting_deadline": "2025-11-25T17:00",
            "comment": "街道吹哨",
        },
        **HX,
    )
    roles = {
        a.unit_id: (a.role, a.task, a.deadline)
        for a in Case.objects.get(pk=case.pk).assignments.all()
    }
    assert roles[loop.tiny.streets["001"].pk][:2] == ("lead", "牵头整治")
    assert roles[loop.water.pk] == (
        "assist",
        "排查管网",
        datetime(2025, 11, 25, 17, 0, tzinfo=SHANGHAI),
    )


def test_the_dispatch_desk_lists_duplicates(client, loop, monday_morning):
    first = loop.report()
    second = loop.report(description="同一处垃圾")
    client.force_login(loop.acceptor)
    body = client.get("/dispatch/").content.decode()
    assert body.count(first.ticket) >= 2 and body.count(second.ticket) >= 2


def test_the_task_board_lists_my_units_tasks_only(client, loop, monday_morning):
    mine = dispatched(loop)
    client.force_login(loop.shop_handler)
    body = client.get("/tasks/").content.decode()
    assert mine.ticket in body and 'data-action="sign"' in body
    client.force_login(loop.water_handler)
    assert mine.ticket not in client.get("/tasks/").content.decode()


def test_a_unit_signs_and_feeds_back_with_photos(client, loop, media, monday_morning):
    case = dispatched(loop)
    client.force_login(loop.shop_handler)
    client.post(f"/cases/{case.ticket}/act/sign/", {"version": case.version, "row": "task"}, **HX)
    case.refresh_from_db()
    assert case.state == "handling"
    form = client.get(f"/cases/{case.ticket}/act/feed_back/?row=task", **HX).content.decode()
    assert 'capture="environment"' in form and 'accept="image/*"' in form
    response = client.post(
        f"/cases/{case.ticket}/act/feed_back/",
        {"version": case.version, "comment": "已清理", "photos": [photo("a.jpg"), photo("b.jpg")]},
        **HX,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "fed_back"
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.attachments.count()) == ("feed_back", 2)


def test_a_unit_returns_with_a_reason(client, loop, monday_morning):
    case = dispatched(loop)
    client.force_login(loop.shop_handler)
    response = client.post(
        f"/cases/{case.ticket}/act/return/", {"version": case.version, "row": "task"}, **HX
    )
    assert 'data-field="comment"' in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "dispatched"
    client.post(
        f"/cases/{case.ticket}/act/return/",
        {"version": case.version, "comment": "不属于本店", "row": "task"},
        **HX,
    )
    assert Case.objects.get(pk=case.pk).state == "filed"


def test_an_extension_is_asked_in_beijing_time(client, loop, monday_morning):
    case = dispatched(loop)
    client.force_login(loop.shop_handler)
    client.post(
        f"/cases/{case.ticket}/act/request_extension/",
        {"version": case.version, "requested_deadline": "2025-11-26T18:30", "comment": "需采购"},
        **HX,
    )
    request = CaseRequest.objects.get(case=case, kind="extension")
    assert request.requested_deadline == datetime(2025, 11, 26, 18, 30, tzinfo=SHANGHAI)


def test_an_extension_before_the_deadline_is_refused_on_its_field(client, loop, monday_morning):
    case = dispatched(loop)
    client.force_login(loop.shop_handler)
    response = client.post(
        f"/cases/{case.ticket}/act/request_extension/",
        {"version": case.version, "requested_deadline": "2025-11-24T09:05", "comment": "需采购"},
        **HX,
    )
    assert 'data-field="requested_deadline"' in response.content.decode()
    assert not CaseRequest.objects.filter(case=case).exists()


def test_the_task_board_query_count_does_not_grow_with_rows(client, loop, monday_morning):
    for n in range(3):
        dispatched(loop, description=f"垃圾 {n}")
    client.force_login(loop.shop_handler)
    few = queries(client, "/tasks/")
    for n in range(17):  # a page is 20 rows: 3 and 20 compare the same work per row
        dispatched(loop, description=f"更多垃圾 {n}")
    assert queries(client, "/tasks/") == few


def test_a_shop_handler_whose_cases_are_all_closed_sees_an_empty_desk(client, loop, monday_morning):
    done = closed(loop, description="已结案的垃圾")
    rated = closed(loop, description="已评价的垃圾")
    loop.act(loop.acceptor, rated, "evaluate", satisfaction=5, comment="满意")
    client.force_login(loop.shop_handler)
    body = client.get("/tasks/").content.decode()
    assert "本单位暂无任务。" in body
    assert done.ticket not in body and rated.ticket not in body
    assert "已结案" not in body and "已评价" not in body
    board = client.get("/tasks/", HTTP_HX_TARGET="board", **HX).content.decode()
    assert "本单位暂无任务。" in board and done.ticket not in board


def test_the_desk_keeps_open_work_and_drops_a_case_closed_from_its_page(
    client, loop, monday_morning
):
    waiting = fed_back(loop, description="待核查的垃圾")
    case = verified(loop)
    client.force_login(loop.shop_handler)
    body = client.get("/tasks/").content.decode()
    assert case.ticket in body and waiting.ticket in body  # fed back: open until closed
    client.force_login(loop.shift_leader)
    response = client.post(f"/cases/{case.ticket}/act/close/", {"version": case.version}, **HX)
    assert response.status_code == 200
    assert list(case.assignments.values_list("state", flat=True)) == ["closed"]
    assert "随案办结" in response.content.decode()  # the detail's assignment table
    client.force_login(loop.shop_handler)
    body = client.get("/tasks/").content.decode()
    assert case.ticket not in body and waiting.ticket in body


def test_the_task_board_query_count_does_not_grow_with_closed_cases(client, loop, monday_morning):
    for n in range(3):
        dispatched(loop, description=f"垃圾 {n}")
    closed(loop, description="已结案 0")
    client.force_login(loop.shop_handler)
    few = queries(client, "/tasks/")
    for n in range(1, 6):
        closed(loop, description=f"已结案 {n}")
    assert queries(client, "/tasks/") == few
    assert client.get("/tasks/").content.decode().count('id="case-LH') == 3


def test_an_inspector_reports_with_position_and_photo(client, loop, media, monday_morning):
    client.force_login(loop.inspector)
    response = client.post(
        "/inspect/report/",
        {
            "description": "人行道井盖缺失",
            "lon": SHOP_POINT[0],
            "lat": SHOP_POINT[1],
            "urgency": "normal",
            "photos": [photo()],
        },
        **HX,
    )
    case = Case.objects.get(description="人行道井盖缺失")
    assert (case.source, case.reported_by, case.attachments.count()) == (
        "inspector",
        loop.inspector,
        1,
    )
    assert case.ticket in response.content.decode()


def test_an_inspector_report_without_a_place_names_the_field(client, loop, monday_morning):
    client.force_login(loop.inspector)
    response = client.post("/inspect/report/", {"description": "井盖缺失", "urgency": "normal"})
    assert response.status_code == 422
    assert 'data-field="lon"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_inspector_sees_checks_nearest_first_and_verifies(client, loop, media, monday_morning):
    far = fed_back(loop, point=(114.118, 22.558))  # the same community, 1.7 km east
    near = fed_back(loop, point=SHOP_POINT)
    client.force_login(loop.inspector)
    body = client.get(
        f"/inspect/?lon={SHOP_POINT[0]}&lat={SHOP_POINT[1]}", HTTP_HX_TARGET="inspect-tasks", **HX
    ).content.decode()
    assert body.index(near.ticket) < body.index(far.ticket)
    assert 'data-action="verify"' in body and 'data-action="rework"' in body
    assert 'data-action="accept"' not in body
    client.post(
        f"/cases/{near.ticket}/act/verify/",
        {"version": near.version, "photos": [photo()], "row": "inspect"},
        **HX,
    )
    near.refresh_from_db()
    assert near.state == "verified"


def test_the_inspector_page_query_count_does_not_grow_with_rows(client, loop, monday_morning):
    for n in range(3):
        fed_back(loop, description=f"垃圾 {n}")
    client.force_login(loop.inspector)
    url = f"/inspect/?lon={SHOP_POINT[0]}&lat={SHOP_POINT[1]}"
    few = queries(client, url)
    for n in range(17):
        fed_back(loop, description=f"更多垃圾 {n}")
    assert queries(client, url) == few


def test_a_duplicate_is_merged_from_the_dispatch_desk(client, loop, monday_morning):
    first = loop.report()
    second = loop.report(description="同一处垃圾")
    client.force_login(loop.acceptor)
    response = client.post(
        f"/cases/{second.ticket}/act/merge/",
        {"version": second.version, "into": first.ticket, "row": "dispatch"},
        **HX,
    )
    assert response.status_code == 200
    second.refresh_from_db()
    assert (second.state, second.merged_into) == ("merged", first)
