"""``cityloop rollups_rebuild --from DAY --to DAY``: recompute the roll-ups of a period from the
stored records (repairs; docs/indicators.md)."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cityloop.sorting import rollups


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a day (YYYY-MM-DD): {value!r}") from error


class Command(BaseCommand):
    help = (
        "Recompute the point, plant, household, community and device roll-ups of a period "
        "(widened to whole months) from the stored records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args, **options):
        start, end = _day(options["start"]), _day(options["end"])
        if end < start:
            raise CommandError("--to is before --from")
        started = time.monotonic()

        def say(line: str) -> None:
            self.stdout.write(f"  {line}  ({time.monotonic() - started:.1f}s)")
            self.stdout.flush()

        done = rollups.rebuild(start, end, progress=say)
        self.stdout.write(f"rollups_rebuild: {done.line()} in {time.monotonic() - started:.1f} s")
