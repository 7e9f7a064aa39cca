"""add_working_time(): deadlines per second with the per-process calendar cache, beside the same
day walk asking the database for every day (``facts.uncached()``), on the same inputs.

Inputs: seeded random starts in 2024–2026 and the time limits of the category catalogue
(30 minutes to 15 days of 8 working hours). Every cached call still reads the calendar token.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import common

common.setup_django()

from django.core.management import call_command  # noqa: E402

from cityloop.worktime.clock import SHANGHAI, add_working_time  # noqa: E402
from cityloop.worktime.facts import uncached  # noqa: E402

CALLS = 5_000
UNCACHED_CALLS = 300
LIMIT_HOURS = [0.5, 2, 4, 8, 16, 24, 40, 120]


def inputs(count: int) -> list[tuple[datetime, timedelta]]:
    rng = random.Random(20251001)
    first = datetime(2024, 1, 1, tzinfo=SHANGHAI).timestamp()
    last = datetime(2026, 10, 1, tzinfo=SHANGHAI).timestamp()
    return [
        (
            datetime.fromtimestamp(rng.uniform(first, last), tz=SHANGHAI),
            timedelta(hours=rng.choice(LIMIT_HOURS)),
        )
        for _ in range(count)
    ]


def run(cases: list[tuple[datetime, timedelta]]) -> int:
    for start, duration in cases:
        add_working_time(start, duration)
    return len(cases)


def run_uncached(cases: list[tuple[datetime, timedelta]]) -> int:
    with uncached():
        return run(cases)


def main() -> None:
    call_command("migrate", verbosity=0)
    cases = inputs(CALLS)
    run(cases[:100])  # warm the cache once, as a running server has
    cached = common.median_rate(lambda: run(cases))
    slow = common.median_rate(lambda: run_uncached(cases[:UNCACHED_CALLS]), repeats=3)
    print(
        f"add_working_time: {common.fmt(cached)} calls/s vs uncached day walk "
        f"{common.fmt(slow)} calls/s, ratio {cached / slow:,.1f}"
    )


if __name__ == "__main__":
    main()
