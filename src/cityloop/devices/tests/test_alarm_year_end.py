"""A camera alarm whose case's clock would run into a year without a working-time calendar
(chinese-calendar 1.11 ends with 2026): the alarm is stored and counted, no case is opened with
a guessed deadline, and the rest of the message lands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine

from cityloop.devices import ingest
from cityloop.devices.models import AlarmCase, PointDay, Record
from cityloop.events.models import Case

pytestmark = pytest.mark.django_db


def _alarm(at: str, alarm: str = "mixed_disposal") -> dict:
    return {"time": f"2026-12-31T{at}:00+08:00", "alarm": alarm, "confidence": 0.9}


def test_an_alarm_late_on_new_years_eve_is_kept_without_a_case(station):
    message = {"id": "nye", "kind": "ai_alarm", "records": [_alarm("22:57"), _alarm("22:58")]}
    # 23:00 in Shenzhen: the case's next working hour would be in 2027, which has no calendar
    with time_machine.travel(datetime(2026, 12, 31, 15, 0, tzinfo=UTC), tick=False):
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
