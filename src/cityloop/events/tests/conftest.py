"""A tiny district with every role of the loop, and helpers to walk a case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.events.services.intake import case_report
from cityloop.events.services.transitions import case_act
from cityloop.org.choices import Role, UnitKind
from cityloop.org.services import unit_create, user_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "s3cret-pass-42"
# Inside grid 440303001001001 and the shop's frontage zone.
SHOP_POINT = (114.1005, 22.5595)
# Inside community 440303002002 (street 002), in no zone.
PLAIN_POINT = (114.1370, 22.5420)


def category(major: str, minor: str, kind: str = "event") -> MinorCategory:
    return MinorCategory.objects.get(major__kind=kind, major__code=major, code=minor)


def condition(major: str, minor: str, sequence: int = 1, kind: str = "event") -> FilingCondition:
    return category(major, minor, kind).filing_conditions.get(sequence=sequence)


class Loop:
    """The tiny district plus one user for every role the loop needs."""

    def __init__(self, tiny) -> None:
        self.tiny = tiny
        d = tiny.district
        self.water = unit_create(
            kind=UnitKind.DEPARTMENT, name="区水务局", function="water", parent=d
        )
        self.housing = unit_create(
            kind=UnitKind.DEPARTMENT, name="区住房和建设局", function="housing", parent=d
        )
        make = lambda name, unit, *roles: user_create(  # noqa: E731
            username=name, password=PASSWORD, unit=unit, roles=roles
        )
        self.acceptor = make("acceptor", d, Role.ACCEPTOR)
        self.shift_leader = make("shift-leader", d, Role.SHIFT_LEADER)
        self.dispatcher = tiny.users["district"]
        self.inspector = make("inspector", d, Role.INSPECTOR)
        self.leader = make("leader", d, Role.LEADER)
        self.community_handler = tiny.users["community"]
        self.street_handler = tiny.users["street"]
        self.street_dispatcher = make("street-001-dispatcher", tiny.streets["001"], Role.DISPATCHER)
        self.other_handler = tiny.users["other_street"]
        self.shop_handler = tiny.users["shop"]
        self.water_handler = make("water-handler", self.water, Role.HANDLER)
        self.housing_handler = make("housing-handler", self.housing, Role.HANDLER)

    def report(self, point=SHOP_POINT, cat=("01", "10"), source="inspector", **kw):
        kw.setdefault("reported_by", self.inspector if source == "inspector" else None)
        return case_report(
            source=source,
            description=kw.pop("description", "路边有暴露垃圾"),
            lon=point[0],
            lat=point[1],
            category=category(*cat),
            **kw,
        ).case

    def act(self, user, case, action, **params):
        case.refresh_from_db()
        return case_act(actor=user, case=case, action=action, version=case.version, **params)


@pytest.fixture
def loop(tiny) -> Loop:
    return Loop(tiny)


@pytest.fixture
def monday_morning():
    """Monday 2025-11-24 09:00 in Shanghai, a plain working day; time moves with the test."""
    with time_machine.travel(datetime(2025, 11, 24, 9, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t
