"""Working days: the package, the administrator's overrides, and years without a calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from cityloop.core.i18n import both
from cityloop.org.services import user_create
from cityloop.worktime.choices import DayKind
from cityloop.worktime.clock import add_working_time, working_time_between
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.models import CalendarOverride, CalendarVersion, CalendarYear
from cityloop.worktime.selectors import (
    is_workday,
    year_has_data,
    year_is_provisional,
    years_with_data,
)
from cityloop.worktime.services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_declare,
    calendar_year_withdraw,
)
from cityloop.worktime.tests.conftest import at

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号"


def enter_2027_new_year() -> None:
    """The administrator enters 元旦 2027 (Friday 01-01) as a day off."""
    calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")


def test_package_days_of_national_day_2025():
    assert is_workday(date(2025, 9, 28)) is True  # Sunday, 调休 working day
    assert is_workday(date(2025, 10, 1)) is False
    assert is_workday(date(2025, 10, 8)) is False  # Wednesday, still the holiday
    assert is_workday(date(2025, 10, 9)) is True
    assert is_workday(date(2025, 10, 11)) is True  # Saturday, 调休 working day
    assert is_workday(date(2025, 10, 12)) is False  # an ordinary Sunday


def test_is_workday_takes_an_aware_datetime_by_its_shanghai_date():
    # 2025-09-30 17:00 UTC is 10-01 01:00 in Shanghai: National Day
    assert is_workday(datetime(2025, 9, 30, 17, tzinfo=UTC)) is False


def test_an_override_turns_a_working_day_off():
    # given Wednesday 2025-03-05, an ordinary working day
    assert is_workday(date(2025, 3, 5)) is True
    # when the bureau grants it off
    calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="区政府通知放假")
    # then it is a day off, and a limit started the evening before skips it
    assert is_workday(date(2025, 3, 5)) is False
    # 03-04 17:00–18:00 (1 h), 03-05 off, 03-06 08:30 + 1 h
    assert add_working_time(at(2025, 3, 4, 17), 2 * HOUR) == at(2025, 3, 6, 9, 30)


def test_an_override_turns_a_saturday_into_a_working_day():
    calendar_override_set(day=date(2025, 3, 8), kind=DayKind.WORKING_DAY, note="防汛值班")
    # Friday 03-07 17:00–18:00 (1 h), Saturday 08:30 + 1 h
    assert add_working_time(at(2025, 3, 7, 17), 2 * HOUR) == at(2025, 3, 8, 9, 30)


def test_withdrawing_an_override_restores_the_package():
    calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="区政府通知放假")
    calendar_override_delete(day=date(2025, 3, 5))
    assert is_workday(date(2025, 3, 5)) is True
    assert CalendarOverride.objects.count() == 0


def test_setting_an_override_twice_updates_it_and_records_who():
    admin = user_create(username="admin", password=None, unit=None, is_superuser=True)
    calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="放假")
    calendar_override_set(
        day=date(2025, 3, 5), kind=DayKind.WORKING_DAY, note="取消放假", actor=admin
    )
    override = CalendarOverride.objects.get()
    assert (override.kind, override.note, override.updated_by) == (
        DayKind.WORKING_DAY,
        "取消放假",
        admin,
    )


def test_an_override_needs_a_note():
    with pytest.raises(ValidationError) as refused:
        calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="")
    assert list(refused.value.message_dict) == ["note"]
    assert CalendarOverride.objects.count() == 0


def test_a_year_no_rule_covers_is_refused_naming_the_year():
    # 2003: before the package's years and before the 2024 statutory rule
    with pytest.raises(CalendarUnavailable) as refused:
        add_working_time(at(2003, 3, 3, 9), HOUR)
    assert refused.value.year == 2003
    assert both(refused.value.message) == {
        "zh": "没有 2003 年的节假日安排：chinese-calendar 软件包不含该年，"
        "法定节假日规则也不适用于该年，且没有管理员录入该年的节假日并声明该年完整。",
        "en": "No holiday calendar for 2003: the chinese-calendar package does not cover it, the "
        "statutory holidays are not computed for it, and no administrator has entered its "
        "holidays and declared the year complete.",
    }


def test_a_limit_running_into_2027_counts_on_the_statutory_days():
    # Thursday 2026-12-31 17:00 + 2 h: 1 h on 12-31; Fri 01-01 元旦 (the law's); weekend;
    # Mon 01-04 08:30 + 1 h
    assert add_working_time(at(2026, 12, 31, 17), 2 * HOUR) == at(2027, 1, 4, 9, 30)
    assert year_is_provisional(2027) is True


def test_a_limit_ending_at_the_last_office_moment_of_2026_needs_no_2027():
    assert add_working_time(at(2026, 12, 31, 17), HOUR) == at(2026, 12, 31, 18)
    assert working_time_between(at(2026, 12, 31, 17), at(2027, 1, 1)) == HOUR


def test_overrides_count_in_a_provisional_year_before_it_is_declared():
    # given the notice's first 调休 entered (a made-up one: Monday 01-04 off), not yet declared
    calendar_override_set(day=date(2027, 1, 4), kind=DayKind.DAY_OFF, note="调休")
    # then the override counts, and the year is still provisional
    assert is_workday(date(2027, 1, 4)) is False
    assert year_is_provisional(2027) is True


def test_2027_works_once_entered_and_declared_complete():
    # given 元旦 2027 entered and the year declared complete
    enter_2027_new_year()
    calendar_year_declare(year=2027, source=SOURCE_2027)
    # when a limit runs from Thursday 2026-12-31 17:00 over 2 working hours
    deadline = add_working_time(at(2026, 12, 31, 17), 2 * HOUR)
    # then 1 h on 12-31; Fri 01-01 off (override); 01-02/03 weekend; Mon 01-04 08:30 + 1 h
    assert deadline == at(2027, 1, 4, 9, 30)
    assert is_workday(date(2027, 1, 5)) is True  # not overridden: Monday to Friday work
    # and a statutory day nobody entered is a working day: the declaration is the whole truth
    assert is_workday(date(2027, 10, 1)) is True
    assert year_is_provisional(2027) is False


def test_withdrawing_the_declaration_makes_2027_provisional_again():
    enter_2027_new_year()
    calendar_year_declare(year=2027, source=SOURCE_2027)
    calendar_year_withdraw(year=2027)
    assert year_is_provisional(2027) is True
    assert is_workday(date(2027, 10, 1)) is False  # 国庆节, the law's


def test_declaring_a_year_with_nothing_entered_is_refused():
    with pytest.raises(ValidationError) as refused:
        calendar_year_declare(year=2027, source=SOURCE_2027)
    assert refused.value.message_dict == {
        "year": ["尚未录入 2027 年的任何节假日调整，请先录入再声明该年完整。"]
    }
    assert CalendarYear.objects.count() == 0


def test_declaring_a_year_needs_its_source():
    enter_2027_new_year()
    with pytest.raises(ValidationError) as refused:
        calendar_year_declare(year=2027, source="")
    assert list(refused.value.message_dict) == ["source"]


def test_which_years_have_data():
    # given the package's 2004–2026 only
    assert years_with_data() == list(range(2004, 2027))
    assert year_has_data(2027) is False
    # when 2027 is entered and declared
    enter_2027_new_year()
    calendar_year_declare(year=2027, source=SOURCE_2027)
    # then it has data too
    assert years_with_data() == list(range(2004, 2028))
    assert year_has_data(2027) is True


def test_an_edit_by_another_process_counts_from_its_commit():
    # given this process has cached Wednesday 2025-03-05 as a working day
    assert is_workday(date(2025, 3, 5)) is True
    # when another process writes an override: the row and a new calendar token
    CalendarOverride.objects.create(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="放假")
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": "from-another-process"})
    # then this process sees it at its next computation
    assert is_workday(date(2025, 3, 5)) is False


def test_the_cache_is_what_answers_while_the_token_is_unchanged():
    # given a cached answer
    assert is_workday(date(2025, 3, 5)) is True
    # when a row appears behind the services' back (no new token)
    CalendarOverride.objects.create(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="放假")
    # then the cached answer stands: every write must go through the services
    assert is_workday(date(2025, 3, 5)) is True
