"""Two people with e-mail addresses and a case to be told about."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cityloop.events.services.intake import case_report
from cityloop.org.choices import Role
from cityloop.org.services import user_create

NOON = datetime(2025, 11, 24, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(tiny):
    handler, dispatcher = tiny.users["street"], tiny.users["district"]
    handler.email, dispatcher.email = "handler@example.org", "dispatcher@example.org"
    handler.save(update_fields=["email"])
    dispatcher.save(update_fields=["email"])
    retired = user_create(
        username="retired", password=None, unit=tiny.streets["001"], roles=[Role.HANDLER]
    )
    retired.is_active = False
    retired.email = "retired@example.org"
    retired.save(update_fields=["is_active", "email"])
    return {
        "handler": handler,
        "dispatcher": dispatcher,
        "retired": retired,
        "shop": tiny.users["shop"],
    }


@pytest.fixture
def case(tiny, noon):
    return case_report(source="inspector", description="路边有暴露垃圾", address="东门路1号").case
