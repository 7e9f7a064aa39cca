"""Fixtures of the working-time tests: a small unit tree and Shanghai moments."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.org.models import Unit
from cityloop.org.services import unit_create
from cityloop.worktime import facts

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware moment in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts from the database, whatever an earlier test left cached."""
    facts.invalidate()
    yield
    facts.invalidate()


@pytest.fixture
def district(db) -> Unit:
    return unit_create(kind="district", name="罗湖区", code="440303")


@pytest.fixture
def street(district) -> Unit:
    return unit_create(kind="street", name="东门街道", code="440303001", parent=district)


@pytest.fixture
def community(street) -> Unit:
    return unit_create(kind="community", name="城东社区", code="440303001001", parent=street)
