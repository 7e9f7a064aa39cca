"""How the sweep runs: the task through the immediate and the database backend (with
``cityloop db_worker``), and the ``cityloop sweep`` command once, periodically and queued."""

import io
import signal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cityloop.events.choices import ClockState
from cityloop.events.management.commands import sweep as sweep_command
from cityloop.events.tasks import sweep_deadlines
from cityloop.events.tests.conftest import PLAIN_POINT

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
ONE_OVERDUE = {
    "warned": 0,
    "overdue": 1,
    "escalated": 0,
    "not_escalated": 0,
    "notifications": 3,  # the acceptor, the dispatcher and the shift leader
    "recounted": 0,
    "others": {"enforcement": {"warning": 0, "overdue": 0}},  # the enforcement app's clocks
}


@pytest.fixture
def overdue_report(loop, monday_morning):
    """A report nobody accepted within its 30 working minutes."""
    case = loop.report(point=PLAIN_POINT)
    monday_morning.move_to(case.deadline)
    return case


@pytest.fixture(autouse=True)
def _signals_restored():
    """db_worker and the periodic sweep install signal handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def without_seconds(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "seconds"}


def test_the_task_runs_through_the_immediate_backend(overdue_report, settings):
    settings.TASKS = IMMEDIATE

    result = sweep_deadlines.enqueue()

    overdue_report.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert without_seconds(result.return_value) == ONE_OVERDUE
    assert overdue_report.clock_state == ClockState.OVERDUE


def test_the_task_waits_in_the_database_until_db_worker_runs_it(
    overdue_report, settings, monkeypatch
):
    settings.TASKS = DATABASE
    # The worker closes "old" connections between tasks, which would end the test's
    # transaction; the connection it would close is the test's own.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    result = sweep_deadlines.enqueue()
    overdue_report.refresh_from_db()
    assert (result.status, overdue_report.clock_state) == (TaskResultStatus.READY, "on_time")

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    stored = DBTaskResult.objects.get(pk=result.id)
    overdue_report.refresh_from_db()
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert without_seconds(stored.return_value) == ONE_OVERDUE
    assert overdue_report.clock_state == ClockState.OVERDUE


def test_the_command_sweeps_once_and_prints_a_summary(overdue_report):
    out = io.StringIO()

    call_command("sweep", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("- 0 clocks turned to warning, 1 to overdue")
    assert lines[1].startswith("- history written, 3 notifications")
    assert lines[-1].startswith(
        "09:30:00 deadline sweep: 0 warned, 1 overdue, 0 escalated (0 not), 3 notifications in "
    )


def test_the_command_sweeps_every_n_seconds_until_stopped(overdue_report, monkeypatch):
    naps: list[float] = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sweep_command.time, "sleep", nap)
    out = io.StringIO()

    call_command("sweep", "--every", "30", stdout=out)

    overdue_report.refresh_from_db()
    lines = out.getvalue().splitlines()
    assert naps == [30, 30]
    assert lines[0] == "sweeping deadlines every 30 s (Ctrl-C to stop)"
    assert lines[1].startswith("09:30:00 deadline sweep: 0 warned, 1 overdue")
    assert lines[2:] == ["sweeper stopped"]  # the second sweep turned nothing: no line
    assert overdue_report.clock_state == ClockState.OVERDUE


def test_the_command_keeps_sweeping_after_a_failed_sweep(overdue_report, monkeypatch):
    calls: list[int] = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_command, "deadline_sweep", flaky)
    monkeypatch.setattr(sweep_command.time, "sleep", lambda seconds: None)
    out = io.StringIO()

    call_command("sweep", "--every", "5", stdout=out)

    assert len(calls) == 2 and out.getvalue().splitlines()[-1] == "sweeper stopped"


def test_the_command_queues_one_sweep_for_the_workers(overdue_report, settings):
    settings.TASKS = DATABASE
    out = io.StringIO()

    call_command("sweep", "--enqueue", stdout=out)
    call_command("sweep", "--enqueue", stdout=out)

    overdue_report.refresh_from_db()
    lines = out.getvalue().splitlines()
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.status) == (sweep_deadlines.module_path, TaskResultStatus.READY)
    assert lines == [
        f"09:30:00 deadline sweep queued (task {task.id}, status READY)",
        "09:30:00 a deadline sweep is already waiting in the queue",
    ]
    assert overdue_report.clock_state == ClockState.ON_TIME  # nothing ran here


def test_the_command_refuses_a_period_that_is_not_positive(db):
    with pytest.raises(CommandError, match="--every must be a positive number of seconds"):
        call_command("sweep", "--every", "0")
