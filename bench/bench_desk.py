"""The handling units' desk (处置台, ``GET /tasks/``) on the demo year: server time (p50, p99) for
the demo's handler of each tier, against the page goal of 200 ms at p99, with the number of
open tasks on the desk and of the unit's past tasks it must not read.

Builds the full demo (`cityloop demo`, a year of history, about 40 s) into a temporary
CITYLOOP_VAR_DIR in a subprocess, like bench_centre; ``--var DIR`` reuses a folder that
already holds a migrated demo database. Signs in with Django's test Client in this process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REQUESTS = 50
WARM_UP = 5
GOAL_MS = 200
HANDLERS = {
    "street handler": "street-handler",
    "department handler": "dept-handler",
    "contractor handler": "contractor-handler",
    "community handler": "community-handler",
    "shop handler": "shop-handler",
}


def tasks_of(username: str) -> tuple[int, int]:
    """The unit's active tasks (on the desk) and all its tasks (its past included)."""
    from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES
    from cityloop.events.models import CaseAssignment
    from cityloop.org.models import User

    unit_id = User.objects.get(username=username).unit_id
    tasks = CaseAssignment.objects.filter(unit_id=unit_id)
    return tasks.filter(state__in=ACTIVE_ASSIGNMENT_STATES).count(), tasks.count()


def measure(client, name: str, username: str) -> None:
    for _ in range(WARM_UP):
        client.get("/tasks/")
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get("/tasks/")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"/tasks/ as {username}: HTTP {response.status_code}")
    p50 = statistics.median(times)
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98]
    active, every = tasks_of(username)
    print(
        f"tasks desk ({name}): p50 {p50:.1f} ms, p99 {p99:.1f} ms, {active:,} open of "
        f"{every:,} tasks vs goal {GOAL_MS} ms p99, ratio {p99 / GOAL_MS:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var", help="a CITYLOOP_VAR_DIR that already holds the demo year")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_centre import build_demo, signed_in

    with ExitStack() as stack:
        var = args.var or stack.enter_context(tempfile.TemporaryDirectory(prefix="desk-"))
        if not args.var:
            build_demo(var)
        os.environ["CITYLOOP_VAR_DIR"] = var
        from common import setup_django

        setup_django()
        from django.test.utils import setup_test_environment

        setup_test_environment()
        for name, username in HANDLERS.items():
            measure(signed_in(username), name, username)


if __name__ == "__main__":
    main()
