"""The values GeoReport v2 fixes. Stored nowhere; they are the wire format."""

from django.db import models
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """A service request's ``status``: the specification knows only these two."""

    OPEN = "open", pgettext_lazy("open311", "Open")
    CLOSED = "closed", pgettext_lazy("open311", "Closed")


class ServiceType(models.TextChoices):
    """How POST answers: ``realtime`` gives the id at once (CityLoop's case)."""

    REALTIME = "realtime", pgettext_lazy("open311", "Real time")
    BATCH = "batch", pgettext_lazy("open311", "Batch")
    BLACKBOX = "blackbox", pgettext_lazy("open311", "Black box")
