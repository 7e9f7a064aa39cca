"""``cityloop seal_evidence``: seal a household's or unit's incidents of a period as the next
evidence package (docs/devices.md, From data to action)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cityloop.core.i18n import bilingual
from cityloop.core.refusals import ActionRefused
from cityloop.org.models import Unit, User
from cityloop.sorting import evidence
from cityloop.sorting.models import Household


def moment(text: str, *, end: bool = False):
    """``evidence.moment`` (a date is local midnight; ``--to`` includes its day), as an error
    of the command."""
    try:
        return evidence.moment(text, end=end)
    except ValueError as exc:
        raise CommandError(f"not an ISO date or time: {text}") from exc


class Command(BaseCommand):
    help = "Seal a household's or unit's incidents of a period as an evidence package."

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--household", help="household code")
        subject.add_argument("--unit", help="unit code, or id")
        parser.add_argument("--from", dest="start", required=True, help="date or ISO time")
        parser.add_argument("--to", dest="end", required=True, help="date (inclusive) or time")
        parser.add_argument("--user", default="", help="username of the sealing staff member")

    def handle(self, *args, household, unit, start, end, user, **options):
        found_household = found_unit = by = None
        if household:
            found_household = Household.objects.filter(code=household).first()
            if found_household is None:
                raise CommandError(f"no household {household}")
        if unit:
            lookup = {"pk": int(unit)} if unit.isdigit() and len(unit) < 6 else {"code": unit}
            found_unit = Unit.objects.filter(**lookup).first()
            if found_unit is None:
                raise CommandError(f"no unit {unit}")
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"no user {user}")
        try:
            package = evidence.seal_package(
                household=found_household,
                unit=found_unit,
                start=moment(start),
                end=moment(end, end=True),
                by=by,
            )
        except ActionRefused as refused:
            raise CommandError(f"{refused.field}: {bilingual(refused.message)}") from refused
        self.stdout.write(f"{package.number} {package.item_count} items {package.digest}")
