"""bulk_append(): rows written as the ORM would write them (datetimes, JSON, NULLs)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.core.bulk import bulk_append
from cityloop.events.models import CaseEvent
from cityloop.events.services.intake import case_report

pytestmark = pytest.mark.django_db
AT = datetime(2025, 11, 24, 9, 30, 15, 250000, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_rows_read_back_as_the_orm_would_have_written_them(tiny):
    case = case_report(source="inspector", description="井盖缺失", address="东门路1号").case
    fields = ("case_id", "action", "from_state", "to_state", "actor_label", "at", "comment", "data")
    rows = [
        (
            case.pk,
            "clock_warning",
            "reported",
            "reported",
            "系统",
            AT,
            "",
            {"说明": "预警", "n": 1},
        ),
        (case.pk, "clock_overdue", "reported", "reported", "系统", AT, "备注", {"deadline": None}),
    ]

    assert bulk_append(model=CaseEvent, fields=fields, rows=rows) == 2

    stored = CaseEvent.objects.filter(case=case).exclude(action="report").order_by("action")
    assert [(e.action, e.actor_label, e.at, e.comment, e.data, e.actor_id) for e in stored] == [
        ("clock_overdue", "系统", AT, "备注", {"deadline": None}, None),
        ("clock_warning", "系统", AT, "", {"说明": "预警", "n": 1}, None),
    ]
    assert CaseEvent.objects.filter(at=AT).count() == 2  # comparable like an ORM-written value


def test_nothing_to_append_writes_nothing(tiny):
    assert bulk_append(model=CaseEvent, fields=("case_id",), rows=[]) == 0
