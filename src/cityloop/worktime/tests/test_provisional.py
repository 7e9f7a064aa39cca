"""Years without the State Council's notice: the law's statutory days, provisionally, and the
administrators' reminder from 1 November (docs/decisions/0035-provisional-calendar-years.md)."""

from __future__ import annotations

from datetime import date, datetime

import chinese_calendar
import pytest
import time_machine

from cityloop.worktime.choices import DayKind
from cityloop.worktime.clock import SHANGHAI
from cityloop.worktime.selectors import calendar_warning, first_provisional_year
from cityloop.worktime.services import calendar_override_set, calendar_year_declare
from cityloop.worktime.statutory import statutory_days_off

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_rule_agrees_with_the_notices_of_2025_and_2026(year):
    # every day the law fixes (and its 补假) was a day off in the State Council's notice
    days = statutory_days_off(year)
    assert len(days) >= 13  # 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 (+ 补假)
    assert [d for d in days if chinese_calendar.is_workday(d)] == []


def test_2027_has_the_thirteen_statutory_days_and_their_make_up_days():
    days = statutory_days_off(2027)
    statutory = [d for d, name in days.items() if "补假" not in name["zh"]]
    made_up = [d for d, name in days.items() if "补假" in name["zh"]]
    assert len(statutory) == 13
    # 春节 falls partly on Sat 02-06 and Sun 02-07; 劳动节 on Sat/Sun 05-01/02; 国庆 on 10-02/03
    assert made_up == [
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2027, 5, 3),
        date(2027, 5, 4),
        date(2027, 10, 4),
        date(2027, 10, 5),
    ]


def test_a_span_names_its_first_provisional_year():
    start = datetime(2026, 12, 30, 10, tzinfo=SHANGHAI)
    assert first_provisional_year(start, datetime(2026, 12, 31, 18, tzinfo=SHANGHAI)) is None
    assert first_provisional_year(start, datetime(2027, 1, 7, 14, tzinfo=SHANGHAI)) == 2027


def test_the_reminder_runs_from_1_november_until_the_year_is_declared():
    assert calendar_warning(date(2026, 10, 31)) is None
    assert calendar_warning(date(2026, 11, 1)) == 2027
    assert calendar_warning(date(2026, 12, 31)) == 2027
    calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")
    calendar_year_declare(year=2027, source="国办发明电〔2026〕X号")
    assert calendar_warning(date(2026, 12, 31)) is None


def test_administrators_see_the_reminder_on_the_admin_pages(admin_client):
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        index = admin_client.get("/admin/").content.decode()
        years = admin_client.get("/admin/worktime/calendaryear/").content.decode()
    assert 'id="calendar-notice"' in index
    assert "2027 年的节假日安排尚未录入" in index
    assert "2027 年的节假日安排尚未录入" in years


def test_no_reminder_before_november(admin_client):
    with time_machine.travel(datetime(2026, 10, 20, 9, tzinfo=SHANGHAI), tick=False):
        index = admin_client.get("/admin/").content.decode()
    assert 'id="calendar-notice"' not in index
