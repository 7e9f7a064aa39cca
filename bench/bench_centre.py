"""The command centre on the demo year: server time (p50, p99) and payload of the page, its
panels, its data endpoints and the map layers it loads, against the goals of 200 ms at p99
and 500 KB.

Builds the full demo (`cityloop demo`, a year of history, about 40 s) into a temporary
CITYLOOP_VAR_DIR in a subprocess, then signs in as the demo's district leader (and a street
leader, for the scoped queries) with Django's test Client in this process. ``--var DIR``
reuses a folder that already holds a migrated demo database instead of building one.
Last, 20,000 extra open cases are added to the (temporary) database to show the map's
clustering keeping the payload bounded.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

CITYLOOP = str(Path(sys.executable).parent / "cityloop")
REQUESTS = 50
WARM_UP = 5
GOAL_MS, GOAL_KB = 200, 500
PASSWORD = "cityloop-demo"  # noqa: S105  (the demo's published password)
LUOHU_BOX = "114.08,22.52,114.20,22.62"
ZOOMED_BOX = "114.11,22.54,114.13,22.56"
SYNTHETIC_OPEN = 20_000

DISTRICT_URLS = {
    "page": "/centre/",
    "panel figures": "/centre/panels/figures/",
    "panel overdue": "/centre/panels/overdue/",
    "data figures": "/centre/data/figures/",
    "data charts (month)": "/centre/data/charts/",
    "data charts (today)": "/centre/data/charts/?period=today",
    "data cases (district)": f"/centre/data/cases/?bbox={LUOHU_BOX}",
    "data cases (zoomed)": f"/centre/data/cases/?bbox={ZOOMED_BOX}",
    "data overdue": "/centre/data/overdue/",
    "map layer district": "/map/layers/district.geojson",
    "map layer streets": "/map/layers/streets.geojson",
    "map layer communities": "/map/layers/communities.geojson",
    "map layer grids": "/map/layers/grids.geojson",
}
STREET_URLS = {
    "page (street leader)": "/centre/",
    "data figures (street leader)": "/centre/data/figures/",
    "data charts (street leader)": "/centre/data/charts/",
    "data cases (street leader)": f"/centre/data/cases/?bbox={LUOHU_BOX}",
}


def build_demo(var: str) -> None:
    env = dict(os.environ, CITYLOOP_VAR_DIR=var)
    started = time.perf_counter()
    for args in (["migrate", "--noinput", "-v0"], ["demo"]):
        subprocess.run([CITYLOOP, *args], env=env, check=True, capture_output=True)
    print(f"# demo year built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def measure(client, name: str, url: str) -> None:
    for _ in range(WARM_UP):
        client.get(url)
    times, size = [], 0
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        size = len(response.content)
    p50 = statistics.median(times)
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98]
    kb = size / 1024
    print(
        f"command centre {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, payload {kb:,.1f} KB "
        f"vs goal {GOAL_MS} ms p99 / {GOAL_KB} KB, ratio {p99 / GOAL_MS:.2f} / {kb / GOAL_KB:.2f}",
        flush=True,
    )


def signed_in(username: str):
    from django.test import Client

    client = Client()
    if not client.login(username=username, password=PASSWORD):
        raise SystemExit(f"cannot sign in as {username}")
    return client


def add_open_cases(n: int) -> None:
    """``n`` open cases spread over Luohu, in the bench's own temporary database."""
    from django.utils import timezone

    from cityloop.events.choices import CaseState, ClockState, Stage
    from cityloop.events.models import Case

    clocks = [ClockState.ON_TIME, ClockState.WARNING, ClockState.OVERDUE]
    now = timezone.now()
    Case.objects.bulk_create(
        (
            Case(
                ticket=f"BENCH{i:07d}",
                source="inspector",
                description="bench",
                stage=Stage.HANDLE,
                state=CaseState.HANDLING,
                clock_state=clocks[i % 3],
                lon=114.09 + 0.10 * ((i * 7919) % 1000) / 1000,
                lat=22.53 + 0.08 * ((i * 104729) % 997) / 997,
                reported_at=now,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--var", help="a CITYLOOP_VAR_DIR that already holds the demo year")
    args = parser.parse_args()
    with ExitStack() as stack:
        var = args.var or stack.enter_context(tempfile.TemporaryDirectory(prefix="centre-"))
        if not args.var:
            build_demo(var)
        os.environ["CITYLOOP_VAR_DIR"] = var
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from common import setup_django

        setup_django()
        from django.test.utils import setup_test_environment

        setup_test_environment()
        leader = signed_in("district-leader")
        for name, url in DISTRICT_URLS.items():
            measure(leader, name, url)
        street = signed_in("street-leader")
        for name, url in STREET_URLS.items():
            measure(street, name, url)
        if not args.var:  # never write into a database the caller handed us
            add_open_cases(SYNTHETIC_OPEN)
            name = f"data cases (district, +{SYNTHETIC_OPEN:,} open cases, clustered)"
            measure(leader, name, f"/centre/data/cases/?bbox={LUOHU_BOX}")


if __name__ == "__main__":
    main()
