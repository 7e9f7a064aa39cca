"""Stored values of the devices app (never changed once shipped)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PointKind(models.TextChoices):
    """Kinds of collection point, after the dump-point types of Chinese station platforms
    (reference/waste-iot.md §2: 多分类/二分类 × 垃圾厢房/露天投放点)."""

    MULTI_SORT_ROOM = "multi_sort_room", _("Multi-sort garbage room")
    MULTI_SORT_OPEN = "multi_sort_open", _("Multi-sort open collection point")
    TWO_SORT_ROOM = "two_sort_room", _("Two-sort garbage room")
    TWO_SORT_OPEN = "two_sort_open", _("Two-sort open collection point")


class WasteType(models.TextChoices):
    """The four categories of GB/T 19095-2019."""

    KITCHEN = "kitchen", _("Kitchen waste")
    RECYCLABLE = "recyclable", _("Recyclable")
    HAZARDOUS = "hazardous", _("Hazardous waste")
    OTHER = "other", _("Other waste")


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


class AlarmKind(models.TextChoices):
    """What an AI camera reports (reference/waste-iot.md §2).

    混合投放, 乱扔, 满溢, 小包垃圾落地/滞留.
    """

    MIXED_DISPOSAL = "mixed_disposal", _("Mixed disposal")
    LITTERING = "littering", _("Littering")
    OVERFLOW = "overflow", _("Overflow")
    BAG_ON_GROUND = "bag_on_ground", _("Small bag left on the ground")


class TaskReason(models.TextChoices):
    FILL_LEVEL = "fill_level", _("Fill level over the threshold")
    OVERFLOW = "overflow", _("Overflow seen by a camera")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class EvidenceSubject(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    UNIT = "unit", _("Unit")
