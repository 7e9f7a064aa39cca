"""Camera alarms at the year's end. Late on 31 December 2026, before 2027's holiday arrangement
is entered, the case opens with a deadline counted on 2027's statutory holidays, marked
provisional (docs/decisions/0035). Only when the clock would run into a year with no calendar
at all is the alarm stored and counted without a case, and the rest of the message lands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from cityloop.devices import ingest
from cityloop.devices.models import Record
from cityloop.events.models import Case
from cityloop.sorting.models import AlarmCase, PointDay

pytestmark = pytest.mark.django_db


def _alarm(at: str, alarm: str = "mixed_disposal", day: str = "2026-12-31") -> dict:
    return {"time": f"{day}T{at}:00+08:00", "alarm": alarm, "confidence": 0.9}


def test_an_alarm_late_on_new_years_eve_opens_a_provisional_case(station):
    message = {"id": "nye", "kind": "ai_alarm", "records": [_alarm("22:57"), _alarm("22:58")]}
    # 23:00 in Shenzhen: the case's 30 minutes to accept start in 2027's first working hour
    with time_machine.travel(datetime(2026, 12, 31, 15, 0, tzinfo=UTC), tick=False):
        outcome = ingest.ingest(
            messages=ingest.parse_array(json.dumps([message])), sender=station.camera
        )

    assert (outcome.accepted, outcome.quarantined, outcome.records) == (1, 0, 2)
    assert PointDay.objects.get(point=station.point).alarms == 2
    case = Case.objects.get()
    assert AlarmCase.objects.get().alarms == 2  # the repeat joined the case
    # 元旦 (Friday) and the weekend are off by law: Monday 01-04 08:30 + 30 minutes
    assert case.deadline == datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    assert case.provisional_year == 2027


def test_an_alarm_whose_clock_would_run_into_a_year_without_any_calendar_is_kept(station):
    message = {
        "id": "2100",
        "kind": "ai_alarm",
        "records": [_alarm("22:57", day="2100-12-31"), _alarm("22:58", day="2100-12-31")],
    }
    # 23:00 on 2100-12-31: the next working hour would be in 2101, which no rule covers
    with time_machine.travel(datetime(2100, 12, 31, 15, 0, tzinfo=UTC), tick=False):
        outcome = ingest.ingest(
            messages=ingest.parse_array(json.dumps([message])), sender=station.camera
        )

    assert (outcome.accepted, outcome.quarantined, outcome.records) == (1, 0, 2)
    assert Record.objects.filter(kind="ai_alarm").count() == 2
    assert PointDay.objects.get(point=station.point).alarms == 2
    assert not AlarmCase.objects.exists() and not Case.objects.exists()


def test_the_same_alarm_in_office_hours_opens_its_case(station):
    message = {"id": "day", "kind": "ai_alarm", "record": _alarm("10:00")}
    with time_machine.travel(datetime(2026, 12, 31, 2, 5, tzinfo=UTC), tick=False):
        ingest.ingest(messages=ingest.parse_array(json.dumps([message])), sender=station.camera)

    assert AlarmCase.objects.count() == 1 and Case.objects.count() == 1
