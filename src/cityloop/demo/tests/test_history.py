"""The demo year (a month of it, small): valid histories, the deadline service's clocks, the
routing's units, the seed's proportions, determinism, and the command."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.db import connection
from django.db.models import F

from cityloop.core.progress import Progress
from cityloop.demo.builder import build_demo, delete_demo
from cityloop.demo.geometry import district_shape
from cityloop.demo.history import (
    SEED_GROUPS,
    HistoryUnavailable,
    delete_history,
    generate_history,
    mix,
)
from cityloop.demo.history.generate import _split
from cityloop.demo.history.writer import datetime_adapter
from cityloop.events.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    CaseState,
    ClockEvent,
    ClockState,
    Stage,
)
from cityloop.events.models import Case, CaseAssignment, CaseEvent, CaseRequest
from cityloop.events.selectors.routing import route_proposal
from cityloop.events.services import deadlines
from cityloop.events.services.intake import report_place
from cityloop.events.services.permissions import lead_assignment
from cityloop.events.workflow import PREVIOUS, SAME, TRANSITIONS
from cityloop.geo.coordinates import WGS84
from cityloop.geo.locate import locate_batch
from cityloop.org.choices import UnitKind
from cityloop.worktime.choices import ClockKind
from cityloop.worktime.clock import SHANGHAI, add_working_time

pytestmark = pytest.mark.django_db

SEED, UNTIL, DAYS, CASES = 7, date(2026, 6, 15), 30, 2000
NOW = datetime(2026, 6, 15, tzinfo=SHANGHAI)
TICKET = re.compile(r"^LH(\d{8})-(\d{6})$")
RUNNING = OPEN_STATES - {CaseState.SUSPENDED}


def _generate(seed: int = SEED, **kwargs):
    options = {"until": UNTIL, "days": DAYS, "cases": CASES, **kwargs}
    return generate_history(seed=seed, progress=Progress(io.StringIO()), **options)


@pytest.fixture(scope="module")
def year(django_db_setup, django_db_blocker):
    """The district and a month of 2,000 cases, built once for the module, removed after."""
    with django_db_blocker.unblock():
        build_demo()
        summary = _generate()
        yield summary
        delete_history()
        delete_demo()


def _histories() -> dict[int, list[tuple]]:
    found = defaultdict(list)
    rows = CaseEvent.objects.order_by("case_id", "at", "id").values_list(
        "case_id", "action", "from_state", "to_state", "at", "data"
    )
    for case_id, *rest in rows:
        found[case_id].append(tuple(rest))
    return found


def _fingerprint() -> str:
    digest = hashlib.sha256()
    queries = [
        Case.objects.order_by("ticket").values_list(
            "ticket", "source", "external_id", "category__major__code", "category__code",
            "lon", "lat", "grid__code", "state", "stage", "deadline", "warn_at", "clock_state",
            "handle_deadline", "version", "reported_at", "closed_at", "closed_on_time",
            "satisfaction", "description", "reporter_name",
        ),
        CaseEvent.objects.order_by("case__ticket", "at", "id").values_list(
            "case__ticket", "action", "from_state", "to_state", "actor_label", "at", "comment"
        ),
        CaseAssignment.objects.order_by("case__ticket", "dispatched_at", "id").values_list(
            "case__ticket", "unit__name", "role", "state", "dispatched_at", "done_at"
        ),
    ]  # fmt: skip
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_month_has_the_asked_volume_inside_its_days(year):
    assert Case.objects.count() == CASES == year.cases
    first = datetime(2026, 5, 16, tzinfo=SHANGHAI)
    assert not Case.objects.filter(reported_at__lt=first).exists()
    assert not Case.objects.filter(reported_at__gte=NOW).exists()
    assert CaseEvent.objects.count() == year.events
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()


def test_every_history_is_a_valid_path_through_the_transition_table(year):
    states = dict(Case.objects.values_list("id", "state"))
    for case_id, history in _histories().items():
        action, before, after, _at, _data = history[0]
        assert (action, before, after) == ("report", "", CaseState.REPORTED)
        state, parked = CaseState.REPORTED, ""
        for action, before, after, _at, _data in history[1:]:
            assert before == state, (case_id, action)
            if action in ClockEvent.values:  # the sweep: only running clocks turn
                assert after == state and state in RUNNING
                continue
            t = TRANSITIONS[action]
            assert t.allows_state(state), (case_id, action, state)
            if t.target == SAME:
                expected = state
            elif t.target == PREVIOUS:
                expected = parked or CaseState.HANDLING
            else:
                expected = t.target
            if action == "approve_suspension":
                parked = state
            assert after == expected, (case_id, action)
            state = after
        assert state == states[case_id]


def test_milestones_counters_and_versions_follow_the_history(year):
    histories = _histories()
    fields = (
        "id", "accepted_at", "confirmed_at", "filed_at", "dispatched_at", "fed_back_at",
        "closed_at", "rework_count", "urge_count", "return_count", "extension_count",
        "version", "updated_at", "satisfaction",
    )  # fmt: skip
    for row in Case.objects.values_list(*fields):
        case = dict(zip(fields, row, strict=True))
        history = histories[case["id"]]
        times = defaultdict(list)
        for action, _before, _after, at, _data in history:
            times[action].append(at)
        last = {a: t[-1] for a, t in times.items()}
        for field, action in (
            ("accepted_at", "accept"), ("confirmed_at", "confirm"), ("filed_at", "file"),
            ("dispatched_at", "dispatch"), ("fed_back_at", "feed_back"), ("closed_at", "close"),
        ):  # fmt: skip
            assert case[field] == last.get(action), (case["id"], field)
        assert case["rework_count"] == len(times["rework"])
        assert case["urge_count"] == len(times["urge"])
        assert case["return_count"] == len(times["return"])
        assert case["extension_count"] == len(times["approve_extension"])
        assert case["version"] == sum(1 for h in history if h[0] not in ClockEvent.values)
        assert case["updated_at"] == history[-1][3]
        assert (case["satisfaction"] is not None) == bool(times["evaluate"])


def test_open_cases_have_live_deadlines_and_clocks_as_of_now(year):
    open_cases = Case.objects.filter(state__in=OPEN_STATES).select_related("filing_condition")
    assert open_cases.count() == year.open > 20
    assert len({c.state for c in open_cases}) >= 5
    for case in open_cases:
        if case.state == CaseState.SUSPENDED:
            assert case.clock_state == ClockState.STOPPED and case.suspended_at is not None
            continue
        assert case.deadline is not None and case.warn_at is not None
        assert case.clock_state == deadlines.clock_state_at(case, NOW), case.ticket
    clocks = Counter(c.clock_state for c in open_cases)
    assert clocks[ClockState.ON_TIME] and clocks[ClockState.OVERDUE]


def _recomputed(case: Case, stage: str, started: datetime) -> Case:
    """The deadline service's own answer for a stage started at ``started``."""
    lead = lead_assignment(case)
    unit = lead.unit if stage == Stage.HANDLE and lead else None
    deadlines.clock_start(case=case, stage=stage, now=started, unit=unit)
    if unit is not None and unit.kind == UnitKind.SOCIAL_ENTITY:
        deadlines.clock_cap_for_entity(case=case, now=started, unit=unit)
    return case


