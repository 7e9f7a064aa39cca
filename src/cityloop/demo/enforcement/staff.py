"""The enforcement teams of the demo district: each street's team of officers and its leader,
all holding an enforcement credential (执法证, 第四十二条), and the district's legal reviewer.

Street 001 keeps the demo's own logins (``street-enforcement-officer``, ``street-leader``) in
its team; the other officers are ``zf-<street>-<n>`` and the other leaders ``zf-<street>-leader``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password

from cityloop.demo.builder import DEMO_PASSWORD
from cityloop.demo.enforcement import mix
from cityloop.demo.history import texts
from cityloop.enforcement.models import Credential
from cityloop.org.choices import Role, UnitKind
from cityloop.org.models import RoleGrant, Unit, User

PREFIX = "zf-"  # the usernames the stage adds (and ``delete_enforcement`` removes)
VALID_FROM, VALID_UNTIL = date(2021, 1, 1), date(2029, 12, 31)


@dataclass
class Team:
    street: Unit
    leader: User
    officers: list[User] = field(default_factory=list)


@dataclass
class Staff:
    district: Unit
    reviewer: User
    teams: list[Team]

    def role_of(self, user: User) -> str:
        if user.pk == self.reviewer.pk:
            return Role.LEGAL_REVIEWER
        if any(user.pk == t.leader.pk for t in self.teams):
            return Role.LEADER
        return Role.ENFORCEMENT_OFFICER


def build_staff(seed: int) -> Staff:
    """The teams, created where missing: users with their role grants and credentials."""
    rng = random.Random(seed * 7919 + 42)
    district = Unit.objects.get(kind=UnitKind.DISTRICT, code="440303")
    streets = list(Unit.objects.filter(kind=UnitKind.STREET).order_by("code"))
    users = {u.username: u for u in User.objects.select_related("unit")}
    password = make_password(DEMO_PASSWORD)
    new: list[tuple[User, str]] = []

    def user(username: str, unit: Unit, role: str, name: str) -> User:
        if username in users:
            return users[username]
        found = User(username=username, password=password, unit=unit, display_name=name)
        users[username] = found
        new.append((found, role))
        return found

    teams = []
    for i, street in enumerate(streets):
        code = street.code[-3:]
        if code == "001" and "street-leader" in users:
            leader = users["street-leader"]
        else:
            leader = user(f"{PREFIX}{code}-leader", street, Role.LEADER, _name(rng, "队长"))
        team = Team(street, leader)
        if code == "001" and "street-enforcement-officer" in users:
            team.officers.append(users["street-enforcement-officer"])
        size = mix.TEAM_SIZES[i % len(mix.TEAM_SIZES)]
        for n in range(len(team.officers) + 1, size + 1):
            name = _name(rng, "")
            team.officers.append(
                user(f"{PREFIX}{code}-{n:02d}", street, Role.ENFORCEMENT_OFFICER, name)
            )
        teams.append(team)
    reviewer = users.get("district-legal-reviewer") or user(
        f"{PREFIX}legal-reviewer", district, Role.LEGAL_REVIEWER, _name(rng, "")
    )
    User.objects.bulk_create([u for u, _ in new])
    RoleGrant.objects.bulk_create([RoleGrant(user=u, role=r) for u, r in new])
    _credentials([u for t in teams for u in (*t.officers, t.leader)])
    return Staff(district, reviewer, teams)


def _name(rng: random.Random, title: str) -> str:
    return texts.person(rng)[0] + title


def _credentials(officers: list[User]) -> None:
    """A credential for every officer who has none, numbered 440303 + six digits."""
    have = set(Credential.objects.filter(user__in=officers).values_list("user_id", flat=True))
    taken = set(Credential.objects.values_list("number", flat=True))
    rows, n = [], 0
    for officer in officers:
        if officer.pk in have:
            continue
        n += 1
        while f"44030300{n:04d}" in taken:
            n += 1
        rows.append(
            Credential(
                user=officer,
                number=f"44030300{n:04d}",
                valid_from=VALID_FROM,
                valid_until=VALID_UNTIL,
            )
        )
    Credential.objects.bulk_create(rows)
