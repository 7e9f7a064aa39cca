"""Evidence packages (§3): the records of a household or unit that repeatedly failed to sort,
sealed in a hash chain that ``verify`` checks (docs/devices.md, docs/decisions/0024).

Each item holds ``content``, the canonical JSON of its record's sealed fields, and
``digest = sha256(previous item digest + content)``; the first item chains to its package's
``previous_digest``. A package's ``digest = sha256(previous package digest + header + last item
digest)``, where the header is the canonical JSON of the package's own fields; the first package
chains to ``GENESIS``. ``verify`` recomputes both chains and compares every item's content with
its record as it is now, so an edit of an item, a package or a record is found and named.

An item also seals its record's digest as it arrived (``record_digest``, ``digests``) and, when
CityLoop holds the image the record names, the image's SHA-256 and stored file
(``snapshot_sha256``, ``snapshot_file``; ``snapshots``): ``verify`` recomputes both from the
row and the file as they are now (docs/decisions/0036).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import shapely
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.chain import GENESIS, canonical, sha256
from cityloop.core.i18n import both, in_language, lazy_format
from cityloop.core.refusals import BadInput
from cityloop.devices import digests, filing, snapshots
from cityloop.devices.choices import MessageKind
from cityloop.devices.models import Record, Snapshot
from cityloop.org.models import Unit
from cityloop.sorting.choices import EvidenceSubject
from cityloop.sorting.models import CollectionPoint, EvidenceItem, EvidencePackage, Household

# Two sealers must never read the same chain head: on PostgreSQL they queue on this
# transaction-scoped advisory lock; SQLite lets one writer at a time anyway.
CHAIN_LOCK = 5_240_001

# The keys of an item's content that copy its record's own columns: ``verify`` compares them
# with the record as it is now. The others (codes, names) describe the record as it was sealed.
RECORD_KEYS = (
    "record",
    "device_id",
    "message_id",
    "seq",
    "kind",
    "time",
    "received",
    "point_id",
    "waste_type",
    "weight_kg",
    "is_correct",
    "card",
    "household_id",
    "payload",
)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def moment(value: str | date | datetime, *, end: bool = False) -> datetime:
    """An aware datetime from an ISO date or time, as a period's start or end is given.

    A date (``2026-11-01``) is its local midnight, or with ``end`` the next local midnight (the
    day is included: the command's ``--to``); a time without an offset is local time
    (``TIME_ZONE``); a time with an offset is kept. Raises ``ValueError`` for anything else."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an ISO date or time: {text}") from exc
    try:
        if not isinstance(value, datetime):
            day = value + timedelta(days=1 if end else 0)
            value = timezone.make_aware(datetime.combine(day, time()))
        elif timezone.is_naive(value):
            value = timezone.make_aware(value)
        value.astimezone(UTC)  # a time that UTC cannot hold (year 1 at +08:00) fails here
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"out of range: {value}") from exc
    return value


# The stored payload as text (the bytes the record's digest covers), beside the parsed payload.
PAYLOAD_TEXT = Cast("payload", TextField())


def sealed_fields(record: Record, snapshot: Snapshot | None = None) -> dict:
    """What an item seals of a record (the record with its device, point and household), with
    the record's digest as it arrived and the SHA-256 and file of the image it names, when
    CityLoop holds that image (else both null: the reference alone is sealed)."""
    payload = record.payload or {}
    device, point, household = record.device, record.point, record.household
    return {
        "record": record.pk,
        "device_id": record.device_id,
        "device": device.code,
        "device_kind": device.kind,
        "message_id": record.message_id,
        "seq": record.seq,
        "kind": record.kind,
        "time": _iso(record.occurred_at),
        "received": _iso(record.received_at),
        "point_id": record.point_id,
        "point": f"{point.code} {point.name}" if point else None,
        "waste_type": record.waste_type,
        "weight_kg": record.weight_kg,
        "is_correct": record.is_correct,
        "card": record.card_id,
        "household_id": record.household_id,
        "household": household.code if household else None,
        "snapshot": payload.get("snapshot") or payload.get("photo") or "",
        "payload": payload,
        "record_digest": digests.stored(record),
        "snapshot_sha256": snapshot.sha256 if snapshot is not None else None,
        "snapshot_file": snapshot.file.name if snapshot is not None else None,
    }