def test_open_clocks_are_the_deadline_services(year):
    cases = Case.objects.filter(state__in=RUNNING, extension_count=0, state_before_suspension="")
    for case in cases.select_related("filing_condition").prefetch_related("assignments__unit"):
        expected = (case.deadline, case.warn_at)
        _recomputed(case, case.stage, case.stage_started_at)
        assert (case.deadline, case.warn_at) == expected, case.ticket


def test_handling_deadlines_are_the_deadline_services(year):
    """The last handling clock of closed cases, recomputed by deadlines.clock_start."""
    starts = {}
    clock_starts = CaseEvent.objects.filter(action__in=["dispatch", "escalate", "rework"])
    for case_id, at in clock_starts.values_list("case_id", "at"):
        starts[case_id] = at  # ordered by (at, id): the last one wins
    cases = Case.objects.filter(
        state__in=[CaseState.CLOSED, CaseState.EVALUATED],
        extension_count=0,
        state_before_suspension="",
    ).select_related("filing_condition")
    for case in cases.prefetch_related("assignments__unit").order_by("ticket")[:400]:
        expected = case.handle_deadline
        fed_back_lead = next(
            a
            for a in reversed(case.assignments.all())
            if a.role in (AssignmentRole.SINGLE, AssignmentRole.LEAD) and a.state == "closed"
        )
        case.state = CaseState.HANDLING  # as it was when the clock started
        fed_back_lead.state = "signed"
        _recomputed(case, Stage.HANDLE, starts[case.pk])
        assert case.handle_deadline == expected, case.ticket


