"""What the clock needs to know about dates and units, cached per process.

The override, declared-year and office-hours tables are small (a few hundred rows), so a
process loads them whole into a :class:`CachedFacts` and memoises each date's answer. The cache
is tagged with the token of :class:`~cityloop.worktime.models.CalendarVersion`, which every
calendar or office-hours write replaces in the same transaction. :func:`current_facts` reads
the token (one primary-key query, a few microseconds) at every computation and rebuilds the
cache when it differs, so an edit made in any process counts in every process from its commit
on, and a rolled-back edit never lingers (the token is random, so it never comes back).
:func:`uncached` swaps in :class:`DatabaseFacts`, which asks the database every time: the
benchmark's baseline and a cross-check in the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection

from cityloop.org.models import Unit
from cityloop.worktime.choices import CalendarSource
from cityloop.worktime.models import CalendarOverride, CalendarYear, OfficeHours, OfficePeriod
from cityloop.worktime.officehours import DEFAULT_PERIODS, Period, Span, spans
from cityloop.worktime.workdays import decide_workday, year_source

DEFAULT_SPANS = spans(DEFAULT_PERIODS)


def unit_chain(unit: Unit | None) -> list[int | None]:
    """Where to look for a unit's office hours: itself, its ancestors upwards, then the default."""
    if unit is None:
        return [None]
    ids: list[int | None] = [int(p) for p in reversed(unit.path.strip("/").split("/")) if p]
    return [*ids, None]


class Facts:
    """The decisions; subclasses say where overrides, declarations and office hours come from."""

    def override(self, day: date) -> str | None:
        raise NotImplementedError

    def is_declared(self, year: int) -> bool:
        raise NotImplementedError

    def own_spans(self, unit_id: int | None) -> tuple[Span, ...] | None:
        raise NotImplementedError

    def is_workday(self, day: date) -> bool:
        return decide_workday(day, override=self.override(day), declared=self.is_declared(day.year))

    def source(self, year: int) -> CalendarSource | None:
        """Where ``year``'s calendar comes from (None: it has none)."""
        return year_source(year, declared=self.is_declared(year))

    def first_provisional_year(self, first: date, last: date) -> int | None:
        """The first year from ``first`` to ``last`` counted on the provisional rule, if any."""
        for year in range(first.year, last.year + 1):
            if self.source(year) == CalendarSource.PROVISIONAL:
                return year
        return None

    def spans(self, unit: Unit | None) -> tuple[Span, ...]:
        """The office periods of a unit: its own, else its nearest ancestor's, else the default."""
        for unit_id in unit_chain(unit):
            found = self.own_spans(unit_id)
            if found is not None:
                return found
        return DEFAULT_SPANS


class DatabaseFacts(Facts):
    """Asks the database for every answer (no cache)."""

    def override(self, day: date) -> str | None:
        return CalendarOverride.objects.filter(day=day).values_list("kind", flat=True).first()

    def is_declared(self, year: int) -> bool:
        return CalendarYear.objects.filter(year=year).exists()

    def own_spans(self, unit_id: int | None) -> tuple[Span, ...] | None:
        periods = OfficePeriod.objects.filter(office_hours__unit_id=unit_id)
        if unit_id is None:
            periods = OfficePeriod.objects.filter(office_hours__unit__isnull=True)
        found = [Period(start, end) for start, end in periods.values_list("start", "end")]
        return spans(found) if found else None


class CachedFacts(Facts):
    """The three small tables loaded whole, and each date's and unit's answer memoised."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.overrides = dict(CalendarOverride.objects.values_list("day", "kind"))
        self.declared = frozenset(CalendarYear.objects.values_list("year", flat=True))
        self.office_hours = _load_office_hours()
        self._workdays: dict[date, bool] = {}
        self._unit_spans: dict[str | None, tuple[Span, ...]] = {}

    def override(self, day: date) -> str | None:
        return self.overrides.get(day)

    def is_declared(self, year: int) -> bool:
        return year in self.declared

    def own_spans(self, unit_id: int | None) -> tuple[Span, ...] | None:
        return self.office_hours.get(unit_id)

    def is_workday(self, day: date) -> bool:
        try:
            return self._workdays[day]
        except KeyError:
            answer = self._workdays[day] = super().is_workday(day)
            return answer

    def spans(self, unit: Unit | None) -> tuple[Span, ...]:
        key = unit.path if unit is not None else None
        try:
            return self._unit_spans[key]
        except KeyError:
            answer = self._unit_spans[key] = super().spans(unit)
            return answer


def _load_office_hours() -> dict[int | None, tuple[Span, ...]]:
    periods: dict[int | None, list[Period]] = {}
    rows = OfficeHours.objects.values_list("unit_id", "periods__start", "periods__end")
    for unit_id, start, end in rows:
        if start is not None:
            periods.setdefault(unit_id, []).append(Period(start, end))
    return {unit_id: spans(found) for unit_id, found in periods.items()}


class _Switch(threading.local):
    """Per thread: whether caching is switched off (see :func:`uncached`)."""

    disabled: bool = False


class _Cache:
    """Per process: the facts of the last token seen."""

    facts: CachedFacts | None = None


_switch = _Switch()
_cache = _Cache()
# Raw SQL: the check runs once per computation, and the ORM would cost ten times the query.
_TOKEN_SQL = "SELECT token FROM worktime_calendarversion WHERE id = 1"  # noqa: S105 (not a secret)


def read_token() -> str:
    """The calendar token in the database ("" before the first calendar write)."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else ""


def current_facts() -> Facts:
    """The facts to compute with: the cache if the database still has its token."""
    if _switch.disabled:
        return DatabaseFacts()
    token = read_token()
    facts = _cache.facts
    if facts is None or facts.token != token:
        facts = _cache.facts = CachedFacts(token)
    return facts


def invalidate() -> None:
    """Forget this process's cache (the token check makes this unnecessary but for tests)."""
    _cache.facts = None


@contextmanager
def uncached() -> Iterator[None]:
    """Compute from the database alone inside the block (benchmark baseline, cross-checks)."""
    previous = _switch.disabled
    _switch.disabled = True
    try:
        yield
    finally:
        _switch.disabled = previous
