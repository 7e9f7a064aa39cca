"""Registries of garbage-sorting supervision (docs/devices.md, registries) and the raw ingested data
(ingestion).

Points, bins, households and devices are registries kept by staff in the admin. Messages,
records and quarantined messages are written only by the ingestion pipeline
(``cityloop.devices.ingest``), in bulk, with no model code running per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.core.scoping import ScopedQuerySet
from cityloop.core.workflow.history import HistoryEntry
from cityloop.devices.choices import (
    AlarmKind,
    DeviceKind,
    EvidenceSubject,
    MessageKind,
    PointKind,
    QuarantineReason,
    TaskReason,
    TaskStatus,
    WasteType,
)
from cityloop.devices.fields import JSONTextField, RowIdField
from cityloop.devices.record_schemas import check_vendor_keys
from cityloop.geo.models import Grid
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit


class CollectionPoint(models.Model):
    """A collection point 投放点 or garbage room 垃圾厢房 of a community, located in WGS-84."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=PointKind.choices)
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="collection_points",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collection_points",
    )
    lon = models.FloatField(_("longitude (WGS-84)"))
    lat = models.FloatField(_("latitude (WGS-84)"))
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("sanitation contractor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_points",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
        help_text=_("Who empties the bins: fill-level and overflow tasks go to them."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collection point")
        verbose_name_plural = _("collection points")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Bin(models.Model):
    """A bin of one waste type at a collection point, tagged with a unique RFID."""

    point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("collection point"),
        on_delete=models.CASCADE,
        related_name="bins",
    )
    waste_type = models.CharField(_("waste type"), max_length=20, choices=WasteType.choices)
    capacity_litres = models.PositiveIntegerField(_("capacity (litres)"))
    rfid_tag = models.CharField(_("RFID tag"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        ordering = ["point", "waste_type", "rfid_tag"]

    def __str__(self) -> str:
        return f"{self.rfid_tag} ({self.get_waste_type_display()})"


class HouseholdQuerySet(ScopedQuerySet):
    scope_unit_fields = ("community",)


class Household(models.Model):
    """A registered household, known by a pseudonymous id.

    Building and room identify a person's home: they are kept in their own fields so that
    lists, exports and the API leave them out unless the role needs them (docs/devices.md).
    """

    code = models.CharField(
        _("household id"),
        max_length=40,
        unique=True,
        help_text=_("A pseudonymous id; no name or telephone number is stored."),
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )
    point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("usual collection point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    building = models.CharField(_("building"), max_length=40, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class HouseholdCard(models.Model):
    """A disposal card (RFID or IC) of a household; a household may hold several."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="cards"
    )
    card_id = models.CharField(_("card id"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("household card")
        verbose_name_plural = _("household cards")
        ordering = ["card_id"]

    def __str__(self) -> str:
        return self.card_id


def online_window() -> timedelta:
    return timedelta(minutes=settings.CITYLOOP_DEVICE_ONLINE_MINUTES)


def validate_vendor_keys(value) -> None:
    """Check a device's vendor key map (``record_schemas.check_vendor_keys``)."""
    check_vendor_keys(value)


class Device(models.Model):
    """A device that sends data: at a collection point, or on a truck (by plate).

    It authenticates with a token of which only the SHA-256 is stored (shown once, when
    made); a gateway's token also covers the devices that name it as their gateway.
    """

    code = models.CharField(_("device id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("collection point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    truck_plate = models.CharField(_("truck plate"), max_length=16, blank=True)
    gateway = models.ForeignKey(
        "self",
        verbose_name=_("gateway"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subdevices",
        help_text=_("A station gateway whose token may also send this device's messages."),
    )
    token_prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    vendor_keys = models.JSONField(
        _("vendor keys"),
        default=dict,
        blank=True,
        validators=[validate_vendor_keys],
        help_text=_(
            "For vendor formats (ThingsBoard, Alink): the firmware's keys to record fields, "
            'e.g. {"Weight": "weight_kg", "CardNo": "card", "rssi": null} (null: ignore the key).'
        ),
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(point__isnull=False) | ~models.Q(truck_plate=""),
                name="devices_device_point_or_plate",
                violation_error_message=_("A device is at a collection point or on a truck."),
            )
        ]

    def __str__(self) -> str:
        return self.code

    def is_online(self, now: datetime | None = None) -> bool:
        """Seen within the configured window (CITYLOOP_DEVICE_ONLINE_MINUTES)."""
        if self.last_seen_at is None:
            return False
        return (now or timezone.now()) - self.last_seen_at <= online_window()


class Message(models.Model):
    """An accepted message: its id is stored once per device (idempotent retries)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField(_("message id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    record_count = models.PositiveIntegerField(_("records"))
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["device", "message_id"], name="devices_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.message_id}"


class Record(models.Model):
    """One record of a message, of any kind: the columns later roll-ups filter and sum on,
    and the whole record as sent in ``payload``.

    Records are written only with their message, in the transaction whose ``INSERT`` of the
    ``Message`` row (unique per device and id) succeeded, so a replayed message adds nothing.
    The table therefore carries no unique index of its own, and only the indexes its readers
    use: point × time, and local day × household (a household's records are found day by day:
    a household × time index takes each record to a random page, which a day-first index keeps
    to today's pages). Every index costs the ingestion rate
    (docs/decisions/0029-record-indexes.md, 0030-record-columns.md). The payload is JSON kept
    as text and the primary key has no SQLite ``AUTOINCREMENT`` (``fields``).

    The day × household index holds only *filed* records. On SQLite a household's new records
    arrive unfiled and are filed in arrears, sixty thousand or so at a time, in one statement
    that touches each index page once instead of once per batch; until then a small index of
    the unfiled ones finds them (``filing``, docs/decisions/0033-filing-in-arrears.md)."""

    id = RowIdField(primary_key=True, serialize=False, verbose_name="ID")
    # No foreign keys in the database (``db_constraint=False``): checking three of them for
    # every row halved PostgreSQL's COPY. Django still protects and nulls them on delete
    # (docs/decisions/0034-record-foreign-keys.md).
    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,
        db_constraint=False,
    )
    message_id = models.CharField(_("message id"), max_length=64)
    seq = models.PositiveIntegerField(_("position in the message"))
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    day = models.DateField(_("local day"), help_text=_("The day of the time in the district."))
    point = models.ForeignKey(
        CollectionPoint,
        null=True,
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # devices_rec_point_at leads with it
        db_constraint=False,
    )
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True)
    is_correct = models.BooleanField(_("correctly sorted"), null=True)
    card_id = models.CharField(_("card id"), max_length=64, blank=True)
    household = models.ForeignKey(
        Household,
        null=True,
        on_delete=models.SET_NULL,
        related_name="records",
        db_index=False,  # devices_rec_day_household holds it
        db_constraint=False,
    )
    payload = JSONTextField(_("payload"))
    received_at = models.DateTimeField(_("received"))
    filed = models.BooleanField(
        _("filed under its household"),
        default=True,
        help_text=_("In the household index by day; records still waiting are found all the same."),
    )
    # The SHA-256 of the record's row text as it arrived (``digests``), written by the pipeline
    # in the same pass that builds the row; evidence packages seal it (as hex). The 32 bytes,
    # not 64 hex characters: SQLite's insert rate follows the row's size (decision 0036).
    # Nullable so that adding the column rewrote no table (migration 0006 computed the older
    # rows').
    digest = models.BinaryField(_("digest (SHA-256) as received"), max_length=32, null=True)

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        indexes = [
            models.Index(fields=["point", "occurred_at"], name="devices_rec_point_at"),
            models.Index(
                fields=["day", "household"],
                name="devices_rec_day_household",
                condition=Q(filed=True),
            ),
            models.Index(fields=["id"], name="devices_rec_unfiled", condition=Q(filed=False)),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.message_id}#{self.seq}"


def snapshot_file_name(instance: Snapshot, filename: str) -> str:
    """``snapshots/ab/<sha256><ext>``: a stored image is named by its content, so storing other
    bytes never overwrites a file that a package sealed."""
    suffix = PurePosixPath(instance.name).suffix.lower()
    suffix = suffix if suffix in SNAPSHOT_SUFFIXES else ""
    return f"snapshots/{instance.sha256[:2]}/{instance.sha256}{suffix}"


SNAPSHOT_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp")


class Snapshot(models.Model):
    """An image a device's records name (a camera alarm's ``snapshot``, a scale's ``photo``),
    held by CityLoop so that evidence can seal its bytes, not only its name.

    ``name`` is the reference as the records give it; ``sha256`` is taken over the bytes when
    they are stored (``snapshots.snapshot_store``), and the file is named by it. Once an
    evidence package seals the image (``sealed_at``) it can no longer be replaced or removed
    through the application (docs/devices.md, docs/decisions/0036)."""

    device = models.ForeignKey(
        Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="snapshots"
    )
    name = models.CharField(
        _("name in the records"),
        max_length=500,
        help_text=_("The snapshot or photo reference exactly as the device's records give it."),
    )
    file = models.FileField(_("image"), upload_to=snapshot_file_name, max_length=120)
    sha256 = models.CharField(_("SHA-256 of the image"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    stored_at = models.DateTimeField(_("stored"), editable=False)
    sealed_at = models.DateTimeField(
        _("sealed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Sealed in an evidence package: the image can no longer be replaced."),
    )

    class Meta:
        verbose_name = _("snapshot image")
        verbose_name_plural = _("snapshot images")
        ordering = ["-stored_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "name"], name="devices_snapshot_once")
        ]

    def __str__(self) -> str:
        return self.name


class QuarantinedMessage(models.Model):
    """A message that was refused, with its reason and the payload exactly as received."""

    received_at = models.DateTimeField(_("received"), db_index=True)
    sender = models.ForeignKey(
        Device,
        verbose_name=_("sending device"),
        on_delete=models.PROTECT,
        related_name="quarantined",
        null=True,
        blank=True,
        help_text=_("Empty when no device could be authenticated (MQTT: unknown device)."),
    )
    device_code = models.CharField(_("device id in the message"), max_length=64, blank=True)
    message_id = models.CharField(_("message id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=QuarantineReason.choices)
    detail = models.TextField(_("detail"), blank=True)
    raw = models.TextField(_("raw payload"))

    class Meta:
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantined messages")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.message_id or '?'} ({self.reason})"


# ---------------------------------------------------------------------------------------------
# Registries of §1 kept beside the points: venues of the supervised categories, trucks.


class VenueCategory(models.Model):
    """One of the venue categories the bureau supervises (14 in Luohu). The list is data the
    bureau supplies (no public text names them: reference/waste-iot.md §3.3)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("supervised"), default=True)

    class Meta:
        verbose_name = _("venue category")
        verbose_name_plural = _("venue categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """A venue (场所) of a supervised category: a school, hospital, office building, market…"""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        VenueCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="venues"
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="venues",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )
    entity = models.ForeignKey(
        Unit,
        verbose_name=_("responsible entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sorting_venues",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
    )
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    sorting_in_place = models.BooleanField(
        _("sorting in place"),
        default=False,
        help_text=_("Sorted containers set up and sorting practised, as last inspected."),
    )
    inspected_on = models.DateField(_("last inspected"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Truck(models.Model):
    """A sanitation contractor's collection truck, known by its plate."""

    plate = models.CharField(_("plate"), max_length=16, unique=True)
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("contractor"),
        on_delete=models.PROTECT,
        related_name="trucks",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
    )
    waste_type = models.CharField(
        _("waste type carried"), max_length=20, choices=WasteType.choices, blank=True
    )
    capacity_kg = models.PositiveIntegerField(_("capacity (kg)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("truck")
        verbose_name_plural = _("trucks")
        ordering = ["plate"]

    def __str__(self) -> str:
        return self.plate


# ---------------------------------------------------------------------------------------------
# Roll-ups (§4): kept up to date by the pipeline as records are stored (``rollups.apply``), so
# that indicators never scan records. Days are local days (Asia/Shanghai).


class PointDay(models.Model):
    """Per collection point, local day and waste type: disposals and collections."""

    point = models.ForeignKey(CollectionPoint, on_delete=models.CASCADE, related_name="days")
    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, choices=WasteType.choices)
    disposals = models.PositiveIntegerField(_("disposals"), default=0)
    judged = models.PositiveIntegerField(_("disposals judged"), default=0)
    correct = models.PositiveIntegerField(_("correctly sorted"), default=0)
    disposed_kg = models.FloatField(_("disposed (kg)"), default=0)
    collections = models.PositiveIntegerField(_("bins collected"), default=0)
    collected_kg = models.FloatField(_("collected (kg)"), default=0)
    alarms = models.PositiveIntegerField(_("camera alarms"), default=0)

    class Meta:
        verbose_name = _("point day")
        verbose_name_plural = _("point days")
        constraints = [
            models.UniqueConstraint(
                fields=["point", "day", "waste_type"], name="devices_pointday_once"
            )
        ]
        indexes = [
            models.Index(fields=["day", "community"], name="devices_pointday_comm"),
            models.Index(fields=["day", "street"], name="devices_pointday_street"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day} {self.waste_type}"


class StreetDay(models.Model):
    """The sums of ``PointDay`` per street, local day and waste type, kept beside them so that
    district and street indicators read 10 rows a day instead of one per point."""

    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, choices=WasteType.choices)
    disposals = models.PositiveIntegerField(_("disposals"), default=0)
    judged = models.PositiveIntegerField(_("disposals judged"), default=0)
    correct = models.PositiveIntegerField(_("correctly sorted"), default=0)
    disposed_kg = models.FloatField(_("disposed (kg)"), default=0)
    collections = models.PositiveIntegerField(_("bins collected"), default=0)
    collected_kg = models.FloatField(_("collected (kg)"), default=0)
    alarms = models.PositiveIntegerField(_("camera alarms"), default=0)

    class Meta:
        verbose_name = _("street day")
        verbose_name_plural = _("street days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "street", "waste_type"], name="devices_streetday_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.day} {self.waste_type}"


class PlantDay(models.Model):
    """Per local day and waste type: what the treatment plants' weighbridges took in."""

    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    intakes = models.PositiveIntegerField(_("truck loads"), default=0)
    treated_kg = models.FloatField(_("treated (kg)"), default=0)

    class Meta:
        verbose_name = _("plant day")
        verbose_name_plural = _("plant days")
        constraints = [
            models.UniqueConstraint(fields=["day", "waste_type"], name="devices_plantday_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.waste_type}"


class HouseholdDay(models.Model):
    """A household that disposed on a day (participation's numerator, counted once).

    Unique by day first: a day's new households then land in that day's part of the index
    instead of all over it (docs/decisions/0030-record-columns.md)."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "household"], name="devices_householdday_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.day}"


class HouseholdMonth(models.Model):
    """A household that disposed in a month (first day of the month); unique by month first,
    like ``HouseholdDay``."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "household"], name="devices_householdmonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m}"


class CommunityDay(models.Model):
    """Per community and local day: households that disposed (distinct)."""

    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    households = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="devices_communityday_once")
        ]
        indexes = [models.Index(fields=["day", "street"], name="devices_commday_street")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day}"


class CommunityMonth(models.Model):
    """Per community and month (its first day): households that disposed (distinct)."""

    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    households = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month"], name="devices_communitymonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m}"


class DeviceDay(models.Model):
    """A device that sent at least one message on a local day (device online rate)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "day"], name="devices_deviceday_once")
        ]
        indexes = [models.Index(fields=["day"], name="devices_deviceday_day")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.day}"


# ---------------------------------------------------------------------------------------------
# From data to action (§3).


class AlarmCase(models.Model):
    """The open case that camera alarms of one kind at one point join (suppression of repeats)."""

    point = models.ForeignKey(CollectionPoint, on_delete=models.CASCADE, related_name="alarm_cases")
    alarm = models.CharField(_("alarm"), max_length=20, choices=AlarmKind.choices)
    case = models.OneToOneField(
        "events.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="alarm_link"
    )
    first_at = models.DateTimeField(_("first alarm"))
    last_at = models.DateTimeField(_("latest alarm"))
    alarms = models.PositiveIntegerField(_("alarms"), default=1)
    last_snapshot = models.CharField(_("latest snapshot"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("alarm case")
        verbose_name_plural = _("alarm cases")
        indexes = [
            models.Index(fields=["point", "alarm", "last_at"], name="devices_alarmcase_recent")
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.alarm} → {self.case_id}"


class TaskQuerySet(ScopedQuerySet):
    """A task belongs to its contractor's area and to its point's community."""

    scope_unit_fields = ("contractor", "point__community")


class CollectionTask(models.Model):
    """A task for the contractor to empty a point's bins (a fill-level or overflow alarm).
    One open task per point and waste type: later alarms raise its count."""

    point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("collection point"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collection_tasks",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=TaskReason.choices)
    level = models.FloatField(_("fill level"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    alarms = models.PositiveIntegerField(_("alarms"), default=1)
    last_alarm_at = models.DateTimeField(_("latest alarm"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("collection task")
        verbose_name_plural = _("collection tasks")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "waste_type"],
                condition=models.Q(status="open"),
                name="devices_task_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id}/{self.waste_type or '*'} {self.status}"


class CollectionTaskEvent(HistoryEntry):
    """One entry of a collection task's history (done, cancelled): who, when and why.
    Append-only, like a case's."""

    task = models.ForeignKey(
        CollectionTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(HistoryEntry.Meta):
        verbose_name = _("task history entry")
        verbose_name_plural = _("task history")

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"


class EvidenceQuerySet(ScopedQuerySet):
    """A package belongs to its household's community, or to the unit it is about."""

    scope_unit_fields = ("household__community", "unit")


class EvidencePackage(models.Model):
    """Sealed records of a household or unit that repeatedly failed to sort (§3).

    ``digest`` = SHA-256 over the previous package's digest, this package's header and its last
    item's digest; each item's digest chains to the item before it. ``verify`` recomputes both
    chains and compares each item with the record it copied (docs/devices.md)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    subject = models.CharField(_("subject"), max_length=10, choices=EvidenceSubject.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_packages",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_packages",
    )
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    item_count = models.PositiveIntegerField(_("items"))
    sealed_at = models.DateTimeField(_("sealed"))
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sealed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_digest = models.CharField(_("previous package digest"), max_length=64)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64, unique=True)
    case = models.ForeignKey(
        "events.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_packages",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence package")
        verbose_name_plural = _("evidence packages")
        ordering = ["-sealed_at", "-id"]

    def __str__(self) -> str:
        return self.number


class EvidenceItem(models.Model):
    """One incident of a package: a copy of the record as sealed, chained by digest."""

    package = models.ForeignKey(EvidencePackage, on_delete=models.PROTECT, related_name="items")
    seq = models.PositiveIntegerField(_("position"))
    record = models.ForeignKey(Record, null=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("sealed content (canonical JSON)"))
    previous_digest = models.CharField(_("previous item digest"), max_length=64)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["package", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["package", "seq"], name="devices_evidence_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.package_id}#{self.seq}"