def test_a_task_ends_with_its_case_as_the_services_end_it(year):
    """transitions._on_move: no case out of the open states keeps an active task; a
    closed case's tasks are ``closed``, finished when the unit fed back or reported."""
    ended = CaseAssignment.objects.exclude(case__state__in=OPEN_STATES)
    assert not ended.filter(state__in=ACTIVE_ASSIGNMENT_STATES).exists()
    done = ended.filter(case__state__in=[CaseState.CLOSED, CaseState.EVALUATED])
    assert done.filter(state="closed").count() > CASES * 0.8
    assert not done.filter(state="closed", done_at__isnull=True).exists()
    leads = done.filter(state="closed").exclude(role=AssignmentRole.ASSIST)
    assert not leads.exclude(done_at=F("case__fed_back_at")).exists()
    still_open = CaseAssignment.objects.filter(case__state__in=OPEN_STATES)
    assert not still_open.filter(state="closed").exists()


def test_closed_on_time_is_feedback_before_the_handling_deadline(year):
    rows = Case.objects.filter(closed_at__isnull=False).values_list(
        "fed_back_at", "handle_deadline", "closed_on_time"
    )
    for fed_back, deadline, on_time in rows:
        assert on_time == (fed_back <= deadline)


def test_dispatches_go_where_routing_proposes(year):
    """The first dispatch that was not overridden went to route_proposal's unit, with its
    reason word for word (routing itself, called on the stored case)."""
    checked = 0
    for case in Case.objects.filter(dispatched_at__isnull=False).order_by("ticket")[:300]:
        case = Case.objects.select_related("category", "community", "street").get(pk=case.pk)
        dispatch = next(e for e in case.events.order_by("at", "id") if e.action == "dispatch")
        if dispatch.data["overridden"]:
            continue
        proposal = route_proposal(case)
        assignment = case.assignments.order_by("dispatched_at", "id").first()
        assert dispatch.data["unit"] == proposal.unit.pk == assignment.unit_id, case.ticket
        assert assignment.routing_reason == str(proposal.reason)
        checked += 1
    assert checked > 250


def test_categories_follow_the_mix_and_the_seeds_street_order_ratios(year):
    counts = Counter(
        f"{kind}:{major}-{minor}"
        for kind, major, minor in Case.objects.values_list(
            "category__major__kind", "category__major__code", "category__code"
        )
    )
    expected = _split(CASES, [c.yearly for c in mix.CATEGORIES])
    for entry, n in zip(mix.CATEGORIES, expected, strict=True):
        assert counts[f"{entry.kind}:{entry.code}"] == n, entry.code
    groups = Counter()
    for entry in mix.CATEGORIES:
        if entry.group:
            groups[entry.group] += counts[f"{entry.kind}:{entry.code}"]
    seed_total, ours = sum(SEED_GROUPS.values()), sum(groups.values())
    for group, yearly in SEED_GROUPS.items():
        assert abs(groups[group] / ours - yearly / seed_total) < 0.01, group


def test_sources_hours_and_places_are_plausible(year):
    sources = Counter(Case.objects.values_list("source", flat=True))
    assert 0.5 < sources["inspector"] / CASES < 0.7
    for source in ("citizen", "hotline", "ai_camera", "iot_sensor", "entity_self_report"):
        assert sources[source] > 0, source
    hours = Counter(
        t.astimezone(SHANGHAI).hour for t in Case.objects.values_list("reported_at", flat=True)
    )
    assert sum(hours[h] for h in range(8, 18)) > 0.6 * CASES
    assert sum(hours[h] for h in range(0, 6)) < 0.03 * CASES
    classes = Counter(Case.objects.values_list("area_class", flat=True))
    assert classes["a"] > classes["c"]
    hotline = Case.objects.filter(source="hotline")
    assert not hotline.filter(external_id__isnull=True).exists()


def test_no_case_lies_outside_the_district_and_places_are_intakes(year):
    rows = list(Case.objects.values_list("lon", "lat", "grid_id", "community_id", "street_id"))
    lon, lat = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    located = locate_batch(lon, lat)
    assert located.found.all()
    assert shapely.contains_xy(district_shape(), lon, lat).all()  # the real outline
    assert [int(g) for g in located.grid_id] == [r[2] for r in rows]
    assert [int(c) for c in located.community_id] == [r[3] for r in rows]
    frontage = Case.objects.filter(category__major__code="04", category__code="05")
    assert not frontage.filter(zone__isnull=True).exists()


def test_places_are_what_intake_would_store(year):
    """intake.report_place on a sample of the stored points gives the stored place."""
    fields = ("grid_id", "community_id", "street_id", "area_class", "zone_id")
    for case in Case.objects.order_by("ticket")[:200]:
        place = report_place(case.lon, case.lat, WGS84)
        assert {f: place[f] for f in fields} == {f: getattr(case, f) for f in fields}


