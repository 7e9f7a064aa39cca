"""Choices of the working-time app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    """How a time limit is counted.

    ``working``: only office hours of working days count (statutory holidays and 调休 applied).
    ``continuous``: the wall clock, 24×7 (urgent categories, "紧急工作时").
    """

    WORKING = "working", _("Working time")
    CONTINUOUS = "continuous", _("Continuous (24×7)")