def header(package: EvidencePackage) -> str:
    return canonical(
        {
            "number": package.number,
            "subject": package.subject,
            "household": package.household_id,
            "unit": package.unit_id,
            "from": _iso(package.period_start),
            "to": _iso(package.period_end),
            "items": package.item_count,
            "sealed_at": _iso(package.sealed_at),
            "sealed_by": package.sealed_by_id,
        }
    )


def package_digest(package: EvidencePackage, last_item_digest: str) -> str:
    return sha256(package.previous_digest, header(package), last_item_digest)


# --- Incidents ----------------------------------------------------------------------------------


def unit_points(unit: Unit) -> set[int]:
    """The collection points a unit answers for: those it empties (contractor), those in its
    area (a community, street or the district) and those inside its responsibility zones (a
    property manager's estate, a market, a school)."""
    ids = set(
        CollectionPoint.objects.filter(
            Q(contractor=unit) | Q(community__path__startswith=unit.path)
        ).values_list("pk", flat=True)
    )
    from cityloop.geo.models import ResponsibilityZone

    shapes = [zone.shape for zone in ResponsibilityZone.objects.filter(owner=unit)]
    if shapes:
        area = shapely.union_all(shapes)
        west, south, east, north = area.bounds
        candidates = CollectionPoint.objects.filter(
            lon__range=(west, east), lat__range=(south, north)
        ).values_list("pk", "lon", "lat")
        for pk, lon, lat in candidates:
            if area.covers(shapely.Point(lon, lat)):
                ids.add(pk)
    return ids


def incidents(
    *, household: Household | None = None, unit: Unit | None = None, start, end
) -> list[Record]:
    """The records that count against the subject in [start, end), oldest first: a
    household's incorrectly sorted disposals; at a unit's points, incorrect disposals and
    camera alarms at or over the alarm confidence."""
    period = Q(occurred_at__gte=start, occurred_at__lt=end)
    wrong = Q(kind=MessageKind.DISPOSAL, is_correct=False)
    related = ("device", "point", "household")
    if household is not None:
        # Day by day through the (day, household) index (and the records not yet filed in
        # it: ``filing``), each local day the period touches.
        zone = timezone.get_default_timezone()
        first, last = (timezone.localtime(t, zone).date() for t in (start, end))
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        wanted = (
            Record.objects.filter(period, wrong)
            .select_related(*related)
            .annotate(payload_text=PAYLOAD_TEXT)
        )
        return list(filing.household_records(wanted, household, days).order_by("occurred_at", "id"))
    points = unit_points(unit)
    rows = Record.objects.filter(period, point_id__in=points).filter(
        wrong | Q(kind=MessageKind.AI_ALARM)
    )
    floor = settings.CITYLOOP_ALARM_MIN_CONFIDENCE
    return [
        r
        for r in rows.select_related(*related)
        .annotate(payload_text=PAYLOAD_TEXT)
        .order_by("occurred_at", "pk")
        if r.kind != MessageKind.AI_ALARM or (r.payload or {}).get("confidence", 0) >= floor
    ]


# --- Sealing ------------------------------------------------------------------------------------


