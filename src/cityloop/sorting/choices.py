"""Stored values of the sorting app (never changed once shipped; they were the devices app's)."""

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
