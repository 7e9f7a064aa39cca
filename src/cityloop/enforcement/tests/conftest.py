"""Fixtures of the enforcement tests: the tiny district with a street's enforcement team."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.conftest import PASSWORD, TinyDistrict
from cityloop.enforcement.choices import PartyKind
from cityloop.enforcement.models import Credential, Violation
from cityloop.enforcement.services import enforcement_act, register_clue
from cityloop.org.choices import Role
from cityloop.org.codes import make_credit_code, make_id_number
from cityloop.org.services import user_create

SH = ZoneInfo("Asia/Shanghai")
PERSON_ID = make_id_number("44030319850312001")
ORG_CODE = make_credit_code("91440300MA5F00001")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


class Team:
    """The tiny district, street 001's team: three officers with credentials (a, b, c), one
    without (d), a leader; the district's legal reviewer and leader; street 002's officer."""

    def __init__(self) -> None:
        self.tiny = TinyDistrict()
        street, district = self.tiny.streets["001"], self.tiny.district
        self.street, self.district = street, district
        mk = self._user
        self.a, self.b, self.c = (
            mk(f"officer-{n}", street, Role.ENFORCEMENT_OFFICER) for n in "abc"
        )
        self.d = mk("officer-d", street, Role.ENFORCEMENT_OFFICER)
        self.leader = mk("street-leader", street, Role.LEADER)
        self.reviewer = mk("legal-reviewer", district, Role.LEGAL_REVIEWER)
        self.chief = mk("bureau-leader", district, Role.LEADER)
        self.other = mk("officer-other", self.tiny.streets["002"], Role.ENFORCEMENT_OFFICER)
        for n, user in enumerate((self.a, self.b, self.c, self.other), start=1):
            Credential.objects.create(
                user=user,
                number=f"44030300{n:04d}",
                valid_from=date(2020, 1, 1),
                valid_until=date(2030, 12, 31),
            )

    @staticmethod
    def _user(username, unit, role):
        return user_create(username=username, password=PASSWORD, unit=unit, roles=[role])

    def clue(self, now=None, **kwargs):
        fields = {"source": "patrol", "title": "东门路乱摆卖", "place": "东门路 12 号"}
        fields.update(kwargs)
        return register_clue(actor=self.a, unit=self.street, now=now, **fields)

    def act(self, user, case, action, **kwargs):
        return enforcement_act(actor=user, case=case, action=action, **kwargs)

    def party(self, kind=PartyKind.PERSON):
        if kind == PartyKind.PERSON:
            return {
                "party_kind": kind,
                "party_name": "张三",
                "party_identity": PERSON_ID,
                "party_phone": "13800138000",
                "party_address": "深圳市罗湖区东门路 1 号",
            }
        return {
            "party_kind": kind,
            "party_name": "某某物业管理有限公司",
            "party_identity": ORG_CODE,
            "legal_representative": "李四",
            "party_phone": "0755-82000000",
        }

    def violation(self, code):
        return Violation.objects.get(code=code, current=True)


@pytest.fixture
def team(db) -> Team:
    return Team()
