"""The garbage-sorting pages: dashboard (figures, map and chart data, ranking, scoping), point
detail (devices online/offline, today's records, alarms → cases, tasks) and household lookup
(who may, scoping, masked building and room, field errors in both languages).

The clock is Wednesday 2026-11-25 10:00 in Shanghai; the data is ``sorting_data.build``:
today 4 disposals at P-001 (street 001; 3 correct) and 2 at P-002 (street 002; both correct),
yesterday 1 incorrect at P-001.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cityloop.core.i18n import bilingual, both
from cityloop.sorting.choices import TaskStatus
from cityloop.sorting.models import AlarmCase, CollectionTask
from cityloop.web.sorting import detail
from cityloop.web.tests.sorting_data import build, send
from cityloop.web.views.sorting import HouseholdLookupForm

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world(tiny):
    with time_machine.travel(NOW, tick=False):
        yield build(tiny, NOW)


@pytest.fixture
def as_user(client, world):
    def _as(name):
        client.force_login(world.users[name])
        return client

    return _as


def _rate(figures, name, when):
    return next(r[when] for r in figures["rates"] if r["name"] == name)


# --- access and navigation ----------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in_and_data_answers_401(client, world):
    page = client.get("/sorting/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    data = client.get("/sorting/data/points/")
    assert data.status_code == 401
    item = data.json()["detail"][0]
    assert (item["field"], item["code"]) == ("__all__", "not_authenticated")
    assert item["en"] == "Sign in first." and item["zh"] and item["zh"] != item["en"]
    household = client.get("/sorting/households/?q=H-001")
    assert household.status_code == 302


def test_a_social_entity_gets_403_and_no_menu_entry(as_user):
    client = as_user("shop")
    assert client.get("/sorting/").status_code == 403
    assert client.get("/sorting/points/P-001/").status_code == 403
    assert client.get("/sorting/data/charts/").status_code == 403
    assert 'href="/sorting/"' not in client.get("/cases/").content.decode()


def test_street_staff_get_the_menu_entry(as_user):
    html = as_user("street1_handler").get("/cases/").content.decode()
    assert 'href="/sorting/"' in html


# --- dashboard ----------------------------------------------------------------------------


def test_the_district_dashboard_shows_today_and_month_figures_and_ranks_streets(as_user, world):
    response = as_user("district").get("/sorting/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert _rate(figures, "correct_sorting_rate", "today") == 83.3  # 5 of 6
    assert _rate(figures, "correct_sorting_rate", "month") == 71.4  # 5 of 7
    assert _rate(figures, "participation_rate", "today") == 100.0  # 2 of 2 households
    assert figures["counts"]["disposals_today"] == 6
    assert figures["work"]["tasks_open"] == 1
    assert figures["work"]["alarm_cases"] == 1 and figures["work"]["alarm_cases_open"] == 1
    ranking = response.context["ranking"]
    assert [(r["rank"], r["name"], r["value"]) for r in ranking] == [
        (1, "街道002", 100.0),
        (2, "街道001", 60.0),  # 3 of 5 this month
    ]
    html = response.content.decode()
    assert "83.3%" in html and "5/6" in html
    assert 'href="/sorting/?unit=440303001"' in html  # a street's own dashboard


def test_a_street_sees_only_its_communities(as_user, world):
    client = as_user("street1_handler")
    figures = client.get("/sorting/").context["figures"]
    assert _rate(figures, "correct_sorting_rate", "today") == 75.0  # 3 of 4 at P-001
    assert figures["counts"]["disposals_today"] == 4
    # Its community: allowed; the other street: looks missing.
    assert client.get("/sorting/?unit=440303001001").status_code == 200
    assert client.get("/sorting/?unit=440303002").status_code == 404
    assert client.get("/sorting/?unit=440303").status_code == 404


def test_the_figures_panel_is_served_alone_for_htmx(as_user, world):
    response = as_user("district").get(
        "/sorting/panels/figures/?unit=440303001", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "75.0%" in html and "3/4" in html


def test_map_data_colours_points_by_their_rate_within_scope(as_user, world):
    district = as_user("district").get("/sorting/data/points/?period=today").json()
    assert district["count"] == 2
    by_code = {p[0]: p for p in district["points"]}
    assert by_code["P-001"][1:5] == [114.105, 22.555, 75.0, 4]
    assert by_code["P-002"][3] == 100.0
    assert district["bands"] == {"good": 1, "fair": 1, "poor": 0, "none": 0}
    month = as_user("district").get("/sorting/data/points/").json()
    assert {p[0]: p[3] for p in month["points"]}["P-001"] == 60.0

    street2 = as_user("street2_handler").get("/sorting/data/points/").json()
    assert [p[0] for p in street2["points"]] == ["P-002"]


def test_data_endpoints_refuse_bad_parameters_field_by_field_in_both_languages(as_user, world):
    client = as_user("street1_handler")
    bad = client.get("/sorting/data/points/?period=year")
    assert bad.status_code == 400
    item = bad.json()["detail"][0]
    assert item["field"] == "period" and item["en"] and item["zh"] != item["en"]
    bad = client.get("/sorting/data/charts/?by=nonsense")
    assert bad.status_code == 400 and bad.json()["detail"][0]["field"] == "by"
    hidden = client.get("/sorting/data/charts/?unit=440303002")
    assert hidden.status_code == 404 and hidden.json()["detail"][0]["field"] == "unit"


def test_chart_data_has_30_days_of_trends_and_the_ranking(as_user, world):
    data = as_user("district").get("/sorting/data/charts/").json()
    trend = data["trend"]
    assert len(trend["days"]) == 30 and trend["days"][-1] == "2026-11-25"
    assert trend["rates"]["correct_sorting_rate"][-2:] == [0.0, 83.3]
    assert trend["rates"]["correct_sorting_rate"][0] is None  # nothing judged that day
    assert trend["disposals"][-2:] == [1, 6]
    assert [r["name"] for r in data["ranking"]] == ["街道002", "街道001"]
    by_participation = as_user("district").get("/sorting/data/charts/?by=participation_rate")
    assert by_participation.json()["by"] == "participation_rate"


def test_the_trend_marks_today_as_so_far_and_keeps_the_whole_days(as_user, world):
    # Given 10:00 on 2026-11-25: today's figures are those of the morning only
    trend = as_user("district").get("/sorting/data/charts/").json()["trend"]
    # Then the last day is marked as under way, with the time its figures reach
    assert trend["partial"] == {
        "index": 29,
        "day": "2026-11-25",
        "as_of": "10:00",
        "label": "今日截至 10:00",
    }
    english = as_user("district").get("/sorting/data/charts/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["trend"]["partial"]["label"] == "Today so far (to 10:00)"
    # and the whole days are as they were: yesterday's one incorrect disposal
    assert trend["rates"]["correct_sorting_rate"][-2:] == [0.0, 83.3]
    assert trend["disposals"][-2:] == [1, 6]
    # When the day is over, it is a whole day like the others, with the same figures
    next_morning = datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI)
    with time_machine.travel(next_morning, tick=False):
        later = as_user("district").get("/sorting/data/charts/").json()["trend"]
    assert later["partial"]["day"] == "2026-11-26" and later["partial"]["index"] == 29
    assert later["days"][-2] == "2026-11-25"
    assert later["rates"]["correct_sorting_rate"][-3:-1] == [0.0, 83.3]
    assert later["disposals"][-3:] == [1, 6, 0]


# --- point detail -------------------------------------------------------------------------


def test_point_detail_shows_devices_records_alarms_and_tasks(as_user, world):
    response = as_user("street1_leader").get("/sorting/points/P-001/")
    assert response.status_code == 200
    ctx = response.context
    online = {d["device"].code: d["online"] for d in ctx["devices"]}
    assert online == {"CAM-1": True, "FL-1": True, "RF-9": False, "SC-1": True}
    assert ctx["today_rate"] == {"disposals": 4, "judged": 4, "correct": 3, "rate": 75.0}
    rows = ctx["page"].rows
    # Today's only (not yesterday's), latest first: the alarm, the fill level, 4 disposals.
    assert [r["kind_value"] for r in rows] == ["ai_alarm", "fill_level"] + ["disposal"] * 4
    assert rows[0]["what"].endswith("92%") and rows[1]["what"] == "90%"
    assert rows[2]["household"] == "H-001"  # a leader may look households up
    case = AlarmCase.objects.get(point=world.p1).case
    html = response.content.decode()
    assert f'href="/cases/{case.ticket}/"' in html
    assert CollectionTask.objects.get(point=world.p1).status == TaskStatus.OPEN
    assert "Offline" in html or "离线" in html


def test_point_detail_hides_household_ids_from_roles_that_may_not_look_up(as_user, world):
    rows = as_user("street1_handler").get("/sorting/points/P-001/").context["page"].rows
    assert {r["household"] for r in rows} == {""}
    assert (
        "/sorting/households/"
        not in as_user("street1_handler").get("/sorting/points/P-001/").content.decode()
    )


def test_point_detail_pages_today_records(as_user, world, monkeypatch):
    monkeypatch.setattr(detail, "RECORDS_PER_PAGE", 4)
    client = as_user("district")
    first = client.get("/sorting/points/P-001/").context["page"]
    assert first.paginator.count == 6 and len(first.rows) == 4
    second = client.get("/sorting/points/P-001/?page=2", HTTP_HX_REQUEST="true")
    assert "<html" not in second.content.decode()
    assert [r["kind_value"] for r in second.context["page"].rows] == ["disposal", "disposal"]


def test_a_point_outside_the_users_units_looks_missing(as_user, world):
    assert as_user("street1_handler").get("/sorting/points/P-002/").status_code == 404
    assert as_user("street1_handler").get("/sorting/points/NOPE/").status_code == 404
    assert as_user("street2_handler").get("/sorting/points/P-002/").status_code == 200


# --- household lookup ---------------------------------------------------------------------


def test_an_inspector_finds_a_household_by_card_with_building_and_room_masked(as_user, world):
    response = as_user("community_inspector").get("/sorting/households/?q=C-0001")
    assert response.status_code == 200
    ctx = response.context
    assert ctx["household"] == world.h1
    assert (ctx["building"], ctx["room"]) == ("***", "***")
    html = response.content.decode()
    assert "3栋" not in html and "301" not in html.replace("2026-11", "")
    assert [d["is_correct"] for d in ctx["disposals"]] == [True, False, True, True, False]
    assert [c.card_id for c in ctx["cards"]] == ["C-0001"]
    (month,) = ctx["months"]
    assert (month["month"].isoformat(), month["disposals"], month["incorrect"]) == (
        "2026-11-01",
        5,
        2,
    )
    assert month["rate"] == 60.0 and month["kg"] == 8.0


def test_an_enforcement_officer_sees_building_and_room(as_user, world):
    for name in ("street1_enforcer", "district_admin"):
        response = as_user(name).get("/sorting/households/?q=H-001")
        assert response.status_code == 200
        assert (response.context["building"], response.context["room"]) == ("3栋", "301")
        assert "3栋" in response.content.decode()


def test_roles_without_need_get_403(as_user, world):
    for name in ("street1_handler", "community_handler", "district"):  # handlers, a dispatcher
        assert as_user(name).get("/sorting/households/?q=H-001").status_code == 403
    assert as_user("shop").get("/sorting/households/").status_code == 403


def test_a_household_of_another_street_is_not_found(as_user, world):
    response = as_user("street1_enforcer").get("/sorting/households/?q=C-0002")
    assert response.status_code == 404
    assert "household" not in response.context or response.context.get("household") is None
    assert "8栋" not in response.content.decode()
    assert as_user("district_admin").get("/sorting/households/?q=C-0002").status_code == 200


def test_a_bad_query_gets_a_field_error_in_both_languages(as_user, world):
    client = as_user("community_inspector")
    assert client.get("/sorting/households/").status_code == 200  # the empty form
    cases = {
        "H 001": HouseholdLookupForm.INVALID,
        "": HouseholdLookupForm.base_fields["q"].error_messages["required"],
        "x" * 65: HouseholdLookupForm.base_fields["q"].error_messages["max_length"],
    }
    for q, message in cases.items():
        response = client.get("/sorting/households/", {"q": q})
        assert response.status_code == 400
        (error,) = response.context["form"].errors["q"]
        # "中文 / English" (just the English until the Chinese catalogue has the message)
        assert error == bilingual(message) and error.endswith(str(both(message)["en"]))
        assert f'data-field="q">{escape(error)}<' in response.content.decode()


# --- cost ---------------------------------------------------------------------------------


def _sql(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_dashboard_never_reads_raw_records(as_user, world):
    client = as_user("district")
    for url in (
        "/sorting/",
        "/sorting/panels/figures/",
        "/sorting/data/points/",
        "/sorting/data/charts/",
    ):
        sql = _sql(client, url)
        assert not [q for q in sql if '"devices_record"' in q], url


def test_point_detail_costs_the_same_with_more_records(as_user, world):
    client = as_user("district")
    before = len(_sql(client, "/sorting/points/P-001/"))
    send(
        world.scale1,
        [
            {
                "id": f"more{i}",
                "kind": "disposal",
                "record": {
                    "time": f"2026-11-25T09:{i:02d}:00+08:00",
                    "card": "C-0001",
                    "bin_type": "kitchen",
                    "weight_kg": 1.0,
                    "is_correct": True,
                },
            }
            for i in range(20)
        ],
    )
    assert len(_sql(client, "/sorting/points/P-001/")) == before
