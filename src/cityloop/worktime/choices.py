"""Choices of the working-time app. Stored values never change once shipped."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    """How a time limit is counted.

    ``working``: only office hours of working days count (statutory holidays and 调休 applied).
    ``continuous``: the wall clock, 24×7 (urgent categories, "紧急工作时").
    """

    WORKING = "working", _("Working time")
    CONTINUOUS = "continuous", _("Continuous (24×7)")


class DayKind(models.TextChoices):
    """What an admin-entered calendar override declares a date to be.

    ``working_day``: people work that day (调休上班, even on a Saturday or Sunday).
    ``day_off``: nobody works that day (法定节假日, 调休休息, or a day off the bureau grants).
    """

    WORKING_DAY = "working_day", _("Working day")
    DAY_OFF = "day_off", _("Day off")


class CalendarSource(models.TextChoices):
    """Where the holiday arrangement of a year comes from (a read-only fact, never stored)."""

    PACKAGE = "package", _("chinese-calendar package")
    DECLARED = "declared", _("Declared complete by an administrator")
    PROVISIONAL = "provisional", _("Provisional: the statutory holidays only, no 调休 yet")
