"""The 处置时限 vocabulary: every form in the bundled catalogue, bad forms, and the settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from cityloop.categories.choices import TimeLimitUnit
from cityloop.categories.time_limits import (
    ParsedTimeLimit,
    TimeLimitError,
    duration_minutes,
    time_limit_clock,
    time_limit_duration,
    time_limit_parse,
)
from cityloop.worktime.choices import ClockKind

WORKING_DAY = TimeLimitUnit.WORKING_DAY
WORKING_HOUR = TimeLimitUnit.WORKING_HOUR
URGENT_HOUR = TimeLimitUnit.URGENT_HOUR
URGENT_DAY = TimeLimitUnit.URGENT_DAY


@pytest.mark.parametrize(
    ("text", "amount", "unit", "action", "hours", "clock"),
    [
        ("1天", 1, WORKING_DAY, "", 8, ClockKind.WORKING),
        ("2天", 2, WORKING_DAY, "", 16, ClockKind.WORKING),
        ("3天", 3, WORKING_DAY, "", 24, ClockKind.WORKING),
        ("4天", 4, WORKING_DAY, "", 32, ClockKind.WORKING),
        ("5天", 5, WORKING_DAY, "", 40, ClockKind.WORKING),
        ("7天", 7, WORKING_DAY, "", 56, ClockKind.WORKING),
        ("10天", 10, WORKING_DAY, "", 80, ClockKind.WORKING),
        ("15天", 15, WORKING_DAY, "", 120, ClockKind.WORKING),
        ("2小时", 2, WORKING_HOUR, "", 2, ClockKind.WORKING),
        ("4小时", 4, WORKING_HOUR, "", 4, ClockKind.WORKING),
        ("1紧急工作时", 1, URGENT_HOUR, "", 1, ClockKind.CONTINUOUS),
        ("2紧急工作时", 2, URGENT_HOUR, "", 2, ClockKind.CONTINUOUS),
        ("4紧急工作时", 4, URGENT_HOUR, "", 4, ClockKind.CONTINUOUS),
        ("1紧急工作日", 1, URGENT_DAY, "", 24, ClockKind.CONTINUOUS),
        ("2紧急工作日", 2, URGENT_DAY, "", 48, ClockKind.CONTINUOUS),
        ("1紧急工作时制止", 1, URGENT_HOUR, "制止", 1, ClockKind.CONTINUOUS),
    ],
)
def test_every_form_of_the_catalogue_parses_and_resolves(text, amount, unit, action, hours, clock):
    # given a time limit as the catalogue writes it
    # when it is parsed and resolved under the default settings
    parsed = time_limit_parse(text)
    duration = time_limit_duration(amount=parsed.amount, unit=parsed.unit)
    # then amount, unit, action, duration and clock are exactly the vocabulary's
    assert parsed == ParsedTimeLimit(amount=amount, unit=unit, action=action)
    assert duration == timedelta(hours=hours)
    assert time_limit_clock(unit=parsed.unit) == clock


def test_surrounding_spaces_are_ignored():
    assert time_limit_parse(" 4小时 ") == ParsedTimeLimit(4, WORKING_HOUR, "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "两天",
        "2",
        "天",
        "0天",
        "1000天",
        "2.5小时",
        "-2天",
        "2 天",
        "2周",
        "2工作日",
        "２天",
        "2天内",
        "2天天",
        "2小时制止1",
        "2紧急工作",
        "制止2紧急工作时",
    ],
)
def test_a_form_outside_the_vocabulary_raises_naming_the_text(text):
    with pytest.raises(TimeLimitError) as caught:
        time_limit_parse(text)
    assert caught.value.text == text
    assert repr(text) in str(caught.value)


def test_the_error_reason_is_translated():
    with pytest.raises(TimeLimitError) as caught:
        time_limit_parse("2周")
    with translation.override("zh-hans"):
        assert str(caught.value.reason) == "应为整数后接 小时、天、紧急工作时 或 紧急工作日"
    with translation.override("en"):
        assert str(caught.value.reason) == (
            "expected a whole number followed by 小时, 天, 紧急工作时 or 紧急工作日"
        )


def test_urgent_hours_follow_the_clock_setting(settings):
    # given the bureau counts 紧急工作时 in working time
    settings.CITYLOOP_URGENT_HOUR_CLOCK = "working"
    # then an urgent hour is a working hour, and urgent days keep their own clock
    assert time_limit_clock(unit=URGENT_HOUR) == ClockKind.WORKING
    assert time_limit_clock(unit=URGENT_DAY) == ClockKind.CONTINUOUS


def test_urgent_days_follow_their_clock_and_length_settings(settings):
    settings.CITYLOOP_URGENT_DAY_CLOCK = "working"
    settings.CITYLOOP_URGENT_DAY_HOURS = 8
    assert time_limit_clock(unit=URGENT_DAY) == ClockKind.WORKING
    assert time_limit_duration(amount=2, unit=URGENT_DAY) == timedelta(hours=16)


def test_a_working_day_follows_the_working_day_hours_setting(settings):
    settings.CITYLOOP_WORKING_DAY_HOURS = 7.5
    duration = time_limit_duration(amount=2, unit=WORKING_DAY)
    assert duration == timedelta(hours=15)
    assert duration_minutes(duration) == 900


def test_working_hours_ignore_the_day_settings(settings):
    settings.CITYLOOP_WORKING_DAY_HOURS = 7.5
    settings.CITYLOOP_URGENT_DAY_HOURS = 12
    assert time_limit_duration(amount=4, unit=WORKING_HOUR) == timedelta(hours=4)
    assert time_limit_duration(amount=4, unit=URGENT_HOUR) == timedelta(hours=4)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CITYLOOP_URGENT_HOUR_CLOCK", "wall"),
        ("CITYLOOP_URGENT_DAY_CLOCK", ""),
        ("CITYLOOP_WORKING_DAY_HOURS", 0),
        ("CITYLOOP_WORKING_DAY_HOURS", "8"),
        ("CITYLOOP_URGENT_DAY_HOURS", 25),
        ("CITYLOOP_URGENT_DAY_HOURS", True),
    ],
)
def test_a_bad_setting_is_refused_by_name(settings, name, value):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        for unit in TimeLimitUnit.values:
            time_limit_clock(unit=unit)
            time_limit_duration(amount=1, unit=unit)
