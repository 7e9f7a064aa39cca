"""The command centre: exact figures on a hand-made set of cases, scoping, access, the data
endpoints' shapes, constant query counts, and bounded map payloads (server-side clusters).

The clock is Monday 2025-11-24 09:00 in Shanghai: "today" starts at 00:00 that day and
"this month" on 1 November.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.events.choices import CaseState, ClockState, Stage
from cityloop.events.models import Case, CaseAssignment
from cityloop.events.selectors import figures
from cityloop.events.tests.conftest import PLAIN_POINT, SHOP_POINT
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.web.centre import mapdata

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA_URLS = [
    "/centre/data/figures/",
    "/centre/data/charts/",
    "/centre/data/charts/?period=today",
    "/centre/data/cases/",
    "/centre/data/overdue/",
]


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI)


def _case(loop, point, *, source="inspector", **fields) -> Case:
    """A case reported through intake, then set to the given state and milestones."""
    case = loop.report(point=point, source=source)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def _assign(case, unit, when) -> None:
    CaseAssignment.objects.create(case=case, unit=unit, dispatched_at=when)


@pytest.fixture
def cases(loop, monday_morning):
    """Five cases, A–E (see each line), in both streets."""
    tiny = loop.tiny
    # A: street 001, reported and filed today, dispatched to the shop; open and overdue.
    a = _case(
        loop,
        SHOP_POINT,
        state=CaseState.HANDLING,
        stage=Stage.HANDLE,
        clock_state=ClockState.OVERDUE,
        deadline=at(11, 24, 8),
        filed_at=at(11, 24, 0, 30),
        dispatched_at=at(11, 24, 1),
        reported_at=at(11, 24, 0, 10),
    )
    _assign(a, tiny.shop, at(11, 24, 1))
    # B: street 001, a citizen's, reported on the 10th; closed on time today after one rework.
    b = _case(
        loop,
        SHOP_POINT,
        source="citizen",
        state=CaseState.CLOSED,
        stage=Stage.NONE,
        clock_state=ClockState.STOPPED,
        reported_at=at(11, 10, 14, 30),
        filed_at=at(11, 10, 15),
        dispatched_at=at(11, 10, 15, 10),
        closed_at=at(11, 24, 8),
        closed_on_time=True,
        rework_count=1,
    )
    _assign(b, loop.water, at(11, 10, 15, 10))
    # C: street 002, reported on the 10th; closed late on the 12th.
    c = _case(
        loop,
        PLAIN_POINT,
        state=CaseState.CLOSED,
        stage=Stage.NONE,
        clock_state=ClockState.STOPPED,
        reported_at=at(11, 10, 14, 45),
        filed_at=at(11, 10, 15),
        dispatched_at=at(11, 10, 16),
        closed_at=at(11, 12),
        closed_on_time=False,
    )
    _assign(c, loop.water, at(11, 10, 16))
    # D: street 002, reported and filed in October, closed on time on 3 November.
    _case(
        loop,
        PLAIN_POINT,
        state=CaseState.EVALUATED,
        stage=Stage.NONE,
        clock_state=ClockState.STOPPED,
        reported_at=at(10, 20),
        filed_at=at(10, 20, 10),
        dispatched_at=at(10, 20, 11),
        closed_at=at(11, 3),
        closed_on_time=True,
    )
    # E: street 002, reported today and rejected.
    _case(
        loop,
        PLAIN_POINT,
        state=CaseState.REJECTED,
        stage=Stage.NONE,
        clock_state=ClockState.STOPPED,
        reported_at=at(11, 24, 8, 30),
    )
    return loop


@pytest.fixture
def street_leader(loop):
    return user_create(
        username="street-001-leader",
        password="s3cret-pass-42",
        unit=loop.tiny.streets["001"],
        roles=[Role.LEADER],
    )


# --- figures ------------------------------------------------------------------------------


def test_figures_of_the_district_are_exact(cases, login):
    client = login(cases.leader)

    figures = client.get("/centre/data/figures/").json()

    assert figures["month"] | {"since": None} == {
        "since": None,
        "reported": 4,  # A, B, C, E (D was reported in October)
        "filed": 3,  # A, B, C
        "closed": 3,  # B, C, D
        "closed_on_time": 2,  # B, D
        "on_time_rate": 66.7,
        "overdue": 2,  # A (open, overdue), C (closed late)
        "rework": 1,  # B
        "rework_rate": 33.3,
        "dispatched": 3,  # A, B, C
        "entity_handled": 1,  # A (the shop)
        "entity_participation": 33.3,
    }
    assert figures["today"] | {"since": None} == {
        "since": None,
        "reported": 2,  # A, E
        "filed": 1,
        "closed": 1,
        "closed_on_time": 1,
        "on_time_rate": 100.0,
        "overdue": 1,
        "rework": 1,
        "rework_rate": 100.0,
        "dispatched": 1,
        "entity_handled": 1,
        "entity_participation": 100.0,
    }
    assert figures["today"]["since"] == "2025-11-24T00:00:00+08:00"
    assert figures["month"]["since"] == "2025-11-01T00:00:00+08:00"
    assert figures["open"] == {"on_time": 0, "warning": 0, "overdue": 1, "stopped": 0, "total": 1}


def test_a_street_leader_sees_only_the_streets_figures(cases, street_leader, login):
    client = login(street_leader)

    figures = client.get("/centre/data/figures/").json()

    month = figures["month"]
    assert (month["reported"], month["filed"], month["closed"]) == (2, 2, 1)  # A, B
    assert (month["on_time_rate"], month["overdue"], month["rework"]) == (100.0, 1, 1)
    assert (month["dispatched"], month["entity_handled"], month["entity_participation"]) == (
        2,
        1,
        50.0,
    )
    assert figures["open"]["total"] == 1


def test_no_cases_give_zeros_and_no_rates(loop, monday_morning, login):
    figures = login(loop.leader).get("/centre/data/figures/").json()

    assert figures["month"]["reported"] == 0
    assert figures["month"]["on_time_rate"] is None
    assert figures["month"]["entity_participation"] is None
    assert figures["open"]["total"] == 0


# --- charts and the overdue list -----------------------------------------------------------


def test_charts_of_the_month(cases, login):
    charts = login(cases.leader).get("/centre/data/charts/").json()

    assert charts["period"] == "month"
    assert [(s["source"], s["count"]) for s in charts["by_source"]] == [
        ("citizen", 1),
        ("inspector", 3),
    ]
    assert [(s["name"], s["count"]) for s in charts["by_street"]] == [
        ("街道001", 2),
        ("街道002", 2),
    ]
    hours = charts["by_hour"]
    assert len(hours) == 24
    assert (hours[0], hours[8], hours[14]) == (1, 1, 2)
    assert sum(hours) == 4
    assert [(c["name"], c["count"]) for c in charts["by_category"]] == [("暴露生活垃圾", 4)]


def test_charts_of_today_for_a_street(cases, street_leader, login):
    charts = login(street_leader).get("/centre/data/charts/?period=today").json()

    assert charts["since"] == "2025-11-24T00:00:00+08:00"
    assert [(s["name"], s["count"]) for s in charts["by_street"]] == [("街道001", 1)]
    assert sum(n for n in charts["by_hour"] if n) == 1


def test_todays_hours_stop_at_the_hour_under_way(cases, login):
    # Given 09:00 on Monday: cases reported at 00:10 and 08:xx today, others this month
    client = login(cases.leader)
    today = client.get("/centre/data/charts/?period=today").json()
    # Then the hours to come have no count yet, and 09:00–10:00 is marked as under way
    assert today["by_hour"] == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0] + [None] * 14
    assert today["partial_hour"] == {"index": 9, "as_of": "09:00", "label": "今日截至 09:00"}
    # and the month's hours are whole, unchanged
    month = client.get("/centre/data/charts/").json()
    assert month["partial_hour"] is None and None not in month["by_hour"]
    assert (month["by_hour"][0], month["by_hour"][8], month["by_hour"][14]) == (1, 1, 2)


def test_a_bad_period_is_refused(cases, login):
    response = login(cases.leader).get("/centre/data/charts/?period=year")

    assert response.status_code == 400
    assert response.json()["field"] == "period"


def test_worst_overdue_lists_open_overdue_cases_with_links(cases, login):
    a = Case.objects.get(state=CaseState.HANDLING)

    listed = login(cases.leader).get("/centre/data/overdue/").json()["cases"]

    assert [c["ticket"] for c in listed] == [a.ticket]
    assert listed[0]["url"] == f"/cases/{a.ticket}/"
    assert listed[0]["overdue_hours"] == 1.0  # deadline 08:00, now 09:00
    assert listed[0]["street"] == "街道001"


def test_the_overdue_list_is_scoped(cases, login):
    other_leader = user_create(
        username="street-002-leader",
        password="s3cret-pass-42",
        unit=cases.tiny.streets["002"],
        roles=[Role.LEADER],
    )

    listed = login(other_leader).get("/centre/data/overdue/").json()["cases"]

    assert listed == []  # A is in street 001


# --- the map -------------------------------------------------------------------------------


def test_map_points_carry_ticket_position_and_clock(cases, login):
    data = login(cases.leader).get("/centre/data/cases/").json()

    a = Case.objects.get(state=CaseState.HANDLING)
    assert data == {
        "mode": "points",
        "count": 1,
        "points": [[a.ticket, SHOP_POINT[0], SHOP_POINT[1], "overdue"]],
    }


def test_map_points_outside_the_box_are_left_out(cases, login):
    bbox = "114.12,22.54,114.14,22.56"  # street 002 only

    data = login(cases.leader).get(f"/centre/data/cases/?bbox={bbox}").json()

    assert data["count"] == 0


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "114.2,22.5,114.1,22.6"])
def test_a_bad_bbox_is_refused(cases, login, bbox):
    response = login(cases.leader).get(f"/centre/data/cases/?bbox={bbox}")

    assert response.status_code == 400
    assert response.json()["field"] == "bbox"


def _many_open_cases(n: int) -> None:
    """``n`` open cases spread over the tiny district, a third of each deadline state."""
    clocks = [ClockState.ON_TIME, ClockState.WARNING, ClockState.OVERDUE]
    now = at(11, 24)
    Case.objects.bulk_create(
        Case(
            ticket=f"T{i:06d}",
            source="inspector",
            description="x",
            stage=Stage.HANDLE,
            state=CaseState.HANDLING,
            clock_state=clocks[i % 3],
            lon=114.10 + 0.04 * ((i * 7919) % 1000) / 1000,
            lat=22.54 + 0.02 * ((i * 104729) % 997) / 997,
            reported_at=now,
        )
        for i in range(n)
    )


def test_many_points_come_back_as_clusters_of_bounded_size(loop, monday_morning, login):
    _many_open_cases(3000)

    response = login(loop.leader).get("/centre/data/cases/?bbox=114.09,22.53,114.15,22.57")

    data = response.json()
    assert data["mode"] == "clusters"
    assert data["count"] == 3000
    assert sum(c[3] + c[4] + c[5] for c in data["clusters"]) == 3000
    assert len(data["clusters"]) <= mapdata.CELLS_ACROSS * mapdata.CELLS_ACROSS
    assert len(response.content) < 100_000


def test_without_a_box_clusters_cover_every_open_case(loop, monday_morning, login):
    _many_open_cases(mapdata.MAX_POINTS + 1)

    data = login(loop.leader).get("/centre/data/cases/").json()

    assert data["mode"] == "clusters"
    assert data["count"] == mapdata.MAX_POINTS + 1


# --- access, pages, query counts -----------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, db):
    page = client.get("/centre/")
    data = client.get("/centre/data/figures/")

    assert page.status_code == 302
    assert page["Location"].startswith("/login/?next=/centre/")
    assert data.status_code == 401


def test_a_poll_after_the_session_ended_sends_the_whole_page_to_sign_in(client, db):
    response = client.get("/centre/panels/figures/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/centre/"


def test_staff_without_a_centre_role_are_refused(loop, login):
    client = login(loop.street_handler)

    assert client.get("/centre/").status_code == 403
    assert client.get("/centre/data/figures/").status_code == 403


def test_the_page_shows_figures_overdue_cases_and_the_config(cases, login):
    response = login(cases.shift_leader).get("/centre/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="centre-config"' in html
    assert "/centre/data/cases/" in html
    assert 'hx-get="/centre/panels/figures/"' in html
    a = Case.objects.get(state=CaseState.HANDLING)
    assert f'href="/cases/{a.ticket}/"' in html
    assert "<script>" not in html  # CSP: no inline script


def test_panels_render_for_htmx(cases, login):
    client = login(cases.dispatcher)

    figures = client.get("/centre/panels/figures/", headers={"HX-Request": "true"})
    missing = client.get("/centre/panels/nothing/")

    assert figures.status_code == 200
    assert "66.7%" in figures.content.decode()
    assert "<html" not in figures.content.decode()
    assert missing.status_code == 404


def _query_counts(client) -> list[int]:
    counts = []
    for url in ["/centre/", "/centre/panels/figures/", "/centre/panels/overdue/", *DATA_URLS]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize("who", ["leader", "street_leader"])
def test_query_counts_do_not_grow_with_the_cases(cases, street_leader, login, who):
    client = login(street_leader if who == "street_leader" else cases.leader)
    before = _query_counts(client)
    _many_open_cases(50)
    for i in range(5):
        extra = _case(cases, SHOP_POINT, clock_state=ClockState.OVERDUE)
        Case.objects.filter(pk=extra.pk).update(
            ticket=f"X{i}", deadline=at(11, 24, 7), state=CaseState.HANDLING
        )

    assert _query_counts(client) == before


def test_hours_are_the_same_without_the_whole_hour_shortcut(cases, login, monkeypatch):
    client = login(cases.leader)
    fast = client.get("/centre/data/charts/").json()["by_hour"]
    monkeypatch.setattr(figures, "_whole_hour_offset", lambda start, end: None)

    slow = client.get("/centre/data/charts/").json()["by_hour"]

    assert slow == fast
