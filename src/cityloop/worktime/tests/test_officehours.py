"""Office hours: per unit, inherited down the tree, and validated period by period."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from cityloop.worktime.clock import add_working_time, working_time_between
from cityloop.worktime.models import CalendarVersion, OfficeHours, OfficePeriod
from cityloop.worktime.officehours import DEFAULT_PERIODS, Period, period_errors
from cityloop.worktime.selectors import office_periods
from cityloop.worktime.services import office_hours_delete, office_hours_set
from cityloop.worktime.tests.conftest import at

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
# A street on summer hours: 09:00–12:00 and 13:30–17:30 (7 h a day).
STREET_HOURS = [Period(time(9), time(12)), Period(time(13, 30), time(17, 30))]


def test_without_any_office_hours_the_built_in_default_applies(community):
    assert office_periods(None) == DEFAULT_PERIODS
    assert office_periods(community) == DEFAULT_PERIODS


def test_a_unit_uses_its_own_office_hours(street):
    office_hours_set(unit=street, periods=STREET_HOURS, note="夏令时")
    # Tuesday 2025-03-04 12:00 + 2 h: the street works from 13:30, so 15:30
    assert add_working_time(at(2025, 3, 4, 12), 2 * HOUR, street) == at(2025, 3, 4, 15, 30)
    # the same limit on the default hours runs from 14:00
    assert add_working_time(at(2025, 3, 4, 12), 2 * HOUR) == at(2025, 3, 4, 16)


def test_a_unit_without_its_own_inherits_its_nearest_ancestors(district, street, community):
    # given different hours on the district and on the street
    office_hours_set(unit=district, periods=[Period(time(8), time(17))])
    office_hours_set(unit=street, periods=STREET_HOURS)
    # then the community takes the street's, its nearest ancestor
    assert office_periods(community) == tuple(STREET_HOURS)
    assert add_working_time(at(2025, 3, 4, 12), 2 * HOUR, community) == at(2025, 3, 4, 15, 30)


def test_removing_a_units_hours_falls_back_to_the_next_ancestor(district, street, community):
    office_hours_set(unit=district, periods=[Period(time(8), time(17))])
    office_hours_set(unit=street, periods=STREET_HOURS)
    office_hours_delete(unit=street)
    assert office_periods(community) == (Period(time(8), time(17)),)


def test_the_default_row_changes_every_unit_without_its_own(street, community):
    # given the bureau's default moved to 08:00–12:00 and 13:00–17:00, and the street's own
    office_hours_set(unit=None, periods=[Period(time(8), time(12)), Period(time(13), time(17))])
    office_hours_set(unit=street, periods=STREET_HOURS)
    # then calls without a unit use the new default, and the community still the street's
    assert add_working_time(at(2025, 3, 4, 12), 2 * HOUR) == at(2025, 3, 4, 15)
    assert office_periods(community) == tuple(STREET_HOURS)


def test_setting_hours_again_replaces_the_periods(street):
    office_hours_set(unit=street, periods=STREET_HOURS)
    office_hours_set(unit=street, periods=[Period(time(9), time(17))])
    assert OfficeHours.objects.count() == 1
    assert list(OfficePeriod.objects.values_list("start", "end")) == [(time(9), time(17))]


def test_a_units_hours_count_in_both_directions(street):
    office_hours_set(unit=street, periods=STREET_HOURS)
    # 2025-03-04 10:00–12:00 (2 h) and 13:30–17:30 (4 h)
    assert working_time_between(at(2025, 3, 4, 10), at(2025, 3, 4, 20), street) == 6 * HOUR


def test_a_period_ending_before_it_starts_is_refused_on_its_end(street):
    with pytest.raises(ValidationError) as refused:
        office_hours_set(unit=street, periods=[Period(time(12), time(8, 30))])
    assert refused.value.message_dict == {"periods[0].end": ["时段的结束时间必须晚于开始时间。"]}
    assert OfficeHours.objects.count() == 0


def test_overlapping_periods_are_refused_on_the_later_start(street):
    periods = [Period(time(8, 30), time(12)), Period(time(11), time(18))]
    with pytest.raises(ValidationError) as refused:
        office_hours_set(unit=street, periods=periods)
    assert refused.value.message_dict == {"periods[1].start": ["该时段与时段 08:30–12:00 重叠。"]}
    assert OfficeHours.objects.count() == 0


def test_no_periods_at_all_is_refused(street):
    with pytest.raises(ValidationError) as refused:
        office_hours_set(unit=street, periods=[])
    assert refused.value.message_dict == {"periods": ["请至少填写一个办公时段。"]}


def test_periods_may_touch():
    periods = [Period(time(8, 30), time(12)), Period(time(12), time(14))]
    assert period_errors(periods) == {}


def test_an_overlap_with_a_period_further_back_is_found():
    # 08:00–18:00 covers both later periods, which do not overlap each other
    periods = [Period(time(8), time(18)), Period(time(9), time(10)), Period(time(11), time(12))]
    assert sorted(period_errors(periods)) == [1, 2]


def test_every_write_replaces_the_calendar_token(street):
    office_hours_set(unit=street, periods=STREET_HOURS)
    first = CalendarVersion.objects.get(pk=1).token
    office_hours_delete(unit=street)
    assert CalendarVersion.objects.get(pk=1).token != first