def _lock_chain() -> EvidencePackage | None:
    """Take the chain head for this transaction and return the last package (or None)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    return EvidencePackage.objects.select_for_update().order_by("-pk").first()


def _number(now: datetime) -> str:
    day = timezone.localtime(now).date()
    prefix = f"EV{day:%Y%m%d}"
    count = EvidencePackage.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@transaction.atomic
def seal_package(
    *,
    household: Household | None = None,
    unit: Unit | None = None,
    start: datetime,
    end: datetime,
    by: Any = None,
    now: datetime | None = None,
) -> EvidencePackage:
    """Seal the subject's incidents of [start, end) as the next package of the chain.

    Refuses (``BadInput``) without exactly one subject, with an empty period, or with fewer
    incidents than ``CITYLOOP_EVIDENCE_MIN_INCIDENTS``; nothing is written then."""
    if (household is None) == (unit is None):
        raise BadInput(_("Choose a household or a unit (one of them)."), field="household")
    if end <= start:
        raise BadInput(_("The end of the period must come after its start."), field="end")
    now = now or timezone.now()
    if start > now:
        raise BadInput(_("The period must not start in the future."), field="start")
    found = incidents(household=household, unit=unit, start=start, end=end)
    minimum = settings.CITYLOOP_EVIDENCE_MIN_INCIDENTS
    if len(found) < minimum:
        message = lazy_format(
            _(
                "Only %(found)s incidents in this period; a package needs at least "
                "%(minimum)s (repeated failure)."
            ),
            {"found": len(found), "minimum": minimum},
        )
        raise BadInput(message, field="start", code="too_few_incidents")
    images = snapshots.of_records(found)
    _check_unchanged(found, images)
    head = _lock_chain()
    package = EvidencePackage(
        number=_number(now),
        subject=EvidenceSubject.HOUSEHOLD if household is not None else EvidenceSubject.UNIT,
        household=household,
        unit=unit,
        period_start=start,
        period_end=end,
        item_count=len(found),
        sealed_at=now,
        sealed_by=by if getattr(by, "pk", None) else None,
        previous_digest=head.digest if head is not None else GENESIS,
    )
    # Round-trip the times through the database first, so that the header hashed now is the
    # header verify reads back (microseconds, time zone).
    items, previous = [], package.previous_digest
    for seq, record in enumerate(found, start=1):
        image = images.get((record.device_id, snapshots.reference(record)))
        content = canonical(sealed_fields(record, image))
        digest = sha256(previous, content)
        items.append(
            EvidenceItem(
                seq=seq, record=record, content=content, previous_digest=previous, digest=digest
            )
        )
        previous = digest
    package.digest = sha256("pending", package.number)  # unique placeholder until the save below
    package.save()
    package.refresh_from_db()
    package.digest = package_digest(package, previous)
    package.save(update_fields=["digest"])
    for item in items:
        item.package = package
    EvidenceItem.objects.bulk_create(items)
    snapshots.seal(images.values(), now=now)
    return package


def _check_unchanged(found: list[Record], images: dict[tuple[int, str], Snapshot]) -> None:
    """Refuse (``BadInput``, ``changed_since_arrival``) to seal a record whose row no longer
    has the digest it arrived with, or an image whose file no longer has the SHA-256 it was
    stored with: a package must not vouch for data that was altered before it."""
    changed = [r.pk for r in found if digests.of_record(r, r.payload_text) != digests.stored(r)]
    altered = [s.name for s in images.values() if snapshots.file_sha256(s.file.name) != s.sha256]
    if changed or altered:
        message = lazy_format(
            _(
                "Some data changed after it arrived and cannot be sealed: records %(records)s; "
                "images %(images)s."
            ),
            {"records": ", ".join(map(str, changed)) or "-", "images": ", ".join(altered) or "-"},
        )
        raise BadInput(message, field="start", code="changed_since_arrival")


# --- Verifying ----------------------------------------------------------------------------------


def in_english(message: Any) -> str:
    return in_language(message, "en")


# What each problem means, for the people who read the API's answer (Chinese and English);
# the technical facts (digests, counts, the changed values) travel as ``Problem.data``.
PROBLEM_LABELS = {
    "package_chain": _(
        "The package does not chain to the package before it: a package was removed, "
        "inserted or edited."
    ),
    "item_count": _("The package holds another number of items than it states."),
    "item_order": _("An item is out of its sealed order."),
    "item_chain": _(
        "The item does not chain to the item before it: an item was removed or reordered."
    ),
    "item_digest": _("The item's content differs from what was sealed."),
    "item_content": _("The item's content is not valid JSON."),
    "record_missing": _("The sealed record no longer exists."),
    "record_changed": _("The record differs from what was sealed."),
    "package_digest": _("The package's fields or its items differ from what was sealed."),
    "record_digest": _("The record differs from the record as it arrived."),
    "image_missing": _("The sealed image is missing."),
    "image_changed": _("The sealed image's bytes differ from what was sealed."),
}


@dataclass
class Problem:
    package: str  # the package number
    item: int | None  # the item's position, or None for the package itself
    what: str  # a code, a key of PROBLEM_LABELS
    data: dict = field(default_factory=dict)  # the technical facts, language-free

    @property
    def label(self) -> Any:
        """What the problem means (lazy, translated)."""
        return PROBLEM_LABELS[self.what]

    @property
    def detail(self) -> str:
        """The facts in one technical English line (for the ``cityloop verify`` command)."""
        data = self.data
        if self.what == "record_changed":
            changes = "; ".join(
                f"{key}: {canonical(change['sealed'])} → {canonical(change['now'])}"
                for key, change in data["changes"].items()
            )
            return f"record {data['record']}: {changes}"
        if self.what in ("package_chain", "item_chain"):
            return (
                f"chains to {data['previous_digest'][:16]}…, expected "
                f"{data['expected_previous_digest'][:16]}…"
            )
        if self.what == "item_count":
            return f"{data['items']} items, the package says {data['item_count']}"
        if self.what == "item_order":
            return f"item at position {data['position']}"
        if self.what == "record_missing":
            return f"record {data['record']} is gone"
        if self.what == "record_digest":
            return (
                f"record {data['record']}: digest now {data['now'][:16]}…, as it arrived "
                f"{(data['sealed'] or data['stored'] or '?')[:16]}…"
            )
        if self.what in ("image_missing", "image_changed"):
            now = (data["now"] or "missing")[:16]
            return f"{data['file']}: SHA-256 now {now}…, sealed {data['sealed'][:16]}…"
        return in_english(self.label)

    def as_json(self) -> dict:
        return {
            "package": self.package,
            "item": self.item,
            "what": self.what,
            "label": both(self.label),
            "data": self.data,
        }

    def __str__(self) -> str:
        where = self.package if self.item is None else f"{self.package} #{self.item}"
        return f"{where}: {self.what}: {self.detail}"


@dataclass
class Report:
    packages: int = 0
    items: int = 0
    head: str = GENESIS  # the digest of the last package checked
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "packages": self.packages,
            "items": self.items,
            "head": self.head,
            "problems": [p.as_json() for p in self.problems],
        }

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.packages} packages, {self.items} items, chain intact "
                f"(head {self.head[:16]}…)"
            )
        first = self.problems[0]
        return (
            f"BROKEN: {len(self.problems)} problems in {self.packages} packages, "
            f"{self.items} items; first: {first}"
        )


def verify(
    *,
    packages: Iterable[EvidencePackage] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Recompute the chains; compare each item with its record as it is now.

    ``packages`` limits the check to some packages (each still checked against the package
    before it in the chain); ``progress(done, total)`` is called after each package."""
    report = Report()
    chain = list(EvidencePackage.objects.order_by("pk"))
    chosen = {p.pk for p in packages} if packages is not None else None
    total = len(chain) if chosen is None else len(chosen)
    previous = GENESIS
    for package in chain:
        if chosen is None or package.pk in chosen:
            _verify_package(package, previous, report)
            report.packages += 1
            if progress is not None:
                progress(report.packages, total)
        previous = package.digest
        report.head = package.digest
    return report