def test_tickets_are_unique_well_formed_and_numbered_by_day(year):
    serials = defaultdict(list)
    for ticket, reported in Case.objects.values_list("ticket", "reported_at"):
        day, serial = TICKET.match(ticket).groups()
        assert day == reported.astimezone(SHANGHAI).strftime("%Y%m%d")
        serials[day].append(int(serial))
    for numbers in serials.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_rates_are_those_of_a_working_bureau(year):
    rates = year.rates()
    assert 0.90 <= rates["on_time"] <= 0.98
    assert 0.005 <= rates["rework"] <= 0.04
    assert 4.2 <= rates["satisfaction"] <= 4.9
    closed = Case.objects.filter(state__in=[CaseState.CLOSED, CaseState.EVALUATED]).count()
    assert closed > 0.85 * CASES
    for state in (CaseState.REJECTED, CaseState.MERGED, CaseState.CANCELLED):
        assert Case.objects.filter(state=state).exists(), state
    assert CaseAssignment.objects.filter(role=AssignmentRole.ASSIST).exists()
    assert CaseAssignment.objects.filter(state="returned").exists()
    assert CaseAssignment.objects.filter(state="escalated").exists()


def test_requests_are_decided_and_named_in_the_history(year):
    requests = {r.pk: r for r in CaseRequest.objects.all()}
    assert requests
    for case_id, action, data in CaseEvent.objects.filter(data__has_key="request").values_list(
        "case_id", "action", "data"
    ):
        request = requests[data["request"]]
        assert request.case_id == case_id and request.status == "approved", action
        assert request.requested_by_id is not None and request.decided_by_id is not None


def test_merged_cases_point_at_a_case_open_when_merged(year):
    merged = Case.objects.filter(state=CaseState.MERGED).select_related("merged_into")
    assert merged.exists()
    for case in merged:
        event = case.events.get(action="merge")
        assert event.data["into"] == case.merged_into.ticket
        survivor_end = (
            case.merged_into.events.exclude(to_state__in=OPEN_STATES).order_by("at").first()
        )
        assert survivor_end is None or survivor_end.at > event.at


def test_the_same_seed_gives_the_same_year_and_another_seed_another(year):
    before = _fingerprint()
    delete_history()
    _generate()
    assert _fingerprint() == before
    delete_history()
    _generate(seed=SEED + 1)
    assert _fingerprint() != before


def test_the_sqlite_adapter_writes_what_django_writes():
    adapt = datetime_adapter()
    for moment in (
        datetime(2026, 1, 1, 8, 30, tzinfo=SHANGHAI),
        datetime(2026, 3, 5, 23, 59, 59, 123456, tzinfo=SHANGHAI),
        NOW - timedelta(microseconds=1),
        None,
    ):
        assert adapt(moment) == connection.ops.adapt_datetimefield_value(moment)


def test_a_year_without_a_calendar_is_refused_clearly(year):
    with pytest.raises(HistoryUnavailable, match="calendar"):
        _generate(until=date(2101, 6, 1), days=3, cases=10)


def test_open_clocks_at_new_year_are_provisional_and_can_be_counted_again(year):
    # given the demo's year ending on 31 December, before 2027's arrangement is entered
    delete_history()
    _generate(until=date(2026, 12, 31), days=5, cases=300)
    running = Case.objects.filter(state__in=OPEN_STATES, clock_limit__isnull=False)
    into_2027 = [c for c in running if c.deadline.year == 2027]
    assert into_2027, "the demo should leave clocks running into 2027"
    # then each clock is marked as the services mark it, and its kept start and limit give
    # back its deadline, so that the recount can count it again
    for case in running:
        lead = lead_assignment(case) if case.stage == Stage.HANDLE else None
        unit = lead.unit if lead else None
        clock = deadlines.stage_limit(case, case.stage).clock
        counted = add_working_time(case.clock_anchor_at, case.clock_limit, unit, clock=clock)
        assert counted == case.deadline, case.ticket
        provisional = clock == ClockKind.WORKING and case.deadline.year == 2027
        assert case.provisional_year == (2027 if provisional else None), case.ticket
    delete_history()
    _generate()


def test_the_command_rebuilds_the_district_and_a_few_days(year):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo", "--reset", "--days", "2", "--cases", "40", "--until", "2026-06-15",
        "--no-sorting", stdout=out, stderr=err,
    )  # fmt: skip
    assert "demo history: 40 cases" in out.getvalue()
    assert Case.objects.count() == 40
    # Again, without the (year-long) sorting and enforcement stages this test is not about.
    call_command("demo", "--no-sorting", "--no-enforcement", stdout=out, stderr=err)
    assert "cases already loaded" in out.getvalue()
