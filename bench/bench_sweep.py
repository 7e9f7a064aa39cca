"""deadline_sweep() over 1,000,000 open cases, ~1 % past their deadline and ~1 % past their
warning time, beside the per-case ORM loop doing the same work.

What is timed: one whole sweep — the two set-based clock turns, the history rows, every
notification (the lead unit's two handlers per case; the centre's dispatchers and shift leader
too for an overdue case) and 20 escalations of community-led cases through ``system_act``.
Median of 3 runs after one untimed warm-up, the same turns re-armed before each.

The baseline is the obvious code: for each due case, ``case.save()``, one ``CaseEvent`` and one
``notify()`` — timed on 1,000 due cases and scaled linearly to the same number of due cases
(it also finds its cases with the same indexed query). It is not safe with two workers at once.

The cases live in their own SQLite file (var/bench/sweep.sqlite3), so that their million rows do
not weigh on the other benchmarks; they are inserted once and reused. With
``CITYLOOP_BENCH_PG_URL`` set, the sweep is also timed on that PostgreSQL database (loaded with
COPY; it must be a scratch database: the script migrates it and rewrites its cases).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PG_CHILD = os.environ.get("CITYLOOP_BENCH_SWEEP_PG") == "1"
if not PG_CHILD:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["CITYLOOP_DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'sweep.sqlite3'}"

import common  # noqa: E402

common.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cityloop.core.i18n import lazy_format  # noqa: E402
from cityloop.events.choices import ClockState  # noqa: E402
from cityloop.events.models import Case, CaseAssignment, CaseEvent  # noqa: E402
from cityloop.events.selectors.recipients import centre_staff, unit_staff  # noqa: E402
from cityloop.events.services.permissions import lead_assignment  # noqa: E402
from cityloop.events.services.sweep import MESSAGES, RUNNING_STATES, deadline_sweep  # noqa: E402
from cityloop.notifications.models import Notification  # noqa: E402
from cityloop.notifications.services import notify  # noqa: E402
from cityloop.org.choices import Role, UnitKind  # noqa: E402
from cityloop.org.models import Unit  # noqa: E402
from cityloop.org.services import unit_create, user_create  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
CASES = int(os.environ.get("CITYLOOP_BENCH_SWEEP_CASES", "1000000"))
NOW = datetime(2025, 11, 24, 10, 0, tzinfo=SH)  # a Monday the working calendar knows
ESCALATING = 20
BASELINE_SAMPLE = 1_000
RUNS = 3
BATCH = 20_000
PREFIX = "SWB"
DEPARTMENTS = 50


def log(message: str) -> None:
    print(f"  [sweep] {message}", file=sys.stderr, flush=True)


# --- the organisation ---------------------------------------------------------------------
def bench_org() -> dict:
    """A district centre (2 dispatchers, 1 shift leader), 50 departments with 2 handlers each,
    and a street with a community for the cases that escalate. Made once, found after."""
    district = Unit.objects.filter(kind=UnitKind.DISTRICT).first()
    if district is None:
        district = unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")
    departments = list(Unit.objects.filter(name__startswith="基准部门").order_by("pk"))
    if not departments:
        departments = _make_org(district)
    community = Unit.objects.get(code=f"{district.code}599001")
    return {"departments": [d.pk for d in departments], "community": community}


@transaction.atomic
def _make_org(district: Unit) -> list[Unit]:
    for n in range(2):
        user_create(
            username=f"sweep-dispatcher-{n}", password=None, unit=district, roles=[Role.DISPATCHER]
        )
    user_create(
        username="sweep-shift-leader", password=None, unit=district, roles=[Role.SHIFT_LEADER]
    )
    departments = []
    for n in range(DEPARTMENTS):
        unit = unit_create(
            kind=UnitKind.DEPARTMENT, name=f"基准部门{n:02d}", function="water", parent=district
        )
        for h in range(2):
            user_create(
                username=f"sweep-dept-{n}-{h}", password=None, unit=unit, roles=[Role.HANDLER]
            )
        departments.append(unit)
    street = unit_create(
        kind=UnitKind.STREET, name="基准街道", code=f"{district.code}599", parent=district
    )
    community = unit_create(
        kind=UnitKind.COMMUNITY, name="基准社区", code=f"{street.code}001", parent=street
    )
    user_create(username="sweep-street", password=None, unit=street, roles=[Role.HANDLER])
    user_create(username="sweep-community", password=None, unit=community, roles=[Role.HANDLER])
    return departments


# --- the cases ----------------------------------------------------------------------------
def kind_of(i: int) -> str:
    """Every 100th case is overdue, the next one in warning; the rest run on time."""
    return {0: "overdue", 1: "warning"}.get(i % 100, "on_time")


def clock_of(i: int) -> tuple[datetime, datetime]:
    """(warn_at, deadline) of case ``i`` relative to NOW."""
    kind = kind_of(i)
    if kind == "overdue":
        return NOW - timedelta(hours=2), NOW - timedelta(minutes=1 + i % 600)
    if kind == "warning":
        return NOW - timedelta(minutes=1 + i % 50), NOW + timedelta(hours=1)
    ahead = timedelta(minutes=10 + i % 20_000)
    return NOW + ahead, NOW + ahead + timedelta(hours=4)


def columns() -> list:
    wanted = {
        "deadline",
        "warn_at",
        "stage_started_at",
        "handle_deadline",
        "community_id",
        "street_id",
    }
    return [
        f
        for f in Case._meta.concrete_fields
        if not f.primary_key and (not f.null or f.attname in wanted)
    ]


def case_rows(org: dict):
    """Rows for COPY/executemany: field defaults, then each case's own clock and state."""
    fields = columns()
    names = [f.attname for f in fields]
    pg = connection.vendor == "postgresql"
    prep = (lambda v: v) if pg else connection.ops.adapt_datetimefield_value
    template = [f.get_default() for f in fields]
    at = {n: names.index(n) for n in names}
    fixed = {
        "source": "inspector",
        "description": "基准案卷",
        "stage": "handle",
        "state": "dispatched",
        "clock_state": "on_time",
    }
    for name, value in fixed.items():
        template[at[name]] = value
    for name in ("reported_at", "updated_at", "stage_started_at"):
        template[at[name]] = prep(NOW - timedelta(days=1))
    cache: dict[datetime, object] = {}
    for i in range(CASES):
        row = list(template)
        warn, deadline = clock_of(i)
        row[at["ticket"]] = f"{PREFIX}{i:09d}"
        row[at["warn_at"]] = cache.get(warn) or cache.setdefault(warn, prep(warn))
        row[at["deadline"]] = row[at["handle_deadline"]] = cache.get(deadline) or cache.setdefault(
            deadline, prep(deadline)
        )
        yield row


