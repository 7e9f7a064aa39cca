"""Choices of the category catalogue. Stored values never change once shipped."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    """GB/T 30428.2 splits what is reported into 管理部件 (components) and 事件 (events)."""

    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


class NameComparison(models.TextChoices):
    """How a GB/T 30428.2 minor category compares with the GB/T 47678.5-2026 item at its code.

    The comparison is the reference's (china-urban-management.md §2.1, an inference): 2026 code
    = major + "0" + minor for components, and majors 01–04 → 06–09 for events.
    """

    SAME_NAME = "same_name", _("Same name")
    SIMILAR_NAME = "similar_name", _("Similar name")
    DIFFERENT_NAME = "different_name", _("Different name")
    NO_ITEM_AT_MAPPED_CODE = "no_item_at_mapped_code", _("No item at the mapped code")
    NO_POSITIONAL_MAPPING = "no_positional_mapping", _("No positional mapping")


# The comparisons under which a GB/T 47678.5-2026 code and name sit beside the minor category.
MAPPED_COMPARISONS = (
    NameComparison.SAME_NAME,
    NameComparison.SIMILAR_NAME,
    NameComparison.DIFFERENT_NAME,
)


class TimeLimitUnit(models.TextChoices):
    """The units of the 处置时限 vocabulary; see docs/decisions/0007-time-limit-vocabulary.md."""

    WORKING_HOUR = "working_hour", _("Working hour (小时)")
    WORKING_DAY = "working_day", _("Working day (天)")
    URGENT_HOUR = "urgent_hour", _("Urgent working hour (紧急工作时)")
    URGENT_DAY = "urgent_day", _("Urgent working day (紧急工作日)")
