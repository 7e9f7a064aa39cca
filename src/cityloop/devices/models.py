"""Telemetry (docs/devices.md, registries and ingestion): the devices and the raw data they send.

Devices are a registry kept by staff in the admin. Messages, records, quarantined messages and
device-days are written only by the ingestion pipeline (``cityloop.devices.ingest``), in bulk,
with no model code running per row. A device stands at a collection point and a record names
its point and household: those are the sorting app's (``cityloop.sorting``), referred to by
name so that this app imports nothing of it (docs/decisions/0044-sorting-app.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.devices.choices import DeviceKind, MessageKind, QuarantineReason
from cityloop.devices.fields import JSONTextField, RowIdField
from cityloop.devices.record_schemas import check_vendor_keys


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
        "sorting.CollectionPoint",
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
        "sorting.CollectionPoint",
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
        "sorting.Household",
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


# Roll-up of the devices themselves (§4; the sorting app's roll-ups sit beside it).


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