def insert_cases(org: dict) -> None:
    names = [connection.ops.quote_name(f.column) for f in columns()]
    table = connection.ops.quote_name(Case._meta.db_table)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for n, row in enumerate(case_rows(org), start=1):
                    copy.write_row(row)
                    if n % 100_000 == 0:
                        log(f"inserted {n:,}/{CASES:,} cases  {time.monotonic() - started:.0f}s")
        else:
            marks = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
            rows = case_rows(org)
            for n in range(0, CASES, BATCH):
                cursor.executemany(sql, [next(rows) for _ in range(min(BATCH, CASES - n))])
                if (n + BATCH) % 100_000 == 0:
                    log(
                        f"inserted {n + BATCH:,}/{CASES:,} cases  {time.monotonic() - started:.0f}s"
                    )
    assign(org)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    log(f"{CASES:,} cases and their assignments in {time.monotonic() - started:.0f}s")


def assign(org: dict) -> None:
    """Lead assignments for the due cases: departments, and a community for ESCALATING of the
    overdue ones (the escalation path). On-time cases need none: the sweep never reads them."""
    due = list(
        Case.objects.filter(
            clock_state=ClockState.ON_TIME, warn_at__lte=NOW, ticket__startswith=PREFIX
        )
        .order_by("pk")
        .values_list("pk", "deadline")
    )
    overdue = [pk for pk, deadline in due if deadline <= NOW]
    escalating = set(overdue[:ESCALATING])
    community, departments = org["community"], org["departments"]
    CaseAssignment.objects.bulk_create(
        (
            CaseAssignment(
                case_id=pk,
                unit_id=community.pk if pk in escalating else departments[n % len(departments)],
                dispatched_at=NOW - timedelta(days=1),
            )
            for n, (pk, _) in enumerate(due)
        ),
        batch_size=5_000,
    )
    Case.objects.filter(pk__in=escalating).update(community=community, street=community.parent)


def ensure_cases(org: dict) -> None:
    have = Case.objects.filter(ticket__startswith=PREFIX).count()
    if have == CASES:
        log(f"reusing {have:,} cases")
        return
    if have:
        log(f"removing {have:,} cases of another size")
        wipe()
    insert_cases(org)


def wipe() -> None:
    with connection.cursor() as cursor:
        for model in (Notification, CaseEvent, CaseAssignment, Case):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


