"""The demo's enforcement year on a small run (200 cases over a year, a month of closed-loop
cases to refer from): every history a path through the transition table with its chain
intact, the seed's mix, the statutory clocks as clocks.py counts them, fines within the
catalogue and 第五十一条, 首违 from the party's history, the referrals in both histories, and
the same stories told through the services giving the same case files."""

from __future__ import annotations

import io
import itertools
import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from cityloop.core.progress import Progress
from cityloop.core.workflow.clocks import Period, PeriodUnit, deadline, state_at
from cityloop.core.workflow.table import SAME
from cityloop.demo.builder import build_demo, delete_demo
from cityloop.demo.enforcement import delete_enforcement, generate_enforcement, mix
from cityloop.demo.enforcement.generate import Year, replay
from cityloop.demo.history import delete_history, generate_history
from cityloop.enforcement import rules
from cityloop.enforcement.choices import CASE_STATES, ClockState, PartyKind, Procedure
from cityloop.enforcement.clocks import PERIODS
from cityloop.enforcement.history import REGISTER, TURN_ACTION
from cityloop.enforcement.models import (
    CaseClock,
    Credential,
    EnforcementCase,
    EnforcementEvent,
    Party,
)
from cityloop.enforcement.verification import verify_cases
from cityloop.enforcement.workflow import CLOCK_STATES, TRANSITIONS
from cityloop.events.models import CaseEvent
from cityloop.org.models import RoleGrant
from cityloop.worktime.clock import SHANGHAI

pytestmark = pytest.mark.django_db

SEED, UNTIL, CASES = 5, date(2026, 6, 15), 200
NOW = datetime(2026, 6, 15, tzinfo=SHANGHAI)
TURNS = set(TURN_ACTION.values())
WITH_OFFICERS = {
    "propose_filing",
    "on_the_spot",
    "add_evidence",
    "preserve",
    "conclude",
    "notify",
    "serve",
}


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    """The district, a month of closed-loop cases and a year of 200 enforcement cases (four
    through the services, with documents), built once for the module, removed after."""
    with django_db_blocker.unblock():
        build_demo()
        generate_history(
            seed=SEED, until=UNTIL, days=30, cases=1500, progress=Progress(io.StringIO())
        )
        summary = generate_enforcement(
            seed=SEED,
            until=UNTIL,
            days=365,
            cases=CASES,
            sample=4,
            progress=Progress(io.StringIO()),
        )
        yield summary
        delete_enforcement()
        delete_history()
        delete_demo()


def _histories() -> dict[int, list[EnforcementEvent]]:
    found = defaultdict(list)
    for row in EnforcementEvent.objects.order_by("case_id", "at", "id"):
        found[row.case_id].append(row)
    return found


def test_every_history_is_a_path_through_the_transition_table(year):
    cases = {c.pk: c for c in EnforcementCase.objects.all()}
    roles = defaultdict(set)
    for user_id, role in RoleGrant.objects.values_list("user_id", "role"):
        roles[user_id].add(role)
    histories = _histories()
    assert set(histories) == set(cases)
    for case_id, rows in histories.items():
        first = rows[0]
        assert (first.action, first.from_state, first.to_state) == (REGISTER, "", "registered")
        state, acts = first.to_state, 0
        for row in rows[1:]:
            assert row.from_state == state, (cases[case_id].number, row.action)
            if row.action in TURNS:  # the sweep: the state stays
                assert row.to_state == state and row.actor_id is None
                continue
            t = TRANSITIONS[row.action]
            assert t.allows_state(state), (cases[case_id].number, row.action, state)
            assert row.to_state == (state if t.target == SAME else t.target)
            assert roles[row.actor_id] & t.roles, (cases[case_id].number, row.action)
            state, acts = row.to_state, acts + 1
        assert state == cases[case_id].state
        assert acts == cases[case_id].version


def test_investigative_acts_have_two_credentialed_officers_of_the_team(year):
    cards = {c.user_id: c for c in Credential.objects.all()}
    units = dict(EnforcementCase.objects.values_list("pk", "unit_id"))
    team = defaultdict(set)
    for user_id, unit_id in RoleGrant.objects.filter(role="enforcement_officer").values_list(
        "user_id", "user__unit_id"
    ):
        team[unit_id].add(user_id)
    checked = 0
    for row in EnforcementEvent.objects.filter(action__in=WITH_OFFICERS):
        officers = row.data["officers"]
        assert len(officers) >= rules.OFFICERS_REQUIRED
        on = row.at.astimezone(SHANGHAI).date()
        assert all(cards[o].valid_from <= on <= cards[o].valid_until for o in officers)
        assert set(officers) - {row.actor_id} <= team[units[row.case_id]]
        checked += 1
    assert checked > CASES


