"""The case (案卷) and what hangs on it: assignments, history, requests, attachments.

One record per event, from report to evaluation. The state moves only through the transition
table (``cityloop.events.workflow``) in service functions, each of which locks the row, checks
the version the actor saw, and appends a ``CaseEvent`` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.core.scoping import ScopedQuerySet
from cityloop.core.workflow.history import HistoryEntry
from cityloop.events.choices import (
    AssignmentRole,
    AssignmentState,
    AttachmentStage,
    CaseState,
    ClockState,
    RequestKind,
    RequestStatus,
    Source,
    Stage,
    Urgency,
)
from cityloop.geo.choices import AreaClass
from cityloop.geo.models import Grid, ResponsibilityZone
from cityloop.org.models import Unit


class CaseQuerySet(ScopedQuerySet):
    """Scoping for cases: where the case is, or whom it has been assigned to."""

    def in_area(self, unit) -> Q:
        prefix = unit.path
        assigned = CaseAssignment.objects.filter(case=OuterRef("pk"), unit__path__startswith=prefix)
        return Q(community__path__startswith=prefix) | Q(Exists(assigned))

    def open(self):
        from cityloop.events.choices import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)


class Case(models.Model):
    """A case (案卷): one problem in the city, from its report to its evaluation."""

    ticket = models.CharField(_("ticket number"), max_length=24, unique=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    # NULL, not "", for "none": the unique constraint applies to the ids that exist.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The order number of the 12345 hotline or another system that sent it."),
    )
    category = models.ForeignKey(
        MinorCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    filing_condition = models.ForeignKey(
        FilingCondition,
        verbose_name=_("filing condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"))
    # Where (WGS-84) and what that place belongs to.
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL
    )
    community = models.ForeignKey(
        Unit,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        Unit,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    zone = models.ForeignKey(
        ResponsibilityZone,
        verbose_name=_("responsibility zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    area_class = models.CharField(
        _("area class"), max_length=1, choices=AreaClass.choices, default=AreaClass.B
    )
    # Who reported it.
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    reporter_key = models.CharField(
        _("reporter's key"),
        max_length=32,
        blank=True,
        editable=False,
        help_text=_("Given to a citizen with the ticket; needed to rate the result."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # State and clock.
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.REPORTED
    )
    state_before_suspension = models.CharField(max_length=20, blank=True, editable=False)
    stage = models.CharField(_("clock stage"), max_length=10, choices=Stage.choices)
    stage_started_at = models.DateTimeField(_("stage started"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True)
    clock_state = models.CharField(
        _("clock"), max_length=10, choices=ClockState.choices, default=ClockState.ON_TIME
    )
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    handle_deadline = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    # What the running clock was counted from, so that it can be counted again when a
    # provisional year gets its official arrangement (docs/decisions/0035): the moment the
    # count began, and the working (or continuous) time it gave to the deadline and warning;
    # no limit when the deadline is a date someone chose (an approved extension).
    clock_anchor_at = models.DateTimeField(_("clock counted from"), null=True, editable=False)
    clock_limit = models.DurationField(_("time to the deadline"), null=True, editable=False)
    warn_limit = models.DurationField(_("time to the warning"), null=True, editable=False)
    provisional_year = models.PositiveSmallIntegerField(
        _("provisional calendar year"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The first year the deadline was counted in without its official holiday "
            "arrangement (statutory holidays only); empty when the deadline is final."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    # Counters and milestones (for the evaluation indicators).
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urges"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("fed back"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    evaluation_comment = models.TextField(_("evaluation comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=Q(external_id__isnull=False),
                name="events_case_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="events_case_state_deadline"),
            models.Index(fields=["clock_state", "warn_at"], name="events_case_clock_warn"),
            # The deadline sweep's overdue turn: running clocks past their deadline.
            models.Index(fields=["clock_state", "deadline"], name="events_case_clock_deadline"),
            models.Index(fields=["category", "reported_at"], name="events_case_cat_reported"),
            # The command centre's figures count cases filed, dispatched and closed per period.
            models.Index(fields=["filed_at"], name="events_case_filed_at"),
            models.Index(fields=["dispatched_at"], name="events_case_dispatched_at"),
            models.Index(fields=["closed_at"], name="events_case_closed_at"),
            # The enforcement figures count closed cases of some categories per street and period
            # from this index alone (enforcement.figures; covering: no table read per case).
            models.Index(
                fields=["category", "closed_at", "state", "street"],
                name="events_case_cat_closed",
            ),
            # Clocks to count again once a provisional year gets its arrangement.
            models.Index(
                fields=["provisional_year"],
                condition=Q(provisional_year__isnull=False),
                name="events_case_provisional",
            ),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def is_deadline_provisional(self) -> bool:
        return self.provisional_year is not None


class CaseAssignment(models.Model):
    """A unit's task on a case: the handling unit, or the lead and assisting units of a
    joint case (街道吹哨、部门报到), each with its own task and deadline."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.SINGLE
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=AssignmentState.choices,
        default=AssignmentState.DISPATCHED,
    )
    task = models.TextField(_("task"), blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    routing_reason = models.TextField(_("why this unit"), blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"))
    signed_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dispatched_at", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="events_assign_unit_state")]

    def __str__(self) -> str:
        return f"{self.case} → {self.unit}"

    @property
    def is_active(self) -> bool:
        from cityloop.events.choices import ACTIVE_ASSIGNMENT_STATES

        return self.state in ACTIVE_ASSIGNMENT_STATES


# Who the history names when the system acts (the sweep, an escalation, a recount), and the
# columns of history entries appended in bulk (``cityloop.core.bulk.bulk_append``).
SYSTEM_LABEL = "系统"
EVENT_FIELDS = (
    "case_id", "action", "from_state", "to_state", "actor_label", "at", "comment", "data",
)  # fmt: skip


class CaseEvent(HistoryEntry):
    """One entry of a case's history: who, from which unit, when, what changed, and why.

    Append-only: nothing updates or deletes a row (the audit trail of the case).
    """

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )

    class Meta(HistoryEntry.Meta):
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class CaseRequest(models.Model):
    """A request that needs a decision: extension 延期, suspension 挂账 or cancellation 作废."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    requested_deadline = models.DateTimeField(_("requested deadline"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="pending"),
                name="events_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"


class Attachment(models.Model):
    """A photo or document of a case. Photos keep the original for staff and a copy without
    EXIF (location) for the public, plus a thumbnail."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("history entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=AttachmentStage.choices, default=AttachmentStage.REPORT
    )
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    public_file = models.FileField(_("public copy"), upload_to="cases/public/%Y/%m/", blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to="cases/thumbs/%Y/%m/", blank=True)
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class TicketCounter(models.Model):
    """The last ticket serial handed out on a day (LH20261124-000123)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket counter")
        verbose_name_plural = _("ticket counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class StageTimeLimit(models.Model):
    """The time limit of each stage other than handling (which the filing condition sets).

    Defaults are the bureau's configuration, not a standard (docs/decisions/ on deadlines).
    """

    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, unique=True)
    minutes = models.PositiveIntegerField(_("limit (minutes)"))
    clock = models.CharField(_("clock"), max_length=12, default="working")

    class Meta:
        verbose_name = _("stage time limit")
        verbose_name_plural = _("stage time limits")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.minutes} min"


class EntityDuty(models.Model):
    """A category that a kind of social entity must handle itself in its own zone
    (门前三包: 市容整洁、环境卫生、设施整洁). Routing sends such cases to the entity."""

    entity_kind = models.CharField(_("entity kind"), max_length=30)
    category = models.ForeignKey(
        MinorCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("entity duty")
        verbose_name_plural = _("entity duties")
        constraints = [
            models.UniqueConstraint(
                fields=["entity_kind", "category"], name="events_entityduty_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_kind}: {self.category}"
