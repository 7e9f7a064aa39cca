"""Indicator queries (cityloop.sorting.indicators) on a year of roll-ups of a demo-sized district.

The district: 10 streets, 115 communities, 230 collection points (2 per community), 60,000
registered households, 472 devices, 300 venues of 14 categories; a year (365 days) of roll-ups
written directly (no records): 335,800 point-days (4 waste types), 41,975 community-days,
~160,000 device-days, plant-days. Built once in its own database and reused: SQLite
``var/bench/indicators.sqlite3``, and PostgreSQL ``cityloop_bench_indicators`` on the server of
``CITYLOOP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``) when it answers.

Each query is run ``REPEATS`` times after one warm-up; the lines give the median and the p99
(nearest rank) against the goal of 100 ms. Where an honest slower way to get the same figures
exists in the same run, it is timed too: a ranking (one grouped query per roll-up table) beside
one ``summary`` per child, and a daily trend beside one ``summary`` per day.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = os.environ.get("CITYLOOP_BENCH_INDICATORS_CHILD") == "1"
PG_SERVER = os.environ.get("CITYLOOP_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "cityloop_bench_indicators"
SQLITE = ROOT / "var" / "bench" / "indicators.sqlite3"

if CHILD:
    import common

    common.setup_django()

STREETS, COMMUNITIES, POINTS_PER_COMMUNITY, HOUSEHOLDS = 10, 115, 2, 60_000
FIRST, DAYS = date(2025, 12, 1), 365
LAST = FIRST + timedelta(days=DAYS - 1)
MONTH = date(2026, 10, 1)  # a whole month inside the year
DAY = date(2026, 10, 15)
REPEATS = 30
GOAL_MS = 100.0
TYPES = ("kitchen", "recyclable", "hazardous", "other")
NO_TOKEN = "-"  # noqa: S105 (the bench's devices never send: no token)
SHARE = {"kitchen": 0.45, "recyclable": 0.12, "hazardous": 0.01, "other": 0.42}


def build() -> None:
    """Units, registries and a year of roll-ups, written directly in bulk."""
    from django.db import connection, transaction

    from cityloop.devices.models import Device, DeviceDay
    from cityloop.org.choices import UnitKind
    from cityloop.org.services import unit_create
    from cityloop.sorting.models import (
        CollectionPoint,
        CommunityDay,
        CommunityMonth,
        Household,
        PlantDay,
        PointDay,
        StreetDay,
        Venue,
        VenueCategory,
    )

    rng = random.Random(42)
    started = time.monotonic()
    with transaction.atomic():
        district = unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")
        communities = []
        for s in range(STREETS):
            street = unit_create(
                kind=UnitKind.STREET, name=f"街道{s + 1:02d}", code=f"440303{s + 1:03d}",
                parent=district,
            )  # fmt: skip
            for c in range(COMMUNITIES // STREETS + (1 if s < COMMUNITIES % STREETS else 0)):
                communities.append(
                    unit_create(
                        kind=UnitKind.COMMUNITY,
                        name=f"社区{s + 1:02d}{c + 1:03d}",
                        code=f"440303{s + 1:03d}{c + 1:03d}",
                        parent=street,
                    )
                )
        points = CollectionPoint.objects.bulk_create(
            CollectionPoint(
                code=f"P{i:04d}", name=f"投放点{i}", kind="multi_sort_room", community=community,
                lon=114.1 + rng.random() * 0.05, lat=22.53 + rng.random() * 0.04,
            )
            for i, community in enumerate(
                c for c in communities for _ in range(POINTS_PER_COMMUNITY)
            )
        )  # fmt: skip
        Household.objects.bulk_create(
            (
                Household(code=f"H{i:06d}", community=communities[i % len(communities)])
                for i in range(HOUSEHOLDS)
            ),
            batch_size=5_000,
        )
        created = datetime(2025, 11, 1, tzinfo=UTC)
        devices = [
            Device(code=f"D{p.pk}-{k}", kind=k, point=p, token_prefix=NO_TOKEN,
                   token_hash=f"{p.pk:032x}{n:032x}", created_at=created)
            for p in points for n, k in enumerate(("smart_scale", "ai_camera"))
        ] + [
            Device(code=f"T{i}", kind="truck_unit", truck_plate=f"粤B{i:05d}", token_prefix=NO_TOKEN,
                   token_hash=f"{0:032x}{i + 10:032x}", created_at=created)
            for i in range(12)
        ]  # fmt: skip
        devices = Device.objects.bulk_create(devices)
        categories = VenueCategory.objects.bulk_create(
            VenueCategory(code=f"C{i:02d}", name=f"场所类别{i}", order=i) for i in range(14)
        )
        Venue.objects.bulk_create(
            Venue(code=f"V{i:04d}", name=f"场所{i}", category=categories[i % 14],
                  community=communities[i % len(communities)], sorting_in_place=rng.random() < 0.8)
            for i in range(300)
        )  # fmt: skip
        per_point = HOUSEHOLDS / len(points)
        days = [FIRST + timedelta(days=d) for d in range(DAYS)]
        with connection.cursor() as cursor:
            rows = []
            for p in points:
                street = next(c.parent_id for c in communities if c.pk == p.community_id)
                for day in days:
                    for t in TYPES:
                        n = int(per_point * SHARE[t] * rng.uniform(0.6, 0.9))
                        judged = int(n * 0.9)
                        rows.append((p.pk, p.community_id, street, day, t, n, judged,
                                     int(judged * rng.uniform(0.7, 0.95)), n * 1.1, 1,
                                     n * 1.2, int(rng.random() < 0.05)))  # fmt: skip
            sums = "disposals judged correct disposed_kg collections collected_kg alarms"
            _insert(
                cursor, PointDay, f"point_id community_id street_id day waste_type {sums}", rows
            )
            streets: dict = {}
            for _p, _c, street, day, t, *values in rows:
                total = streets.setdefault((day, street, t), [0] * len(values))
                for i, value in enumerate(values):
                    total[i] += value
            _insert(
                cursor,
                StreetDay,
                f"day street_id waste_type {sums}",
                [(*k, *v) for k, v in sorted(streets.items())],
            )
            size = HOUSEHOLDS // len(communities)
            _insert(cursor, CommunityDay, "community_id street_id day households", [
                (c.pk, c.parent_id, day, int(size * rng.uniform(0.55, 0.8)))
                for c in communities for day in days
            ])  # fmt: skip
            months = sorted({d.replace(day=1) for d in days})
            _insert(cursor, CommunityMonth, "community_id street_id month households", [
                (c.pk, c.parent_id, m, int(size * rng.uniform(0.85, 0.97)))
                for c in communities for m in months
            ])  # fmt: skip
            _insert(cursor, DeviceDay, "device_id day", [
                (d.pk, day) for d in devices for day in days if rng.random() < 0.93
            ])  # fmt: skip
            _insert(cursor, PlantDay, "day waste_type intakes treated_kg", [
                (day, t, 20, 1000 * 400 * SHARE[t]) for day in days for t in TYPES
            ])  # fmt: skip
    print(
        f"  (built the district and a year of roll-ups in {time.monotonic() - started:.0f} s)",
        file=sys.stderr,
    )


def _insert(_cursor, model, columns: str, rows: list) -> None:
    """``executemany`` on SQLite, ``COPY`` on PostgreSQL (cityloop.core.bulk)."""
    from cityloop.core.bulk import bulk_append

    bulk_append(model=model, fields=columns.split(), rows=rows)


def timed(work, repeats: int = REPEATS) -> tuple[float, float]:
    """Median and p99 (nearest rank) in milliseconds of ``repeats`` runs after a warm-up."""
    work()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples) + 0.999) - 1)]
    return samples[len(samples) // 2], p99


def child() -> None:
    from django.core.management import call_command
    from django.db import connection

    from cityloop.org.choices import UnitKind
    from cityloop.org.models import Unit
    from cityloop.sorting import indicators
    from cityloop.sorting.indicators import Period
    from cityloop.sorting.models import PointDay

    call_command("migrate", verbosity=0)
    if not PointDay.objects.exists():
        build()
    db = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    street = Unit.objects.filter(kind=UnitKind.STREET).order_by("code").first()
    community = Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("code").first()
    day, month = Period.of_day(DAY), Period.of_month(MONTH)
    rows = PointDay.objects.count()

    def line(what: str, work, baseline=None) -> None:
        median, p99 = timed(work)
        if baseline is None:
            compare = f"vs goal {GOAL_MS:.0f} ms, ratio {GOAL_MS / median:,.1f}"
        else:
            name, slow = baseline
            slow_median, _ = timed(slow, repeats=max(3, REPEATS // 5))
            compare = f"vs {name} {slow_median:,.1f} ms, ratio {slow_median / median:,.1f}"
        flag = "" if p99 < GOAL_MS else " (OVER THE GOAL)"
        print(
            f"indicators {what} ({db}, {rows:,} point-days): {median:,.1f} ms median, "
            f"p99 {p99:,.1f} ms{flag} {compare}",
            flush=True,
        )

    line("district day summary", lambda: indicators.summary(district, day))
    line("district month summary", lambda: indicators.summary(district, month))
    line("street month summary", lambda: indicators.summary(street, month))
    line("community day summary", lambda: indicators.summary(community, day))
    line("community month summary", lambda: indicators.summary(community, month))
    children = list(Unit.objects.filter(parent=district, kind=UnitKind.STREET))
    line(
        f"ranking of the district's {len(children)} streets, month",
        lambda: indicators.ranking(district, month),
        ("one summary per street", lambda: [indicators.summary(s, month) for s in children]),
    )
    line("ranking of a street's communities, month", lambda: indicators.ranking(street, month))
    last = MONTH + timedelta(days=29)
    line(
        "district daily trend, 30 days",
        lambda: indicators.trend(district, MONTH, last),
        (
            "one summary per day",
            lambda: [
                indicators.summary(district, Period.of_day(MONTH + timedelta(days=d)))
                for d in range(30)
            ],
        ),
    )
    line(
        "district monthly trend, 12 months",
        lambda: indicators.trend(district, FIRST, LAST, grain="month"),
    )
    line("street daily trend, 365 days", lambda: indicators.trend(street, FIRST, LAST))
    line("point map of the district, month", lambda: indicators.point_rates(district, *_m(month)))
    line("venue coverage per category, district", lambda: indicators.venue_coverage(district))


def _m(period) -> tuple[date, date]:
    return period.start, period.end


def _pg_up() -> bool:
    try:
        done = subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-Atc", "SELECT 1"],
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def main() -> None:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    started = time.monotonic()
    base = {**os.environ, "CITYLOOP_BENCH_INDICATORS_CHILD": "1"}
    SQLITE.parent.mkdir(parents=True, exist_ok=True)
    script = str(Path(__file__).resolve())
    if only != "postgresql":
        subprocess.run(
            [sys.executable, script],
            env={**base, "CITYLOOP_DATABASE_URL": f"sqlite:///{SQLITE}"},
            check=True,
        )
    if only == "sqlite":
        pass
    elif not _pg_up():
        print(f"indicators (PostgreSQL): FAILED, cannot run: no server at {PG_SERVER}")
        return 1
    else:
        exists = subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-Atc",
             f"SELECT 1 FROM pg_database WHERE datname = '{PG_NAME}'"],  # noqa: S608
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not exists:
            subprocess.run(
                ["psql", f"{PG_SERVER}/postgres", "-qAtc", f"CREATE DATABASE {PG_NAME}"],
                check=True,
            )
        subprocess.run(
            [sys.executable, script],
            env={**base, "CITYLOOP_DATABASE_URL": f"{PG_SERVER}/{PG_NAME}"},
            check=True,
        )
    print(f"  (indicators bench in {time.monotonic() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    if CHILD:
        child()
    else:
        main()
