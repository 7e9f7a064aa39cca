"""Registries of garbage-sorting supervision (issue 5 §1) and the raw ingested data (§2).

Points, bins, households and devices are registries kept by staff in the admin. Messages,
records and quarantined messages are written only by the ingestion pipeline
(``cityloop.devices.ingest``), in bulk, with no model code running per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityloop.devices.choices import (
    DeviceKind,
    MessageKind,
    PointKind,
    QuarantineReason,
    WasteType,
)
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
    and the whole record as sent in ``payload``. ``(device, message_id, seq)`` is unique, so a
    message replayed after a crash adds nothing."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="records")
    message_id = models.CharField(_("message id"), max_length=64)
    seq = models.PositiveIntegerField(_("position in the message"))
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    point = models.ForeignKey(
        CollectionPoint, null=True, on_delete=models.PROTECT, related_name="records"
    )
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True)
    is_correct = models.BooleanField(_("correctly sorted"), null=True)
    card_id = models.CharField(_("card id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "message_id", "seq"], name="devices_record_once"
            )
        ]
        indexes = [
            models.Index(fields=["point", "kind", "occurred_at"], name="devices_rec_point_time"),
            models.Index(fields=["kind", "occurred_at"], name="devices_rec_kind_time"),
            models.Index(fields=["card_id", "occurred_at"], name="devices_rec_card_time"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.message_id}#{self.seq}"


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
