"""Registries and results of garbage-sorting supervision (docs/devices.md, registries; From
data to action; docs/indicators.md): collection points and their bins, households and their
cards, venues and trucks; the roll-ups the indicators read; alarm cases, collection tasks and
evidence packages.

The models came from the ``devices`` app and keep its tables (``db_table``): moving them moved
no data (docs/decisions/0044-sorting-app.md). Roll-ups are written by the ingestion pipeline
through the hooks this app installs (``apps.SortingConfig.ready``), in bulk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.scoping import ScopedQuerySet
from cityloop.core.workflow.history import HistoryEntry
from cityloop.devices.models import Record
from cityloop.geo.models import Grid
from cityloop.org.choices import UnitKind
from cityloop.org.models import Unit
from cityloop.sorting.choices import (
    AlarmKind,
    EvidenceSubject,
    PointKind,
    TaskReason,
    TaskStatus,
    WasteType,
)


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
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("sanitation contractor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_points",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
        help_text=_("Who empties the bins: fill-level and overflow tasks go to them."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "devices_collectionpoint"  # the table as the devices app made it (decision 0044)
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
        db_table = "devices_bin"  # the table as the devices app made it (decision 0044)
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        ordering = ["point", "waste_type", "rfid_tag"]

    def __str__(self) -> str:
        return f"{self.rfid_tag} ({self.get_waste_type_display()})"


class HouseholdQuerySet(ScopedQuerySet):
    scope_unit_fields = ("community",)


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

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        db_table = "devices_household"  # the table as the devices app made it (decision 0044)
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
        db_table = "devices_householdcard"  # the table as the devices app made it (decision 0044)
        verbose_name = _("household card")
        verbose_name_plural = _("household cards")
        ordering = ["card_id"]

    def __str__(self) -> str:
        return self.card_id


# ---------------------------------------------------------------------------------------------
# Registries of §1 kept beside the points: venues of the supervised categories, trucks.


class VenueCategory(models.Model):
    """One of the venue categories the bureau supervises (14 in Luohu). The list is data the
    bureau supplies (no public text names them: reference/waste-iot.md §3.3)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("supervised"), default=True)

    class Meta:
        db_table = "devices_venuecategory"  # the table as the devices app made it (decision 0044)
        verbose_name = _("venue category")
        verbose_name_plural = _("venue categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """A venue (场所) of a supervised category: a school, hospital, office building, market…"""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        VenueCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="venues"
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="venues",
        limit_choices_to={"kind": UnitKind.COMMUNITY},
    )
    entity = models.ForeignKey(
        Unit,
        verbose_name=_("responsible entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sorting_venues",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
    )
    lon = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    sorting_in_place = models.BooleanField(
        _("sorting in place"),
        default=False,
        help_text=_("Sorted containers set up and sorting practised, as last inspected."),
    )
    inspected_on = models.DateField(_("last inspected"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "devices_venue"  # the table as the devices app made it (decision 0044)
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Truck(models.Model):
    """A sanitation contractor's collection truck, known by its plate."""

    plate = models.CharField(_("plate"), max_length=16, unique=True)
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("contractor"),
        on_delete=models.PROTECT,
        related_name="trucks",
        limit_choices_to={"kind": UnitKind.SOCIAL_ENTITY},
    )
    waste_type = models.CharField(
        _("waste type carried"), max_length=20, choices=WasteType.choices, blank=True
    )
    capacity_kg = models.PositiveIntegerField(_("capacity (kg)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "devices_truck"  # the table as the devices app made it (decision 0044)
        verbose_name = _("truck")
        verbose_name_plural = _("trucks")
        ordering = ["plate"]

    def __str__(self) -> str:
        return self.plate


# ---------------------------------------------------------------------------------------------
# Roll-ups (§4): kept up to date by the pipeline as records are stored (``rollups.apply``), so
# that indicators never scan records. Days are local days (Asia/Shanghai).


class PointDay(models.Model):
    """Per collection point, local day and waste type: disposals and collections."""

    point = models.ForeignKey(CollectionPoint, on_delete=models.CASCADE, related_name="days")
    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, choices=WasteType.choices)
    disposals = models.PositiveIntegerField(_("disposals"), default=0)
    judged = models.PositiveIntegerField(_("disposals judged"), default=0)
    correct = models.PositiveIntegerField(_("correctly sorted"), default=0)
    disposed_kg = models.FloatField(_("disposed (kg)"), default=0)
    collections = models.PositiveIntegerField(_("bins collected"), default=0)
    collected_kg = models.FloatField(_("collected (kg)"), default=0)
    alarms = models.PositiveIntegerField(_("camera alarms"), default=0)

    class Meta:
        db_table = "devices_pointday"  # the table as the devices app made it (decision 0044)
        verbose_name = _("point day")
        verbose_name_plural = _("point days")
        constraints = [
            models.UniqueConstraint(
                fields=["point", "day", "waste_type"], name="devices_pointday_once"
            )
        ]
        indexes = [
            models.Index(fields=["day", "community"], name="devices_pointday_comm"),
            models.Index(fields=["day", "street"], name="devices_pointday_street"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day} {self.waste_type}"


class StreetDay(models.Model):
    """The sums of ``PointDay`` per street, local day and waste type, kept beside them so that
    district and street indicators read 10 rows a day instead of one per point."""

    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, choices=WasteType.choices)
    disposals = models.PositiveIntegerField(_("disposals"), default=0)
    judged = models.PositiveIntegerField(_("disposals judged"), default=0)
    correct = models.PositiveIntegerField(_("correctly sorted"), default=0)
    disposed_kg = models.FloatField(_("disposed (kg)"), default=0)
    collections = models.PositiveIntegerField(_("bins collected"), default=0)
    collected_kg = models.FloatField(_("collected (kg)"), default=0)
    alarms = models.PositiveIntegerField(_("camera alarms"), default=0)

    class Meta:
        db_table = "devices_streetday"  # the table as the devices app made it (decision 0044)
        verbose_name = _("street day")
        verbose_name_plural = _("street days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "street", "waste_type"], name="devices_streetday_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.day} {self.waste_type}"


class PlantDay(models.Model):
    """Per local day and waste type: what the treatment plants' weighbridges took in."""

    day = models.DateField(_("day"))
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    intakes = models.PositiveIntegerField(_("truck loads"), default=0)
    treated_kg = models.FloatField(_("treated (kg)"), default=0)

    class Meta:
        db_table = "devices_plantday"  # the table as the devices app made it (decision 0044)
        verbose_name = _("plant day")
        verbose_name_plural = _("plant days")
        constraints = [
            models.UniqueConstraint(fields=["day", "waste_type"], name="devices_plantday_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.waste_type}"


class HouseholdDay(models.Model):
    """A household that disposed on a day (participation's numerator, counted once).

    Unique by day first: a day's new households then land in that day's part of the index
    instead of all over it (docs/decisions/0030-record-columns.md)."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()

    class Meta:
        db_table = "devices_householdday"  # the table as the devices app made it (decision 0044)
        constraints = [
            models.UniqueConstraint(fields=["day", "household"], name="devices_householdday_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.day}"


class HouseholdMonth(models.Model):
    """A household that disposed in a month (first day of the month); unique by month first,
    like ``HouseholdDay``."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()

    class Meta:
        db_table = "devices_householdmonth"  # the table as the devices app made it (decision 0044)
        constraints = [
            models.UniqueConstraint(
                fields=["month", "household"], name="devices_householdmonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m}"


class CommunityDay(models.Model):
    """Per community and local day: households that disposed (distinct)."""

    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    households = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "devices_communityday"  # the table as the devices app made it (decision 0044)
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="devices_communityday_once")
        ]
        indexes = [models.Index(fields=["day", "street"], name="devices_commday_street")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day}"


class CommunityMonth(models.Model):
    """Per community and month (its first day): households that disposed (distinct)."""

    community = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    households = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "devices_communitymonth"  # the table as the devices app made it (decision 0044)
        constraints = [
            models.UniqueConstraint(
                fields=["community", "month"], name="devices_communitymonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m}"


# ---------------------------------------------------------------------------------------------
# From data to action (§3).


class AlarmCase(models.Model):
    """The open case that camera alarms of one kind at one point join (suppression of repeats)."""

    point = models.ForeignKey(CollectionPoint, on_delete=models.CASCADE, related_name="alarm_cases")
    alarm = models.CharField(_("alarm"), max_length=20, choices=AlarmKind.choices)
    case = models.OneToOneField(
        "events.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="alarm_link"
    )
    first_at = models.DateTimeField(_("first alarm"))
    last_at = models.DateTimeField(_("latest alarm"))
    alarms = models.PositiveIntegerField(_("alarms"), default=1)
    last_snapshot = models.CharField(_("latest snapshot"), max_length=500, blank=True)

    class Meta:
        db_table = "devices_alarmcase"  # the table as the devices app made it (decision 0044)
        verbose_name = _("alarm case")
        verbose_name_plural = _("alarm cases")
        indexes = [
            models.Index(fields=["point", "alarm", "last_at"], name="devices_alarmcase_recent")
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.alarm} → {self.case_id}"


class TaskQuerySet(ScopedQuerySet):
    """A task belongs to its contractor's area and to its point's community."""

    scope_unit_fields = ("contractor", "point__community")


class CollectionTask(models.Model):
    """A task for the contractor to empty a point's bins (a fill-level or overflow alarm).
    One open task per point and waste type: later alarms raise its count."""

    point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("collection point"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    waste_type = models.CharField(_("waste type"), max_length=20, blank=True)
    contractor = models.ForeignKey(
        Unit,
        verbose_name=_("contractor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collection_tasks",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=TaskReason.choices)
    level = models.FloatField(_("fill level"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    alarms = models.PositiveIntegerField(_("alarms"), default=1)
    last_alarm_at = models.DateTimeField(_("latest alarm"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)

    objects = TaskQuerySet.as_manager()

    class Meta:
        db_table = "devices_collectiontask"  # the table as the devices app made it (decision 0044)
        verbose_name = _("collection task")
        verbose_name_plural = _("collection tasks")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["point", "waste_type"],
                condition=models.Q(status="open"),
                name="devices_task_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.point_id}/{self.waste_type or '*'} {self.status}"


class CollectionTaskEvent(HistoryEntry):
    """One entry of a collection task's history (done, cancelled): who, when and why.
    Append-only, like a case's."""

    task = models.ForeignKey(
        CollectionTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(HistoryEntry.Meta):
        db_table = (
            "devices_collectiontaskevent"  # the table as the devices app made it (decision 0044)
        )
        verbose_name = _("task history entry")
        verbose_name_plural = _("task history")

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"


class EvidenceQuerySet(ScopedQuerySet):
    """A package belongs to its household's community, or to the unit it is about."""

    scope_unit_fields = ("household__community", "unit")


class EvidencePackage(models.Model):
    """Sealed records of a household or unit that repeatedly failed to sort (§3).

    ``digest`` = SHA-256 over the previous package's digest, this package's header and its last
    item's digest; each item's digest chains to the item before it. ``verify`` recomputes both
    chains and compares each item with the record it copied (docs/devices.md)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    subject = models.CharField(_("subject"), max_length=10, choices=EvidenceSubject.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_packages",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_packages",
    )
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("to"))
    item_count = models.PositiveIntegerField(_("items"))
    sealed_at = models.DateTimeField(_("sealed"))
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sealed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous_digest = models.CharField(_("previous package digest"), max_length=64)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64, unique=True)
    case = models.ForeignKey(
        "events.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_packages",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        db_table = "devices_evidencepackage"  # the table as the devices app made it (decision 0044)
        verbose_name = _("evidence package")
        verbose_name_plural = _("evidence packages")
        ordering = ["-sealed_at", "-id"]

    def __str__(self) -> str:
        return self.number


class EvidenceItem(models.Model):
    """One incident of a package: a copy of the record as sealed, chained by digest."""

    package = models.ForeignKey(EvidencePackage, on_delete=models.PROTECT, related_name="items")
    seq = models.PositiveIntegerField(_("position"))
    record = models.ForeignKey(Record, null=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("sealed content (canonical JSON)"))
    previous_digest = models.CharField(_("previous item digest"), max_length=64)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)

    class Meta:
        db_table = "devices_evidenceitem"  # the table as the devices app made it (decision 0044)
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["package", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["package", "seq"], name="devices_evidence_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.package_id}#{self.seq}"
