"""``cityloop sweep``: the deadline sweep, once or every N seconds, here or through the queue.

- ``cityloop sweep``: sweep once, now, in this process, and print what it did.
- ``cityloop sweep --every 60``: sweep every 60 seconds in this process (what ``cityloop
  serve`` starts beside gunicorn unless told ``--no-sweeper``).
- ``cityloop sweep --every 60 --enqueue``: put the ``sweep_deadlines`` task on the queue every
  60 seconds (the default database backend) for ``cityloop db_worker`` processes to run; a
  sweep still waiting in the queue is not queued twice.

Several sweepers at once are safe: each clock turns exactly once (docs/deadlines.md).
"""

from __future__ import annotations

import logging
import os
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from cityloop.core.progress import Progress
from cityloop.events.services.sweep import SweepReport, deadline_sweep
from cityloop.events.tasks import sweep_deadlines

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Turn due clocks to warning or overdue, notify and escalate: once, or every N seconds. "
        "超时预警与升级扫描。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, metavar="SECONDS", help="repeat every SECONDS (until stopped)"
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the sweep_deadlines task for `cityloop db_worker` instead of running it",
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started this one is gone (used by `cityloop serve`)",
        )

    def handle(self, *args, every: float | None, enqueue: bool, exit_with_parent: bool, **opts):
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        parent = os.getppid() if exit_with_parent else None
        try:
            self._loop(every, enqueue, parent, verbose=opts["verbosity"] >= 2)
        except KeyboardInterrupt:
            self.stdout.write("sweeper stopped")

    def _loop(self, every: float | None, enqueue: bool, parent: int | None, verbose: bool):
        if every is None:
            self._once(enqueue, progress=Progress(self.stdout), always=True)
            return
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(f"sweeping deadlines every {every:g} s (Ctrl-C to stop)")
        while parent is None or os.getppid() == parent:
            try:
                self._once(enqueue, progress=None, always=verbose)
            except Exception:  # one failed sweep (database away, …) must not end the loop
                log.exception("deadline sweep failed; trying again in %g s", every)
            time.sleep(every)

    def _once(self, enqueue: bool, progress: Progress | None, always: bool) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        if enqueue:
            result = _enqueue()
            if always:
                self.stdout.write(f"{stamp} {result}")
            return
        report = deadline_sweep(progress=progress)
        if always or report.warned or report.overdue:
            self.stdout.write(f"{stamp} {report.line()}")


def _stop(signum, frame) -> None:
    """SIGTERM ends the loop like Ctrl-C: a sweep in progress rolls back, the process exits 0."""
    raise KeyboardInterrupt


def _enqueue() -> str:
    """Queue one sweep unless one is already waiting (workers down must not pile them up)."""
    if _waiting():
        return "a deadline sweep is already waiting in the queue"
    result = sweep_deadlines.enqueue()
    if result.status == TaskResultStatus.SUCCESSFUL:  # an immediate backend ran it inline
        return SweepReport(**result.return_value).line()
    return f"deadline sweep queued (task {result.id}, status {result.status})"


def _waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(sweep_deadlines.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=sweep_deadlines.module_path).exists()
