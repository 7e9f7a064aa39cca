"""The demo year, day by day: how many cases of each category each day, when and where they
are reported, by whom; each case's story told and the week's cases written in bulk.

Deterministic: the days' counts come from one generator seeded with the seed, each day's
draws from a generator seeded with (seed, day), each case's story from its own seed. The same
seed and the same last day give the same cases, tickets and histories on a fresh database.
Memory does not grow with the year: a week is built, written, committed and dropped.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from cityloop.core.progress import Progress
from cityloop.demo.history import mix, texts
from cityloop.demo.history.machine import CaseLife, Plan, Stop
from cityloop.demo.history.story import CENTRE, later_from, tell
from cityloop.demo.history.world import Actor, Category, HistoryUnavailable, World
from cityloop.demo.history.writer import Writer
from cityloop.events.choices import OPEN_STATES, CaseState, Source, Urgency
from cityloop.events.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseRequest,
    TicketCounter,
)
from cityloop.events.services.tickets import ticket_block
from cityloop.notifications.models import Notification
from cityloop.org.choices import Role
from cityloop.worktime.clock import SHANGHAI
from cityloop.worktime.errors import CalendarUnavailable
from cityloop.worktime.facts import current_facts

DEFAULT_DAYS = 365
BATCH_DAYS = 7
HOLD_DAYS = 3
PUBLIC = (Source.CITIZEN, Source.HOTLINE, Source.OPEN311)
EXTERNAL_PREFIX = {Source.HOTLINE: "SZ12345", Source.AI_CAMERA: "AI", Source.IOT_SENSOR: "IOT"}


@dataclass
class HistorySummary:
    """What ``generate_history`` wrote, and the rates it came out with."""

    cases: int = 0
    events: int = 0
    assignments: int = 0
    requests: int = 0
    first_day: date | None = None
    last_day: date | None = None
    seconds: float = 0.0
    states: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    closed: int = 0
    on_time: int = 0
    reworked: int = 0
    dispatched: int = 0
    extended: int = 0
    evaluated: int = 0
    satisfaction: int = 0

    @property
    def open(self) -> int:
        return sum(n for state, n in self.states.items() if state in OPEN_STATES)

    def rates(self) -> dict[str, float]:
        """按期结案率, 返工率 (of closed cases), 延期率 (of dispatched cases), mean rating."""
        return {
            "on_time": self.on_time / self.closed if self.closed else 0.0,
            "rework": self.reworked / self.closed if self.closed else 0.0,
            "extension": self.extended / self.dispatched if self.dispatched else 0.0,
            "satisfaction": self.satisfaction / self.evaluated if self.evaluated else 0.0,
        }

    def line(self) -> str:
        r = self.rates()
        return (
            f"demo history: {self.cases:,} cases ({self.open:,} open), {self.events:,} history "
            f"entries, {self.assignments:,} assignments, {self.requests:,} requests, "
            f"{self.first_day} – {self.last_day}; on time {r['on_time']:.1%}, rework "
            f"{r['rework']:.2%}, extension {r['extension']:.2%}, satisfaction "
            f"{r['satisfaction']:.2f} in {self.seconds:.1f} s"
        )

    def add(self, life: CaseLife) -> None:
        self.cases += 1
        self.states[life.state] += 1
        self.categories[life.p.category.key] += 1
        self.sources[life.p.source] += 1
        if life.closed_at is not None:
            self.closed += 1
            self.on_time += bool(life.closed_on_time)
            self.reworked += life.rework_count > 0
        if life.dispatched_at is not None:
            self.dispatched += 1
            self.extended += life.extension_count > 0
        if life.satisfaction is not None:
            self.evaluated += 1
            self.satisfaction += life.satisfaction


def history_exists() -> bool:
    return Case.objects.exists()


@transaction.atomic
def delete_history() -> None:
    """Remove every case with its history, tasks, requests, attachments, notifications and
    the day counters of ticket numbers (``cityloop demo --reset``)."""
    tables = [
        Attachment._meta.db_table,
        CaseEvent._meta.db_table,
        CaseRequest._meta.db_table,
        CaseAssignment._meta.db_table,
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 (our own table names)
        Notification.objects.filter(case__isnull=False).delete()
        cursor.execute(f"UPDATE {quote(Case._meta.db_table)} SET merged_into_id = NULL")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Case._meta.db_table)}")  # noqa: S608
    TicketCounter.objects.all().delete()


def generate_history(
    *,
    seed: int,
    until: date | None = None,
    days: int = DEFAULT_DAYS,
    cases: int | None = None,
    progress: Progress | None = None,
) -> HistorySummary:
    """Add ``days`` days of cases ending the day before ``until`` (default: today), as of
    ``until`` 00:00 Asia/Shanghai. ``cases`` defaults to the yearly mix scaled to ``days``."""
    started = time.monotonic()
    until = until or timezone.localdate()
    total = cases if cases is not None else round(mix.DEFAULT_YEARLY * days / 365)
    progress = progress or Progress()
    with translation.override(settings.LANGUAGE_CODE):
        year = Year(seed, until, days, total)
        progress.stage(f"demo history: {total:,} cases over {days} days to {until} (seed {seed})")
        summary = year.run(progress)
    summary.seconds = time.monotonic() - started
    return summary


class Year:
    """The days of the demo year and how many cases of each category fall on each."""

    def __init__(self, seed: int, until: date, days: int, total: int) -> None:
        if days < 1 or total < 0:
            raise HistoryUnavailable("the history needs at least one day and no negative count")
        self.seed = seed
        self.days = [until - timedelta(days=days - k) for k in range(days)]
        self.now = datetime.combine(until, clock_time(0), SHANGHAI)
        self.workdays = _workdays(self.days)
        self.world = World()
        self.matrix = self._counts(total)

    def _counts(self, total: int) -> np.ndarray:
        """Cases per category and day: the total split by the yearly mix, each category's
        share spread over the days by its sources' weekday, holiday and season factors."""
        shares = [c.mix.yearly for c in self.world.categories]
        per_category = _split(total, shares)
        rng = np.random.default_rng(self.seed)
        matrix = np.zeros((len(shares), len(self.days)), dtype=np.int64)
        for i, category in enumerate(self.world.categories):
            weights = np.array([self._day_weight(category.mix, d) for d in range(len(self.days))])
            matrix[i] = rng.multinomial(per_category[i], weights / weights.sum())
        return matrix

    def _day_weight(self, entry: mix.CategoryMix, d: int) -> float:
        day = self.days[d]
        holiday = not self.workdays[d] and day.weekday() < 5
        weight = 0.0
        for source, share in mix.SOURCE_MIXES[entry.sources].items():
            factor = mix.WEEKDAYS.get(source, (1,) * 7)[day.weekday()]
            if holiday:
                factor *= mix.HOLIDAY_FACTOR.get(source, 1.0)
            weight += share * factor
        return weight * mix.SEASONS.get(entry.season, {}).get(day.month, 1.0)

    def run(self, progress: Progress) -> HistorySummary:
        summary = HistorySummary(first_day=self.days[0], last_day=self.days[-1])
        writer = Writer()
        with _sqlite_cache():
            self._batches(writer, summary, progress)
        return summary

    def _batches(self, writer: Writer, summary: HistorySummary, progress: Progress) -> None:
        for start in range(0, len(self.days), BATCH_DAYS):
            with transaction.atomic():
                lives = []
                for d in range(start, min(start + BATCH_DAYS, len(self.days))):
                    lives += Day(self, d).lives()
                written = writer.write(lives)
            for life in lives:
                summary.add(life)
            summary.events += written["events"]
            summary.assignments += written["assignments"]
            summary.requests += written["requests"]
            done = min(start + BATCH_DAYS, len(self.days))
            progress.step("history days", done, len(self.days), force=done == len(self.days))


