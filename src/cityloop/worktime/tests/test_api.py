"""The working-time API: deadlines, years with data and a year's calendar."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine

from cityloop.org.services import user_create
from cityloop.worktime.choices import DayKind
from cityloop.worktime.clock import SHANGHAI
from cityloop.worktime.officehours import Period
from cityloop.worktime.services import (
    calendar_override_set,
    calendar_year_declare,
    office_hours_set,
)

pytestmark = pytest.mark.django_db

DEADLINE = "/api/worktime/deadline"


@pytest.fixture
def api(client, district):
    user = user_create(username="dispatcher", password=None, unit=district, roles=["dispatcher"])
    client.force_login(user)
    return client


def test_deadline_over_national_day_2025(api):
    # 09-30 15:00 + 16 working hours: see test_clock (3 h, 7.5 h on 10-09, 5.5 h on 10-10)
    response = api.get(DEADLINE, {"start": "2025-09-30T15:00:00+08:00", "duration_minutes": 960})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-09-30T15:00:00+08:00",
        "duration_minutes": 960,
        "clock": "working",
        "unit": None,
        "deadline": "2025-10-10T16:00:00+08:00",
        "provisional": False,
    }


def test_deadline_start_given_in_utc_answers_in_shanghai_time(api):
    response = api.get(DEADLINE, {"start": "2025-03-04T01:00:00Z", "duration_minutes": 60})
    assert response.json()["deadline"] == "2025-03-04T10:00:00+08:00"


def test_deadline_on_the_continuous_clock(api):
    params = {"start": "2025-09-30T15:00:00+08:00", "duration_minutes": 960, "clock": "continuous"}
    response = api.get(DEADLINE, params)
    assert response.json()["deadline"] == "2025-10-01T07:00:00+08:00"


def test_deadline_with_a_units_office_hours(api, street):
    office_hours_set(
        unit=street, periods=[Period(time(9), time(12)), Period(time(13, 30), time(17, 30))]
    )
    params = {"start": "2025-03-04T12:00:00+08:00", "duration_minutes": 120, "unit": street.pk}
    response = api.get(DEADLINE, params)
    assert response.json()["deadline"] == "2025-03-04T15:30:00+08:00"
    assert response.json()["unit"] == street.pk


def test_deadline_refuses_a_naive_start(api):
    response = api.get(DEADLINE, {"start": "2025-09-30T15:00:00", "duration_minutes": 60})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "field": "start",
                "code": "naive",
                "zh": "start 必须是带时区的日期时间（例如 2025-09-30T15:00:00+08:00）。",
                "en": "start must be a timezone-aware date and time "
                "(e.g. 2025-09-30T15:00:00+08:00).",
            }
        ]
    }


def test_deadline_refuses_a_negative_duration(api):
    response = api.get(DEADLINE, {"start": "2025-09-30T15:00:00+08:00", "duration_minutes": -5})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "duration_minutes",
            "code": "negative",
            "zh": "duration_minutes 不能为负数。",
            "en": "duration_minutes must not be negative.",
        }
    ]


def test_deadline_refuses_an_unknown_unit(api):
    params = {"start": "2025-09-30T15:00:00+08:00", "duration_minutes": 60, "unit": 999_999}
    response = api.get(DEADLINE, params)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "unit",
            "code": "not_found",
            "zh": "没有此编号的单位。",
            "en": "No unit has this id.",
        }
    ]


def test_deadline_refuses_a_start_in_a_year_without_data(api):
    response = api.get(DEADLINE, {"start": "2003-03-03T09:00:00+08:00", "duration_minutes": 60})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["code"]) == ("start", "calendar_unavailable")
    assert error["zh"].startswith("没有 2003 年的节假日安排")
    assert error["en"].startswith("No holiday calendar for 2003:")


def test_deadline_running_into_2027_is_counted_provisionally(api):
    params = {"start": "2026-12-31T17:00:00+08:00", "duration_minutes": 120}
    response = api.get(DEADLINE, params)
    assert response.status_code == 200
    body = response.json()
    # 1 h on 12-31; 元旦 01-01 (statutory); weekend; 01-04 08:30 + 1 h
    assert (body["deadline"], body["provisional"]) == ("2027-01-04T09:30:00+08:00", True)


def test_deadline_malformed_start_is_a_field_named_422(api):
    response = api.get(DEADLINE, {"start": "yesterday", "duration_minutes": 60})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["field"], error["code"]) == ("start", "datetime_from_date_parsing")


def test_deadline_needs_a_session(client, db):
    response = client.get(DEADLINE, {"start": "2025-09-30T15:00:00+08:00", "duration_minutes": 1})
    assert response.status_code == 401


def test_years_with_data(api):
    with time_machine.travel(datetime(2026, 10, 31, 12, tzinfo=SHANGHAI), tick=False):
        response = api.get("/api/worktime/years")
    assert response.json() == {
        "years": list(range(2004, 2027)),
        "provisional": [2027],  # up to next year: the package has 2004–2026
        "enter_next_year": None,  # not before 1 November
    }


def test_years_ask_for_next_years_arrangement_from_1_november(api):
    with time_machine.travel(datetime(2026, 11, 1, 8, tzinfo=SHANGHAI), tick=False):
        assert api.get("/api/worktime/years").json()["enter_next_year"] == 2027
        calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")
        calendar_year_declare(year=2027, source="国办发明电〔2026〕X号")
        body = api.get("/api/worktime/years").json()
    assert (body["enter_next_year"], body["provisional"]) == (None, [])


def test_calendar_of_2025(api):
    response = api.get("/api/worktime/calendar/2025")
    body = response.json()
    assert response.status_code == 200
    assert (body["year"], body["has_data"], body["source"]) == (2025, True, "package")
    # weekdays off: 元旦, 春节, 清明, 劳动节, 端午, 国庆节/中秋节
    assert [d["date"] for d in body["days_off"]] == [
        "2025-01-01",
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-03",
        "2025-02-04",
        "2025-04-04",
        "2025-05-01",
        "2025-05-02",
        "2025-05-05",
        "2025-06-02",
        "2025-10-01",
        "2025-10-02",
        "2025-10-03",
        "2025-10-06",
        "2025-10-07",
        "2025-10-08",
    ]
    # weekends worked (调休)
    assert body["adjusted_working_days"] == [
        {"date": d, "kind": "working_day", "name_zh": zh, "name_en": en, "is_override": False}
        for d, zh, en in [
            ("2025-01-26", "春节", "Spring Festival"),
            ("2025-02-08", "春节", "Spring Festival"),
            ("2025-04-27", "劳动节", "Labour Day"),
            ("2025-09-28", "国庆节", "National Day"),
            ("2025-10-11", "国庆节", "National Day"),
        ]
    ]
    assert body["overrides"] == []


def test_calendar_shows_an_override_inside_a_package_year(api):
    calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="区政府通知放假")
    body = api.get("/api/worktime/calendar/2025").json()
    override = {
        "date": "2025-03-05",
        "kind": "day_off",
        "name_zh": "区政府通知放假",
        "name_en": "区政府通知放假",
        "is_override": True,
    }
    assert override in body["days_off"]
    assert body["overrides"] == [override]


def test_calendar_of_a_provisional_year(api):
    body = api.get("/api/worktime/calendar/2027").json()
    assert (body["has_data"], body["source"]) == (False, "provisional")
    # the law's days off on weekdays, 补假 for those on a weekend; no 调休 working weekends
    assert [(d["date"], d["name_zh"]) for d in body["days_off"]] == [
        ("2027-01-01", "元旦"),
        ("2027-02-05", "农历除夕"),
        ("2027-02-08", "春节"),
        ("2027-02-09", "春节（补假）"),
        ("2027-02-10", "春节（补假）"),
        ("2027-04-05", "清明节"),
        ("2027-05-03", "劳动节（补假）"),
        ("2027-05-04", "劳动节（补假）"),
        ("2027-06-09", "端午节"),
        ("2027-09-15", "中秋节"),
        ("2027-10-01", "国庆节"),
        ("2027-10-04", "国庆节（补假）"),
        ("2027-10-05", "国庆节（补假）"),
    ]
    assert body["adjusted_working_days"] == []


def test_calendar_of_a_year_without_data(api):
    body = api.get("/api/worktime/calendar/2003").json()
    assert (body["has_data"], body["source"], body["days_off"]) == (False, None, [])


def test_calendar_of_a_declared_year(api):
    calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")
    calendar_year_declare(year=2027, source="国办发明电〔2026〕X号")
    body = api.get("/api/worktime/calendar/2027").json()
    assert (body["has_data"], body["source"], body["declared_source"]) == (
        True,
        "declared",
        "国办发明电〔2026〕X号",
    )
    assert [d["date"] for d in body["days_off"]] == ["2027-01-01"]
    assert api.get("/api/worktime/years").json()["years"][-1] == 2027


def test_calendar_refuses_a_year_out_of_range(api):
    response = api.get("/api/worktime/calendar/1999")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "field": "year",
            "code": "out_of_range",
            "zh": "年份必须在 2000 到 2100 之间。",
            "en": "The year must be between 2000 and 2100.",
        }
    ]
