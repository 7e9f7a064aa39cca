"""Shared set-up for the benchmark scripts: Django on the bench database, the demo district."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
os.environ.setdefault("CITYLOOP_VAR_DIR", str(ROOT / "var" / "bench"))


def setup_django() -> None:
    import django

    django.setup()


def ensure_demo() -> None:
    """Migrate the bench database and build the demo district there if it is not yet built."""
    from django.core.management import call_command

    from cityloop.core.progress import Progress
    from cityloop.demo.builder import build_demo, demo_exists

    call_command("migrate", verbosity=0)
    if not demo_exists():
        build_demo(progress=Progress(sys.stderr, interval=5))


def median_rate(work: Callable[[], int], repeats: int = 5) -> float:
    """Median items per second over ``repeats`` runs of ``work`` (which returns its count)."""
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        count = work()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def fmt(value: float) -> str:
    return f"{value:,.0f}"