# --- re-arming between runs ---------------------------------------------------------------
def rearm(org: dict) -> None:
    """Put every turned clock back, undo the escalations, forget history and notifications."""
    community = org["community"]
    with transaction.atomic():
        Notification.objects.all().delete()
        CaseEvent.objects.all().delete()
        escalated = list(
            CaseAssignment.objects.filter(state="escalated").values_list("case_id", flat=True)
        )
        CaseAssignment.objects.filter(case_id__in=escalated).exclude(unit=community).delete()
        CaseAssignment.objects.filter(case_id__in=escalated).update(
            state="dispatched", done_at=None
        )
        Case.objects.filter(pk__in=escalated).update(
            deadline=NOW - timedelta(minutes=1),
            warn_at=NOW - timedelta(hours=2),
            handle_deadline=NOW - timedelta(minutes=1),
            state="dispatched",
            version=1,
        )
        Case.objects.filter(clock_state__in=[ClockState.WARNING, ClockState.OVERDUE]).update(
            clock_state=ClockState.ON_TIME
        )


def due_count() -> int:
    return Case.objects.filter(
        clock_state=ClockState.ON_TIME, warn_at__lte=NOW, state__in=RUNNING_STATES
    ).count()


# --- the two ways -------------------------------------------------------------------------
def settle(org: dict) -> None:
    """Checkpoint the load out of SQLite's write-ahead log and sweep once untimed, so that the
    timed runs see a database in its running state (as the sweeper every minute does)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rearm(org)
    log(f"warm-up: {deadline_sweep(now=NOW).line()}")


def timed_sweeps(org: dict) -> tuple[float, object]:
    times, report = [], None
    for run in range(RUNS):
        rearm(org)
        started = time.perf_counter()
        report = deadline_sweep(now=NOW)
        times.append(time.perf_counter() - started)
        log(f"run {run + 1}: {report.line()}")
    return statistics.median(times), report


def naive(limit: int) -> int:
    """The per-case ORM loop on the first ``limit`` overdue cases: save, history row, notify."""
    due = Case.objects.filter(
        clock_state__in=[ClockState.ON_TIME, ClockState.WARNING],
        deadline__lte=NOW,
        state__in=RUNNING_STATES,
        suspended_at=None,
    ).order_by("deadline")[:limit]
    centre = list(centre_staff(Role.DISPATCHER, Role.SHIFT_LEADER))
    with transaction.atomic():
        for case in due:
            case.clock_state = ClockState.OVERDUE
            case.save()
            CaseEvent.objects.create(
                case=case,
                action="clock_overdue",
                from_state=case.state,
                to_state=case.state,
                actor_label="系统",
                at=NOW,
                data={"deadline": case.deadline.isoformat()},
            )
            lead = lead_assignment(case)
            users = [*unit_staff(lead.unit if lead else None, Role.HANDLER), *centre]
            message = lazy_format(
                MESSAGES[ClockState.OVERDUE], {"ticket": case.ticket, "deadline": case.deadline}
            )
            notify(users=users, kind="clock_overdue", message=message, case=case)
    return limit


def baseline_seconds(org: dict, total: int) -> float:
    rearm(org)
    started = time.perf_counter()
    naive(BASELINE_SAMPLE)
    took = time.perf_counter() - started
    log(f"per-case loop: {BASELINE_SAMPLE:,} cases in {took:.2f}s")
    return took * total / BASELINE_SAMPLE


def main() -> None:
    call_command("migrate", verbosity=0)
    org = bench_org()
    ensure_cases(org)
    settle(org)
    rearm(org)
    due = due_count()
    sweep, report = timed_sweeps(org)
    if PG_CHILD:
        print(f"  on PostgreSQL: {sweep:.2f} s ({report.line()})")
        return
    slow = baseline_seconds(org, due)
    rearm(org)
    print(
        f"deadline sweep over {CASES:,} open cases ({report.overdue:,} overdue incl. "
        f"{report.escalated} escalated, {report.warned:,} warning, {report.notifications:,} "
        f"notifications): {sweep:.2f} s vs per-case ORM loop (save + history + notify, timed "
        f"on {BASELINE_SAMPLE:,} cases, scaled to {due:,}) {slow:.1f} s, ratio {slow / sweep:,.0f}"
    )
    postgres()


def postgres() -> None:
    url = os.environ.get("CITYLOOP_BENCH_PG_URL")
    if not url:
        return
    env = {**os.environ, "CITYLOOP_DATABASE_URL": url, "CITYLOOP_BENCH_SWEEP_PG": "1"}
    subprocess.run([sys.executable, __file__], env=env, check=True)


if __name__ == "__main__":
    main()
