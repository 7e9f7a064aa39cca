"""Input and output shapes of the enforcement API (django-ninja schemas)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from cityloop.enforcement.choices import Category, ClueSource, EnforcementState, Procedure


def _without_nul(value):
    """Text with its NUL characters removed (PostgreSQL can neither store nor compare one),
    as the closed loop's intake does."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class Texts(Schema):
    """A schema whose text fields drop NUL characters before they are checked."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        return _without_nul(value)


class EnforcementClueIn(Texts):
    """A clue registered (线索登记) by an officer, a leader or a dispatcher."""

    model_config = ConfigDict(extra="forbid")

    source: ClueSource = Field(..., description="patrol, complaint, transfer, …")
    title: str = Field(..., max_length=200)
    unit: str | None = Field(
        None,
        max_length=32,
        description="division code of the street whose team handles it; default: yours",
    )
    place: str = Field("", max_length=200)
    facts: str = Field("", max_length=4000)
    note: str = Field("", max_length=300, description="the clue's details, e.g. a complaint's no.")


class EnforcementListFilter(Texts):
    state: list[EnforcementState] | None = None
    procedure: Procedure | None = None
    category: Category | None = Field(None, description="the violation's category")
    unit: str | None = Field(None, max_length=32, description="the team's unit, division code")
    mine: bool = Field(False, description="only cases on which I am a handling officer")
    clock: Literal["due_soon", "overdue"] | None = Field(
        None, description="cases with a clock due soon or overdue"
    )
    q: str | None = Field(None, max_length=100, description="in the number or the title")


class EnforcementUnitOut(Schema):
    id: int
    code: str | None
    name: str


class EnforcementClockOut(Schema):
    kind: str
    label: str
    article: str
    started_at: datetime
    deadline: datetime
    warn_at: datetime | None
    state: str
    suspended: bool
    stopped_at: datetime | None


class EnforcementCaseSummaryOut(Schema):
    number: str
    title: str
    procedure: str
    state: str
    state_label: str
    unit: EnforcementUnitOut
    source: str
    place: str
    category: str | None = Field(..., description="the violation's category")
    party_name: str | None
    registered_at: datetime
    filed_at: datetime | None
    decided_at: datetime | None
    closed_at: datetime | None
    fine: Decimal
    next_clock: EnforcementClockOut | None = Field(..., description="the running clock due first")
    version: int


class EnforcementPartyOut(Schema):
    kind: str
    name: str
    identity: str = Field(..., description="ID number or credit code; masked unless you may")
    phone: str = Field(..., description="masked unless you may see it")
    address: str
    legal_representative: str
    masked: bool


class EnforcementViolationOut(Schema):
    id: int
    code: str
    version: int
    current: bool
    category: str
    name: str
    regulation: str
    legal_basis: str
    penalty_basis: str
    min_fine: Decimal
    max_fine: Decimal


class EnforcementOfficerOut(Schema):
    id: int
    name: str
    credential: str | None


class EnforcementEvidenceOut(Schema):
    number: int
    kind: str
    description: str
    collected_at: datetime
    officers: list[int]
    sha256: str
    chain_digest: str
    file_url: str | None


class EnforcementDocumentOut(Schema):
    id: int
    kind: str
    number: str
    revision: int
    issued_at: datetime
    sha256: str = Field(..., description="of the DOCX as issued")
    pdf_sha256: str = Field(..., description="empty until the PDF was first rendered")
    docx_url: str
    pdf_url: str


class EnforcementEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    comment: str
    data: dict


class EnforcementActionOut(Schema):
    action: str
    label: str
    reason_required: bool
    takes_files: bool = Field(..., description="also offered as …/{action}/with-files")


class EnforcementCaseOut(EnforcementCaseSummaryOut):
    source_note: str
    source_case: str | None
    source_package: str | None
    occurred_at: datetime | None
    facts: str
    party: EnforcementPartyOut | None
    violation: EnforcementViolationOut | None
    officers: list[EnforcementOfficerOut]
    tier: str
    proposed_outcome: str
    proposed_fine: Decimal
    outcome: str
    penalty_kinds: list[str]
    first_violation: bool
    earlier_cases: int
    legal_review_required: bool
    legal_review_passed: bool
    hearing_right: bool
    serious: bool
    served_at: datetime | None
    service_method: str
    pay_by: datetime | None
    paid: Decimal
    surcharge: Decimal
    paid_at: datetime | None
    archived_at: datetime | None
    clocks: list[EnforcementClockOut]
    evidence: list[EnforcementEvidenceOut]
    documents: list[EnforcementDocumentOut]
    timeline: list[EnforcementEventOut]
    actions: list[EnforcementActionOut]


# --- what every action carries; each action's own inputs are declared on its row of the
# table (enforcement.workflow) and its body schema derived from them (core.workflow.schemas) --
class EnforcementActionIn(Schema):
    # A field the action does not take is refused (422 extra_forbidden), as the kernel does.
    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., description="the case version you saw; 409 if it has moved")
    comment: str = Field("", max_length=2000)


class EnforcementVerifyOut(Schema):
    """A case file checked as it is now against what was sealed (enforcement.verification)."""

    ok: bool
    cases: int
    rows: int = Field(..., description="history rows whose chain was recomputed")
    documents: int
    evidence: int
    problems: list[dict] = Field(
        ...,
        description="each: case, what (row_digest, row_chain, head, document_changed, …), "
        "label {zh-hans, en}, data",
    )


class EnforcementFiguresFilter(Texts):
    start: date = Field(..., description="first day of the period (Asia/Shanghai)")
    end: date = Field(..., description="last day of the period, included")
    unit: str | None = Field(
        None, max_length=32, description="a street's division code; default: yours, or all"
    )


class EnforcementFigureOut(Schema):
    key: str
    label: str = Field(..., description="the annual report's phrase")
    value: int = Field(..., description="the exact count")
    text: str = Field(..., description="as the report writes it, e.g. 1.5万多宗")
    unit: str
    name: str
    basis: str = Field(..., description="how it is counted")


class EnforcementFiguresOut(Schema):
    start: date
    end: date
    area: str
    figures: list[EnforcementFigureOut]
    sentence: str
