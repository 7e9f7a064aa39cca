"""Models of administrative enforcement (行政执法办案): the legal-basis catalogue, the parties,
the case from clue to archive, its statutory clocks, evidence and documents.

A case moves only through its workflow (``workflow.TRANSITIONS``, ``services.CASES``): every
act is an attributed, hash-chained history row (``EnforcementEvent``; 《行政处罚法》 第四十七条
全过程记录). docs/enforcement.md explains the procedure.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.core.scoping import ScopedQuerySet
from cityloop.core.workflow.history import ChainedHistoryEntry
from cityloop.enforcement.choices import (
    Category,
    ClockKind,
    ClockState,
    ClueSource,
    EnforcementState,
    EvidenceKind,
    Outcome,
    PartyKind,
    Procedure,
    ServiceMethod,
    Target,
    Tier,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- the legal-basis catalogue -----------------------------------------------------------------
class Violation(models.Model):
    """One violation (违法行为) with its legal basis and penalty range, one version of it.

    Versioned: a row a case was decided under is never edited; the admin saves an edit of a
    used row as the next version (``version`` + 1, same ``code``) and retires the old one, so
    that a case keeps the version it was decided under (``EnforcementCase.violation``).
    """

    code = models.CharField(_("code"), max_length=40, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    current = models.BooleanField(_("current version"), default=True, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    target = models.CharField(_("whom it addresses"), max_length=12, choices=Target.choices)
    name = models.CharField(_("violation"), max_length=200)
    regulation = models.CharField(_("regulation"), max_length=200)
    legal_basis = models.CharField(_("legal basis (article violated)"), max_length=200)
    penalty_basis = models.CharField(_("penalty basis (article applied)"), max_length=200)
    penalty_text = models.TextField(_("penalty as the rule words it"), blank=True)
    penalty_kinds = models.JSONField(_("penalty kinds"), default=list, blank=True)
    min_fine = models.DecimalField(_("lowest fine (yuan)"), default=Decimal(0), **MONEY)
    max_fine = models.DecimalField(_("highest fine (yuan)"), default=Decimal(0), **MONEY)
    order_to_correct = models.BooleanField(_("orders correction first"), default=False)
    limitation_years = models.PositiveIntegerField(
        _("limitation (years, 第三十六条)"),
        default=2,
        help_text=_("2 years; 5 where life, health or financial safety was harmed."),
    )
    first_offence_exempt = models.BooleanField(
        _("first violation may go unpunished (第三十三条)"), default=True
    )
    source = models.TextField(_("source"), blank=True)
    verified = models.BooleanField(
        _("article checked against the official text"),
        default=False,
        help_text=_("Off where the reference had the article from third-party material only."),
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("violation (legal basis)")
        verbose_name_plural = _("legal-basis catalogue")
        ordering = ["category", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="enforcement_violation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class DiscretionTier(models.Model):
    """A discretion tier 裁量基准 of one violation version: its fine band and conditions."""

    violation = models.ForeignKey(
        Violation, verbose_name=_("violation"), on_delete=models.CASCADE, related_name="tiers"
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    min_fine = models.DecimalField(_("lowest fine (yuan)"), default=Decimal(0), **MONEY)
    max_fine = models.DecimalField(_("highest fine (yuan)"), default=Decimal(0), **MONEY)
    no_fine = models.BooleanField(_("no fine (warning or no penalty)"), default=False)
    conditions = models.TextField(_("conditions"), blank=True)

    class Meta:
        verbose_name = _("discretion tier")
        verbose_name_plural = _("discretion tiers")
        ordering = ["violation", "min_fine"]
        constraints = [
            models.UniqueConstraint(fields=["violation", "tier"], name="enforcement_tier_once"),
        ]

    def __str__(self) -> str:
        return f"{self.violation.name} · {self.get_tier_display()}"


class ProcedureRules(models.Model):
    """The bureau's procedural figures that the law leaves open (decision 0051), in force from
    a date: the newest row in force when an act happens applies."""

    effective_from = models.DateField(_("in force from"), unique=True)
    filing_working_days = models.PositiveIntegerField(
        _("working days to decide on filing"),
        null=True,
        blank=True,
        help_text=_("The law says 及时 (第五十四条); empty: no filing clock."),
    )
    hearing_fine_person = models.DecimalField(
        _("large fine for a person (hearing right, 第六十三条)"), **MONEY
    )
    hearing_fine_organisation = models.DecimalField(
        _("large fine for an organisation (hearing right, 第六十三条)"), **MONEY
    )
    legal_review_fine = models.DecimalField(_("fine from which legal review is required"), **MONEY)
    collective_fine = models.DecimalField(
        _("fine from which the leaders discuss collectively"), **MONEY
    )
    warn_share = models.FloatField(_("warn at this share of a clock"), default=0.8)
    note = models.TextField(_("source and note"), blank=True)

    class Meta:
        verbose_name = _("procedure rules")
        verbose_name_plural = _("procedure rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return str(self.effective_from)


# --- parties and officers ---------------------------------------------------------------------
class Party(models.Model):
    """A party (当事人): a person by ID number, an organisation by credit code. One row per
    identity, so that earlier cases (首违, repeat offences) are found, not typed."""

    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=120)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    identity = models.CharField(_("identity"), max_length=20, unique=True, null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    e_service_consent = models.BooleanField(
        _("consented in writing to electronic service"), default=False
    )
    e_service_address = models.CharField(
        _("electronic service address"), max_length=120, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """An officer's enforcement credential 执法证 (第四十二条: 具有行政执法资格)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="enforcement_credential",
    )
    number = models.CharField(_("credential number"), max_length=30, unique=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("enforcement credential")
        verbose_name_plural = _("enforcement credentials")

    def __str__(self) -> str:
        return f"{self.user} · {self.number}"


# --- the case ----------------------------------------------------------------------------------
class EnforcementCaseQuerySet(ScopedQuerySet):
    scope_unit_fields = ("unit",)


class EnforcementCase(models.Model):
    """One enforcement matter from its clue (线索) to its archive (归档)."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    procedure = models.CharField(
        _("procedure"), max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=EnforcementState.choices,
        default=EnforcementState.REGISTERED,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("enforcement team's unit"),
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    source = models.CharField(_("clue source"), max_length=12, choices=ClueSource.choices)
    source_case = models.ForeignKey(
        "events.Case",
        verbose_name=_("closed-loop case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    source_package = models.ForeignKey(
        "sorting.EvidencePackage",
        verbose_name=_("evidence package"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enforcement_cases",
    )
    source_note = models.CharField(_("clue details"), max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("act committed"), null=True, blank=True)
    facts = models.TextField(_("facts"), blank=True)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    violation = models.ForeignKey(
        Violation,
        verbose_name=_("violation (version)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handling officers"),
        blank=True,
        related_name="enforcement_cases",
    )
    registered_at = models.DateTimeField(_("registered"), db_index=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True, db_index=True)
    tier = models.CharField(_("discretion tier"), max_length=10, choices=Tier.choices, blank=True)
    proposed_outcome = models.CharField(
        _("proposed outcome"), max_length=24, choices=Outcome.choices, blank=True
    )
    proposed_fine = models.DecimalField(_("proposed fine"), default=Decimal(0), **MONEY)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    penalty_kinds = models.JSONField(_("penalty kinds"), default=list, blank=True)
    fine = models.DecimalField(_("fine (yuan)"), default=Decimal(0), **MONEY)
    first_violation = models.BooleanField(_("first violation"), default=False)
    earlier_cases = models.PositiveIntegerField(_("earlier cases of the party"), default=0)
    legal_review_required = models.BooleanField(_("legal review required"), default=False)
    legal_review_passed = models.BooleanField(_("legal review passed"), default=False)
    difficult = models.BooleanField(
        _("difficult or complex (重难点)"),
        default=False,
        help_text=_("Involves several legal relations or major interests (第五十八条)."),
    )
    serious = models.BooleanField(_("needs collective discussion"), default=False)
    deliberated_at = models.DateTimeField(_("discussed collectively"), null=True, blank=True)
    hearing_right = models.BooleanField(_("party may ask for a hearing"), default=False)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    statement = models.TextField(_("statement and defence"), blank=True)
    statement_waived = models.BooleanField(_("party waived statement"), default=False)
    hearing_requested_at = models.DateTimeField(_("hearing requested"), null=True, blank=True)
    hearing_at = models.DateTimeField(_("hearing held at"), null=True, blank=True)
    heard_at = models.DateTimeField(_("hearing concluded"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, db_index=True)
    served_at = models.DateTimeField(_("served"), null=True, blank=True)
    service_method = models.CharField(
        _("service method"), max_length=14, choices=ServiceMethod.choices, blank=True
    )
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid = models.DecimalField(_("paid (yuan)"), default=Decimal(0), **MONEY)
    surcharge = models.DecimalField(_("late surcharge (yuan)"), default=Decimal(0), **MONEY)
    paid_at = models.DateTimeField(_("paid in full"), null=True, blank=True)
    cash_collected = models.BooleanField(_("collected on the spot"), default=False)
    handed_over_at = models.DateTimeField(_("cash handed in"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder served"), null=True, blank=True)
    court_applied_at = models.DateTimeField(_("court application"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    history_head = models.CharField(
        _("history chain head"),
        max_length=64,
        blank=True,
        help_text=_("The digest of the case's last history row (cityloop verify)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnforcementCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="enforcement_case_unit_state"),
            models.Index(fields=["state", "registered_at"], name="enforcement_case_state_time"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class EnforcementEvent(ChainedHistoryEntry):
    """One act on an enforcement case: who, from which unit, when, what, why; hash-chained
    per case (the kernel's chained history; ``cityloop verify --only enforcement``)."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )

    class Meta(ChainedHistoryEntry.Meta):
        verbose_name = _("enforcement case event")
        verbose_name_plural = _("enforcement case events")
        indexes = [
            models.Index(fields=["case", "at", "id"], name="enforcement_event_case_at"),
            # The figures find the acts of a kind in a period (legal reviews passed).
            models.Index(fields=["action", "at"], name="enforcement_event_action_at"),
        ]


class CaseClock(models.Model):
    """One statutory clock of a case: a stored, indexed deadline with its warning."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="clocks"
    )
    kind = models.CharField(_("clock"), max_length=14, choices=ClockKind.choices)
    article = models.CharField(_("article"), max_length=80, blank=True)
    started_at = models.DateTimeField(_("started"))
    period_amount = models.BigIntegerField(_("period"), null=True, blank=True)
    period_unit = models.CharField(_("period unit"), max_length=16)
    deadline = models.DateTimeField(_("deadline"))
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    clock_state = models.CharField(
        _("clock state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    suspended_left = models.BigIntegerField(_("left when suspended"), null=True, blank=True)
    suspended_unit = models.CharField(_("unit left"), max_length=16, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    extended_days = models.PositiveIntegerField(_("extended by (days)"), default=0)
    provisional_year = models.PositiveIntegerField(_("provisional calendar year"), null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        ordering = ["deadline"]
        indexes = [
            models.Index(fields=["clock_state", "deadline"], name="enforcement_clock_due"),
            models.Index(fields=["clock_state", "warn_at"], name="enforcement_clock_warn"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="enforcement_clock_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.get_kind_display()}"


class Evidence(models.Model):
    """An evidence item of a case (证据), with the digest of its file or sealed record."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence"
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=14, choices=EvidenceKind.choices)
    description = models.TextField(_("description"))
    collected_at = models.DateTimeField(_("collected"))
    officers = models.JSONField(_("officers (ids)"), default=list)
    file = models.FileField(_("file"), upload_to="enforcement/evidence/%Y/%m/", blank=True)
    sha256 = models.CharField(_("digest (SHA-256)"), max_length=64, blank=True)
    package_item = models.ForeignKey(
        "sorting.EvidenceItem",
        verbose_name=_("sealed evidence item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain_digest = models.CharField(_("sealed chain digest"), max_length=64, blank=True)
    event = models.ForeignKey(
        EnforcementEvent,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="enforcement_evidence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.number}"


class NumberingScheme(models.Model):
    """How a unit numbers a kind of document, e.g. ``罗城管罚字〔{year}〕第{n}号``; the scheme
    without a unit is the bureau's default."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE
    )
    kind = models.CharField(_("document"), max_length=30)
    pattern = models.CharField(
        _("pattern"),
        max_length=80,
        help_text=_("{year} is the year, {n} the sequence number of that year."),
    )

    class Meta:
        verbose_name = _("document numbering")
        verbose_name_plural = _("document numbering")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], name="enforcement_numbering_once"),
        ]

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        try:
            self.pattern.format(year=2024, n=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(
                {"pattern": _("The pattern may use only {year} and {n}.")}
            ) from exc


class DocumentCounter(models.Model):
    """The last number a pattern gave in a year (locked while a number is taken)."""

    pattern = models.CharField(max_length=80)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pattern", "year"], name="enforcement_counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pattern} {self.year}: {self.last}"


class DocumentTemplate(models.Model):
    """A template the bureau uploaded for a kind of document (DOCX with Jinja tags); the
    newest active one replaces the shipped default."""

    kind = models.CharField(_("document"), max_length=30)
    file = models.FileField(_("DOCX template"), upload_to="enforcement/templates/")
    active = models.BooleanField(_("in use"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.uploaded_at:%Y-%m-%d}"


class Document(models.Model):
    """An issued document 执法文书, kept as issued with its digests."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=30)
    number = models.CharField(_("number"), max_length=60, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    issued_at = models.DateTimeField(_("issued"))
    docx = models.FileField(_("DOCX"), upload_to="enforcement/documents/%Y/%m/")
    docx_sha256 = models.CharField(_("DOCX digest"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="enforcement/documents/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("PDF digest"), max_length=64, blank=True)
    event = models.ForeignKey(
        EnforcementEvent,
        verbose_name=_("issued with"),
        null=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["case", "issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.kind} {self.number}"


class Payment(models.Model):
    """A payment of a fine (罚缴分离: by bank or electronic payment; cash only on the spot)."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_at = models.DateTimeField(_("paid"))
    receipt = models.CharField(_("receipt or bank reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["case", "paid_at"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.amount}"
