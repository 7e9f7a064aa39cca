"""The seeded catalogue and its versions: a case keeps the version it was decided under."""

from __future__ import annotations

from decimal import Decimal

from cityloop.enforcement.catalogue import load, save_as_next_version, seed
from cityloop.enforcement.models import NumberingScheme, ProcedureRules, Violation
from cityloop.enforcement.tests.conftest import local


def test_the_migration_seeded_every_row_of_the_catalogue_once(db):
    data = load()
    assert Violation.objects.count() == len(data["violations"])
    assert seed() == {"violations": 0, "numbering": 0, "rules": 0}  # idempotent
    person = Violation.objects.get(code="GS-01")
    assert (person.min_fine, person.max_fine) == (Decimal(50), Decimal(200))
    assert {t.tier for t in person.tiers.all()} == {"minor", "general", "serious"}
    assert person.verified is False  # the article came from third-party material only
    assert NumberingScheme.objects.filter(unit=None).count() == len(data["numbering"])
    assert ProcedureRules.objects.get().filing_working_days is None  # 第五十四条: 及时


def test_an_edit_of_a_used_violation_becomes_its_next_version(team):
    now = local(2024, 4, 1, 10, 0)
    case = team.act(
        team.a,
        team.clue(now=now),
        "propose_filing",
        now=now,
        violation=team.violation("GS-03").pk,
        occurred_at=now,
        facts="x",
        officers=[{"officer": team.b.pk}],
        **team.party("organisation"),
    )
    edited = Violation.objects.get(code="GS-03", current=True)
    edited.max_fine = Decimal(20000)
    new = save_as_next_version(edited)
    case.refresh_from_db()
    assert case.violation.version == 1 and case.violation.max_fine == Decimal(10000)
    assert not case.violation.current
    assert new.version == 2 and new.current and new.tiers.count() == 1
    assert Violation.objects.get(code="GS-03", current=True).pk == new.pk