def _verify_package(package: EvidencePackage, expected_previous: str, report: Report) -> None:
    number = package.number
    if package.previous_digest != expected_previous:
        report.problems.append(
            Problem(
                number,
                None,
                "package_chain",
                {
                    "previous_digest": package.previous_digest,
                    "expected_previous_digest": expected_previous,
                },
            )
        )
    items = list(package.items.order_by("seq", "pk"))
    records = (
        Record.objects.select_related("device", "point", "household")
        .annotate(payload_text=PAYLOAD_TEXT)
        .in_bulk([i.record_id for i in items if i.record_id is not None])
    )
    if len(items) != package.item_count:
        report.problems.append(
            Problem(
                number, None, "item_count", {"items": len(items), "item_count": package.item_count}
            )
        )
    previous = package.previous_digest
    for position, item in enumerate(items, start=1):
        report.items += 1
        if item.seq != position:
            report.problems.append(Problem(number, item.seq, "item_order", {"position": position}))
        if item.previous_digest != previous:
            report.problems.append(
                Problem(
                    number,
                    item.seq,
                    "item_chain",
                    {"previous_digest": item.previous_digest, "expected_previous_digest": previous},
                )
            )
        computed = sha256(item.previous_digest, item.content)
        if computed != item.digest:
            report.problems.append(
                Problem(
                    number, item.seq, "item_digest", {"digest": item.digest, "computed": computed}
                )
            )
        _compare_record(number, item, records.get(item.record_id), report)
        previous = item.digest
    computed = package_digest(package, previous)
    if computed != package.digest:
        report.problems.append(
            Problem(
                number, None, "package_digest", {"digest": package.digest, "computed": computed}
            )
        )