@dataclass
class Draft:
    """A case drawn for a day, before it is placed and numbered."""

    category: Category
    source: str
    reported_at: datetime
    place: str


class Day:
    """One day's cases: drawn, placed, numbered, told in the order they were reported."""

    def __init__(self, year: Year, d: int) -> None:
        self.year, self.world = year, year.world
        self.day = year.days[d]
        self.is_last_days = d >= len(year.days) - HOLD_DAYS
        self.rng = random.Random(year.seed * 1_000_003 + self.day.toordinal())
        self.np_rng = np.random.default_rng([year.seed, self.day.toordinal()])
        self.drafts = self._drafts(d)
        self.serials: Counter = Counter()
        self.open_by_category: dict[str, list[tuple[datetime, datetime | None, str, object]]] = {}

    def _drafts(self, d: int) -> list[Draft]:
        midnight = datetime.combine(self.day, clock_time(0), SHANGHAI)
        drafts = []
        for c, category in enumerate(self.world.categories):
            entry = category.mix
            sources = mix.SOURCE_MIXES[entry.sources]
            places = mix.PLACE_MIXES[entry.places]
            for _ in range(int(self.year.matrix[c, d])):
                source = self.rng.choices(list(sources), weights=list(sources.values()))[0]
                hour = self.rng.choices(range(24), weights=_hours(source, entry.evening))[0]
                at = midnight + timedelta(hours=hour, seconds=self.rng.randrange(3600))
                place = self.rng.choices([p for p, _ in places], weights=[s for _, s in places])
                drafts.append(Draft(category, source, at, place[0]))
        drafts.sort(key=lambda draft: draft.reported_at)
        return drafts

    def lives(self) -> list[CaseLife]:
        if not self.drafts:
            return []
        spots = self.world.places.draw([d.place for d in self.drafts], self.np_rng, self.rng.random)
        tickets = ticket_block(self.day, len(self.drafts))
        lives = []
        for draft, spot, ticket in zip(self.drafts, spots, tickets, strict=True):
            plan = self._plan(draft, spot, ticket)
            hold = (
                self.rng.randint(0, 9)
                if self.is_last_days and self.rng.random() < mix.HOLD
                else None
            )
            life = live(self.world, plan, self.year.now, hold)
            self._remember(life)
            lives.append(life)
        return lives

    def _plan(self, draft: Draft, spot, ticket: str) -> Plan:
        rng, category, source = self.rng, draft.category, draft.source
        urgent = category.key in mix.URGENT_CATEGORIES and rng.random() < mix.URGENT
        plan = Plan(
            ticket=ticket,
            category=category,
            source=source,
            spot=spot,
            reported_at=draft.reported_at,
            accept_at=draft.reported_at,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            description="",
            seed=rng.getrandbits(48),
        )
        plan.accept_at = later_from(rng, draft.reported_at, CENTRE, 2, 22, urgent=urgent)
        if rng.random() < mix.MERGE.get(source, mix.MERGE_OTHER):
            self._merge(plan)
        self._reporter(plan)
        plan.description = texts.description(
            rng, category.key, category.mix.kind, category.name, source, plan.spot.address
        )
        return plan

    def _merge(self, plan: Plan) -> None:
        """A duplicate of a case of the same category reported earlier today, still open."""
        earlier = self.open_by_category.get(plan.category.key, [])
        for reported, ended, ticket, spot in reversed(earlier):
            if reported < plan.reported_at and (ended is None or ended > plan.accept_at):
                plan.fate, plan.merge_into, plan.spot = "merge", ticket, spot
                return

    def _reporter(self, plan: Plan) -> None:
        rng, world, source = self.rng, self.world, plan.source
        spot = plan.spot
        if source == Source.INSPECTOR:
            plan.reporter = world.inspector(spot.community.pk, spot.street.pk, rng.random())
        elif source == Source.LEADER:
            plan.reporter = world.centre(Role.LEADER)
        elif source == Source.ENTITY_SELF_REPORT:
            plan.reporter = self._entity_reporter(spot)
        if source in PUBLIC and (source != Source.CITIZEN or rng.random() < 0.7):
            plan.reporter_name, plan.reporter_phone = texts.person(rng)
        prefix = EXTERNAL_PREFIX.get(source)
        if prefix:
            self.serials[source] += 1
            plan.external_id = f"{prefix}-{self.day:%Y%m%d}-{self.serials[source]:05d}"

    def _entity_reporter(self, spot) -> Actor | None:
        for zone_id in reversed(spot.zone_ids):
            zone = self.world.zones.get(zone_id)
            if zone is not None and zone.owner_id in self.world.staff.handlers:
                return self.world.staff.handlers[zone.owner_id]
        return None

    def _remember(self, life: CaseLife) -> None:
        ended = next((e.at for e in life.events if e.to_state not in OPEN_STATES), None)
        if life.state != CaseState.MERGED:
            entry = (life.p.reported_at, ended, life.p.ticket, life.p.spot)
            self.open_by_category.setdefault(life.p.category.key, []).append(entry)


