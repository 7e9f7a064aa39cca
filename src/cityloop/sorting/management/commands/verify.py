"""``cityloop verify``: recompute the evidence chain and compare it with the records (their
fields and their digests as they arrived) and the sealed images' bytes.

Prints one summary line (and each problem); exits 1 when the chain is broken. Progress goes to
stderr for long chains (docs/devices.md, From data to action; docs/decisions/0024)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cityloop.sorting import evidence
from cityloop.sorting.models import EvidencePackage


class Command(BaseCommand):
    help = (
        "Verify the evidence packages' hash chain and compare every sealed item with its record "
        "(and its digest as it arrived) and its image as they are now; exit code 1 if anything "
        "differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--package", action="append", default=[], help="check only this package number"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, package, quiet, **options):
        chosen = None
        if package:
            chosen = list(EvidencePackage.objects.filter(number__in=package))
            missing = set(package) - {p.number for p in chosen}
            if missing:
                raise CommandError(f"no such package: {', '.join(sorted(missing))}")
        step = 0

        def progress(done: int, total: int) -> None:
            nonlocal step
            if quiet or total < 20:
                return
            if done == total or done * 20 // total > step:
                step = done * 20 // total
                self.stderr.write(f"\r{done}/{total} packages", ending="")
                if done == total:
                    self.stderr.write("")

        report = evidence.verify(packages=chosen, progress=progress)
        for problem in report.problems:
            self.stdout.write(str(problem))
        self.stdout.write(report.summary())
        if not report.ok:
            sys.exit(1)
