"""``cityloop verify``: check everything that was sealed — the waste evidence packages' hash chain
(records, digests as they arrived, images; docs/devices.md) and the enforcement case files (each
case's chained history, its documents' and evidence's digests; docs/enforcement.md).

Prints each problem and one summary line per check; exits 1 when anything differs. Progress goes
to stderr for long runs. ``--only evidence|enforcement`` runs one check."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cityloop.core.verification import CHECKS


class Command(BaseCommand):
    help = (
        "Verify what was sealed: the evidence packages' chain against their records and images, "
        "and the enforcement case files (chained history, documents, evidence); exit code 1 if "
        "anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=sorted(CHECKS), help="run one check")
        parser.add_argument(
            "--package", action="append", default=[], help="check only this evidence package"
        )
        parser.add_argument(
            "--case", action="append", default=[], help="check only this enforcement case"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, only, package, case, quiet, **options):
        given = {"--package": package, "--case": case}
        names = [only] if only else sorted(CHECKS)
        if not only and (package or case):
            names = [n for n in names if given[CHECKS[n].option]]
        ok = True
        for name in names:
            check = CHECKS[name]
            selection = given[check.option]
            report = check.run(selection, self._progress(check.noun, quiet))
            for problem in report.problems:
                self.stdout.write(str(problem))
            self.stdout.write(f"{name}: {report.summary()}")
            ok = ok and report.ok
        if not ok:
            sys.exit(1)

    def _progress(self, noun: str, quiet: bool):
        step = 0

        def progress(done: int, total: int) -> None:
            nonlocal step
            if quiet or total < 20:
                return
            if done == total or done * 20 // total > step:
                step = done * 20 // total
                self.stderr.write(f"\r{done}/{total} {noun}", ending="")
                if done == total:
                    self.stderr.write("")

        return progress


def unknown(kind: str, missing: set[str]) -> CommandError:
    return CommandError(f"no such {kind}: {', '.join(sorted(missing))}")