def live(world: World, plan: Plan, now: datetime, hold: int | None) -> CaseLife:
    """Tell a case's story up to now. A step whose deadline would fall in a year without a
    calendar is treated as not yet taken: the story is told again, stopping before it."""
    life = CaseLife(world, plan, now, hold_at=hold)
    try:
        tell(life)
    except Stop:
        pass
    except CalendarUnavailable:
        stop_at = life.gates - 1
        life = CaseLife(world, plan, now, hold_at=hold)
        life.stop_at = stop_at
        with contextlib.suppress(Stop):
            tell(life)
    life.finish()
    return life


_HOURS: dict[tuple[str, bool], list[float]] = {}


def _hours(source: str, evening: bool) -> list[float]:
    key = (source, evening)
    if key not in _HOURS:
        weights = list(mix.HOURS.get(source, mix.HOURS["citizen"]))
        if evening:
            weights = [w * mix.EVENING_BOOST.get(h, 1.0) + 0.2 for h, w in enumerate(weights)]
        _HOURS[key] = weights
    return _HOURS[key]


@contextlib.contextmanager
def _sqlite_cache(pages_kib: int = 65536):
    """A larger SQLite page cache while the year is written (index pages stay in memory);
    the connection's own setting comes back afterwards. Nothing to do on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(pages_kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _split(total: int, shares: list[int]) -> list[int]:
    """``total`` split in proportion to ``shares``, largest remainders first (exact total)."""
    whole = sum(shares)
    exact = [total * s / whole for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _workdays(days: list[date]) -> list[bool]:
    facts = current_facts()
    try:
        return [facts.is_workday(day) for day in days]
    except CalendarUnavailable as exc:
        raise HistoryUnavailable(
            f"the working-time calendar has no year {exc.year} (enter its holidays and declare "
            "it in the admin, or pass an earlier --until)"
        ) from exc
