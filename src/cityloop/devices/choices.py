"""Stored values of the devices app (never changed once shipped)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    RFID_READER = "rfid_reader", _("RFID reader")
    SMART_SCALE = "smart_scale", _("Smart scale")
    AI_CAMERA = "ai_camera", _("AI camera")
    FILL_SENSOR = "fill_sensor", _("Fill-level sensor")
    TRUCK_UNIT = "truck_unit", _("Truck RFID/weighing unit")
    WEIGHBRIDGE = "weighbridge", _("Plant weighbridge")


class MessageKind(models.TextChoices):
    """Kinds of ingested message; each has a JSON Schema in ``schemas/<kind>.json``."""

    DISPOSAL = "disposal", _("Disposal")
    AI_ALARM = "ai_alarm", _("AI camera alarm")
    FILL_LEVEL = "fill_level", _("Fill level")
    TRUCK_COLLECTION = "truck_collection", _("Truck collection")
    PLANT_INTAKE = "plant_intake", _("Plant intake")


class QuarantineReason(models.TextChoices):
    INVALID_JSON = "invalid_json", _("Not valid JSON")
    ENVELOPE = "envelope", _("Bad message envelope")
    UNKNOWN_DEVICE = "unknown_device", _("Unknown device")
    WRONG_TOKEN = "wrong_token", _("Token does not belong to the device")
    DEVICE_DISABLED = "device_disabled", _("Device disabled")
    SCHEMA = "schema", _("Schema error")
    FUTURE = "future", _("Time too far in the future")
    PAST = "past", _("Time too far in the past")
    WRONG_KIND = "wrong_kind", _("Message kind not sent by this kind of device")
    FAILED = "failed", _("Could not be stored")