def test_the_case_files_verify(year):
    assert verify_cases().ok
    out = io.StringIO()
    call_command("verify", "--only", "enforcement", "--quiet", stdout=out)
    assert "enforcement: OK" in out.getvalue()


def test_the_year_has_the_seeds_mix(year):
    cases = EnforcementCase.objects.filter(state__in=CASE_STATES)
    handled = Counter(cases.values_list("violation__category", flat=True))
    expected = dict(zip(mix.YEARLY, _split(CASES), strict=True))
    for category, n in expected.items():
        assert n - 3 <= handled[category] <= n, category
    simple = cases.filter(procedure=Procedure.SIMPLE).count() / cases.count()
    assert 0.4 < simple < 0.65
    states = Counter(EnforcementCase.objects.values_list("state", flat=True))
    assert round(CASES * mix.NOT_FILED) - 2 <= states["not_filed"] <= round(CASES * mix.NOT_FILED)
    assert 0 < states["transferred"] <= round(CASES * mix.TRANSFERRED)
    assert states["archived"] > CASES / 2
    assert (
        sum(
            n
            for s, n in states.items()
            if s not in ("archived", "closed", "not_filed", "transferred")
        )
        > 5
    )
    assert year.figures["difficult_reviewed"] > 0
    assert CaseClock.objects.filter(clock_state=ClockState.OVERDUE).exists()
    assert year.figures["cases"] == cases.count()
    repeat = cases.filter(earlier_cases__gt=0).count() / cases.count()
    assert 0.1 < repeat < 0.7


def _split(total):
    from cityloop.demo.history.generate import _split as split

    return split(total, list(mix.YEARLY.values()))


def test_open_clocks_are_the_clock_functions_deadlines(year):
    clocks = CaseClock.objects.filter(stopped_at__isnull=True).select_related("case__unit")
    assert clocks.exists()
    for clock in clocks:
        period, _article = PERIODS[clock.kind]
        assert clock.period_amount == period.amount + clock.extended_days
        counted = Period(clock.period_amount, PeriodUnit(clock.period_unit))
        assert clock.deadline == deadline(clock.started_at, counted, clock.case.unit)
        now = state_at(
            deadline=clock.deadline,
            warn_at=clock.warn_at,
            suspended=False,
            now=NOW,
            states=CLOCK_STATES,
        )
        assert clock.clock_state == now, (clock.case.number, clock.kind)


def test_fines_are_within_the_catalogue_and_the_spot_limits(year):
    decided = EnforcementCase.objects.filter(fine__gt=0).select_related("violation", "party")
    assert decided.exists()
    for case in decided:
        v = case.violation
        assert case.fine >= v.min_fine and (not v.max_fine or case.fine <= v.max_fine), case.number
        if case.procedure == Procedure.SIMPLE:
            assert rules.may_decide_on_the_spot(case.party.kind, case.fine), case.number
            limit = Decimal(200) if case.party.kind == PartyKind.PERSON else Decimal(3000)
            assert case.fine <= limit
        if case.cash_collected:
            assert case.fine <= rules.CASH_LIMIT
        if case.paid_at is not None:
            assert case.paid == case.fine + case.surcharge
            assert case.surcharge <= case.fine


def test_first_violations_and_earlier_cases_come_from_the_partys_history(year):
    cases = list(EnforcementCase.objects.exclude(party=None).select_related("violation"))
    looked = dict(
        EnforcementEvent.objects.filter(action__in=("propose_filing", "on_the_spot")).values_list(
            "case_id", "at"
        )
    )
    by_party = defaultdict(list)
    for case in cases:
        by_party[case.party_id].append(case)
    assert any(len(v) > 2 for v in by_party.values())
    for case in cases:
        at = looked[case.pk]
        others = [c for c in by_party[case.party_id] if c.pk != case.pk]
        earlier = [
            c for c in others if (c.filed_at if c.procedure == "ordinary" else c.decided_at) or NOW
        ]
        earlier = [c for c in others if _entered(c) is not None and _entered(c) < at]
        repeated = any(
            c.outcome == "penalty" and c.decided_at < at and c.violation.code == case.violation.code
            for c in others
        )
        assert case.earlier_cases == len(earlier), case.number
        assert case.first_violation == (case.violation.first_offence_exempt and not repeated)