def _compare_record(number: str, item: EvidenceItem, record: Record | None, report) -> None:
    if record is None:
        report.problems.append(
            Problem(number, item.seq, "record_missing", {"record": item.record_id})
        )
        return
    try:
        sealed = json.loads(item.content)
    except ValueError:
        report.problems.append(Problem(number, item.seq, "item_content"))
        return
    now = sealed_fields(record)
    changed = [key for key in RECORD_KEYS if sealed.get(key) != now.get(key)]
    if changed:
        changes = {key: {"sealed": sealed.get(key), "now": now.get(key)} for key in changed}
        report.problems.append(
            Problem(number, item.seq, "record_changed", {"record": record.pk, "changes": changes})
        )
    else:
        _compare_digest(number, item, record, sealed.get("record_digest"), report)
    _compare_image(number, item, sealed, report)


def _compare_digest(number: str, item: EvidenceItem, record: Record, sealed, report) -> None:
    """The record's digest as it is now against its digest as it arrived (sealed, and stored
    in the record row): a change made before the package was sealed, or one the sealed
    fields do not show, is found here. (Packages sealed before digests existed seal none.)"""
    now = digests.of_record(record, record.payload_text)
    kept = digests.stored(record)
    arrived = {value for value in (sealed, kept) if value is not None}
    if arrived and arrived != {now}:
        data = {"record": record.pk, "sealed": sealed, "stored": kept, "now": now}
        report.problems.append(Problem(number, item.seq, "record_digest", data))


def _compare_image(number: str, item: EvidenceItem, sealed: dict, report) -> None:
    """The sealed image's file as it is now against the SHA-256 the package sealed."""
    name, expected = sealed.get("snapshot_file"), sealed.get("snapshot_sha256")
    if not name or not expected:
        return
    now = snapshots.file_sha256(name) if default_storage.exists(name) else None
    if now != expected:
        what = "image_missing" if now is None else "image_changed"
        data = {"file": name, "sealed": expected, "now": now}
        report.problems.append(Problem(number, item.seq, what, data))


def verify_numbers(numbers: list[str], progress: Callable[[int, int], None]) -> Report:
    """``cityloop verify``'s evidence check: all packages, or those ``numbers`` name."""
    from cityloop.core.management.commands.verify import unknown

    chosen = None
    if numbers:
        chosen = list(EvidencePackage.objects.filter(number__in=numbers))
        missing = set(numbers) - {p.number for p in chosen}
        if missing:
            raise unknown("package", missing)
    return verify(packages=chosen, progress=progress)
