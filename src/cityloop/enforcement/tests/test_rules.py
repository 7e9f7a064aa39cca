"""The statutory rules at their boundaries (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal

from cityloop.enforcement import rules
from cityloop.enforcement.choices import PartyKind
from cityloop.enforcement.tests.conftest import local


def test_on_the_spot_limits_are_200_for_a_person_and_3000_for_an_organisation():
    assert rules.may_decide_on_the_spot(PartyKind.PERSON, Decimal(200))
    assert not rules.may_decide_on_the_spot(PartyKind.PERSON, Decimal("200.01"))
    assert rules.may_decide_on_the_spot(PartyKind.ORGANISATION, Decimal(3000))
    assert not rules.may_decide_on_the_spot(PartyKind.ORGANISATION, Decimal(3001))


def test_cash_only_to_100_yuan_or_when_hard_to_enforce():
    assert rules.may_collect_cash(Decimal(100), hard_to_enforce=False)
    assert not rules.may_collect_cash(Decimal(101), hard_to_enforce=False)
    assert rules.may_collect_cash(Decimal(200), hard_to_enforce=True)


def test_the_surcharge_is_3_percent_a_day_and_never_more_than_the_fine():
    deadline = local(2024, 3, 20)  # the payment clock ends with 19 March
    fine = Decimal(200)
    assert rules.surcharge(fine, deadline, local(2024, 3, 19).date()) == 0
    assert rules.surcharge(fine, deadline, local(2024, 3, 20).date()) == Decimal(6)
    assert rules.surcharge(fine, deadline, local(2024, 4, 21).date()) == Decimal(198)  # 33 days
    assert rules.surcharge(fine, deadline, local(2024, 4, 22).date()) == Decimal(200)  # 34: cap
    assert rules.surcharge(fine, deadline, local(2025, 1, 1).date()) == Decimal(200)
    assert rules.amount_due(fine, deadline, local(2025, 1, 1).date()) == Decimal(400)


def test_the_limitation_is_two_years_to_the_day_and_29_february_runs_to_28_february():
    assert rules.within_limitation(local(2022, 5, 6, 10), local(2024, 5, 6, 23), 2)
    assert not rules.within_limitation(local(2022, 5, 6, 10), local(2024, 5, 7, 0, 1), 2)
    assert rules.limitation_ends(local(2024, 2, 29), 2) == local(2026, 2, 28).date()
    assert rules.within_limitation(local(2020, 5, 6), local(2025, 5, 6), 5)


def test_hearing_review_and_discussion_thresholds():
    t = rules.Thresholds(
        hearing_fine_person=Decimal(5000),
        hearing_fine_organisation=Decimal(50000),
        legal_review_fine=Decimal(50000),
        collective_fine=Decimal(100000),
    )
    assert rules.hearing_right(PartyKind.PERSON, Decimal(5000), t)
    assert not rules.hearing_right(PartyKind.ORGANISATION, Decimal(49999), t)
    assert rules.legal_review_required(difficult=True, hearing=False, fine=Decimal(0), thresholds=t)
    assert rules.legal_review_required(difficult=False, hearing=True, fine=Decimal(0), thresholds=t)
    assert not rules.legal_review_required(
        difficult=False, hearing=False, fine=Decimal(49999), thresholds=t
    )
    assert rules.needs_collective_discussion("serious", Decimal(1), t)
    assert rules.needs_collective_discussion("general", Decimal(100000), t)
    assert not rules.needs_collective_discussion("general", Decimal(99999), t)