def _entered(case):
    return case.filed_at if case.procedure == Procedure.ORDINARY else case.decided_at


def test_referred_clues_are_in_both_histories(year):
    referred = EnforcementCase.objects.exclude(source_case=None).select_related("source_case")
    assert referred.exists()
    for case in referred:
        rows = list(CaseEvent.objects.filter(case=case.source_case).order_by("at", "id"))
        refer = [r for r in rows if r.action == "refer"]
        assert len(refer) == 1 and refer[0].data == {"enforcement": case.number}
        assert refer[0].at == case.registered_at and refer[0].from_state == refer[0].to_state
        for before, after in itertools.pairwise(rows):
            assert after.from_state == before.to_state
        register = case.events.order_by("at", "id").first()
        assert register.data == {"source": "case", "case": case.source_case.ticket}


def test_a_sample_has_its_documents(year):
    with_documents = EnforcementCase.objects.filter(documents__isnull=False).distinct()
    assert with_documents.count() == 4
    for case in with_documents:
        kinds = set(case.documents.values_list("kind", flat=True))
        assert {"on_the_spot_decision", "penalty_decision"} & kinds, case.number
        named = [d["kind"] for r in case.events.all() for d in r.data.get("documents", [])]
        assert sorted(named) == sorted(case.documents.values_list("kind", flat=True))


# --- one set of rules: the same stories through the services ---------------------------------
CASE_FIELDS = (
    "state", "procedure", "version", "filed_at", "decided_at", "served_at", "closed_at",
    "archived_at", "fine", "proposed_fine", "paid", "surcharge", "paid_at", "outcome", "tier",
    "penalty_kinds", "first_violation", "earlier_cases", "legal_review_required",
    "legal_review_passed", "difficult", "serious", "hearing_right", "notified_at", "hearing_at",
    "heard_at", "pay_by", "cash_collected", "handed_over_at", "reminded_at", "court_applied_at",
    "deliberated_at", "statement", "statement_waived", "service_method", "occurred_at", "facts",
)  # fmt: skip


def _data(data, identities):
    data = json.loads(json.dumps(data, default=lambda p: p.identity))
    data.pop("documents", None)
    if "party" in data and isinstance(data["party"], int):
        data["party"] = identities[data["party"]]
    return data


def test_the_services_write_what_the_demo_year_writes(year):
    told = Year(SEED + 1, UNTIL, 365, 80, 0)
    plans = told.plans()
    early = NOW - timedelta(days=120)
    chosen = [p for p in plans if p.registered_at < early and not p.simple and not p.fate][:6]
    chosen += [p for p in plans if p.registered_at < early and p.simple][:4]
    chosen += [p for p in plans if p.fate][:2]
    for n, plan in enumerate(chosen):
        plan.party = told.parties.new(plan.offence.party, plan.street)
        told.ctx.parties[plan.party.identity] = plan.party
        plan.number = f"ZFT{n:06d}"
        life = told.tell(plan)
        case = replay(plan, life)
        identities = dict(Party.objects.values_list("pk", "identity"))
        for name in CASE_FIELDS:
            assert getattr(case, name) == getattr(life.case, name), (plan.number, name)
        rows = [r for r in case.events.order_by("at", "id") if r.action not in TURNS]
        mine = [r for r in life.rows if r.action not in TURNS]
        assert len(rows) == len(mine), plan.number
        for live, memory in zip(rows, mine, strict=True):
            seen = (live.action, live.from_state, live.to_state, live.actor_id, live.at)
            assert seen == (
                memory.action,
                memory.from_state,
                memory.to_state,
                memory.actor.pk,
                memory.at,
            )
            assert live.comment == memory.comment
            assert _data(live.data, identities) == _data(memory.data, identities), (
                plan.number,
                live.action,
            )
        fields = (
            "started_at",
            "deadline",
            "warn_at",
            "stopped_at",
            "period_amount",
            "extended_days",
        )
        stored = {c.kind: tuple(getattr(c, f) for f in fields) for c in case.clocks.all()}
        assert stored == {k: tuple(getattr(c, f) for f in fields) for k, c in life.clocks.items()}
        evidence = [
            (e.number, e.kind, e.description, e.collected_at, e.officers) for e in life.evidence
        ]
        assert evidence == list(
            case.evidence.values_list("number", "kind", "description", "collected_at", "officers")
        )
        payments = [(p.amount, p.paid_at, p.receipt) for p in life.payments]
        assert payments == list(case.payments.values_list("amount", "paid_at", "receipt"))
        assert set(case.officers.values_list("pk", flat=True)) == life.officers
