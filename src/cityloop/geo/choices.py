"""Choices of the geography app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaClass(models.TextChoices):
    """Area classes of time limits (CJ/T 315-style 处置时限 A/B/C): core, general, outskirts."""

    A = "a", _("A · core area")
    B = "b", _("B · general area")
    C = "c", _("C · outskirts")


class ZoneKind(models.TextChoices):
    """What a social entity's responsibility zone is."""

    FRONTAGE = "frontage", _("Frontage responsibility (门前三包)")
    ESTATE = "estate", _("Managed estate")
    SANITATION_AREA = "sanitation_area", _("Sanitation contract area")
    MARKET = "market", _("Market area")
    CAMPUS = "campus", _("Campus")
    OTHER = "other", _("Other")
