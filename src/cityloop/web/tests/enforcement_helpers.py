"""Helpers of the enforcement pages' tests: the street's team (``team``, from the enforcement
tests' conftest) and cases walked to a state through the one write path."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cityloop.enforcement.choices import Outcome, PartyKind
from cityloop.enforcement.services import register_clue

HX = {"HTTP_HX_REQUEST": "true"}


def other_streets_clue(team, **fields):
    """A clue of street 002, registered by its own officer."""
    fields = {"source": "patrol", "title": "南湖路占道经营", **fields}
    return register_clue(actor=team.other, unit=team.tiny.streets["002"], **fields)


def proposed(team, kind=PartyKind.PERSON, violation="GS-01", **clue):
    """A clue of street 001 proposed for filing by officer a with officer b."""
    case = team.clue(**clue)
    return team.act(
        team.a,
        case,
        "propose_filing",
        violation=team.violation(violation).pk,
        occurred_at=timezone.now() - timedelta(days=1),
        facts="未按规定分类投放生活垃圾",
        officers=[{"officer": team.b.pk}],
        **team.party(kind),
    )


def filed(team, **kw):
    return team.act(team.leader, proposed(team, **kw), "approve_filing")


def in_legal_review(team):
    """Filed against an organisation, investigated, concluded with a fine that needs legal
    review, and sent to it."""
    case = filed(team, kind=PartyKind.ORGANISATION, violation="GS-02")
    officers = [{"officer": team.b.pk}]
    case = team.act(
        team.a, case, "add_evidence", kind="document", description="书证", officers=officers
    )
    case = team.act(
        team.a,
        case,
        "conclude",
        outcome=Outcome.PENALTY,
        tier="general",
        fine=50000,
        officers=officers,
    )
    return team.act(team.a, case, "send_legal_review")
