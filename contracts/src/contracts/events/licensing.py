"""Licensing's events: a licence through its lifecycle, usage reports and royalty statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from contracts import topics
from contracts.enums import LicenceStatus, MatchMethod, Medium
from contracts.events.base import (
    ActorId,
    EventData,
    NonEmptyText,
    Payload,
    StatusEvent,
)
from contracts.money import Currency, DecimalString, Rate, check_places
from contracts.shares import Share
from contracts.territories import Territories
from contracts.times import UtcDateTime

# --- licences ------------------------------------------------------------------------------


class LicenceTerms(Payload):
    territories: Territories
    media: list[Medium] = Field(min_length=1)
    exclusive: bool
    start: date
    end: date | None = Field(default=None, description="inclusive; null when open-ended")
    royalty_rate: Rate
    advance: DecimalString = Decimal("0")
    currency: Currency
    minimum_guarantee: DecimalString = Field(
        default=Decimal("0"), description="0: none; otherwise at least the advance"
    )

    @model_validator(mode="after")
    def _terms_are_consistent(self) -> LicenceTerms:
        if len(set(self.media)) != len(self.media):
            raise ValueError("media: each medium at most once")
        if self.end is not None and self.end < self.start:
            raise ValueError("end: must not be before start")
        if self.advance < 0:
            raise ValueError("advance: must not be negative")
        _places(self.advance, self.currency, "advance")
        _places(self.minimum_guarantee, self.currency, "minimum_guarantee")
        if self.minimum_guarantee and self.minimum_guarantee < self.advance:
            raise ValueError("minimum_guarantee: 0 (none) or at least the advance")
        return self


class LicenceDeal(Payload):
    """The deal a licence belongs to (DOMAIN.md, "Advances and minimum guarantees")."""

    id: UUID
    cross_collateralised: bool = Field(
        description="its licences' royalties recoup its licences' advances together"
    )


class PublishedLicenceStatus(StrEnum):
    """The statuses the v1 licence events were published with. The co-owners' consent
    statuses travel only on their own event types (`ConsentLicenceState`): a longer enum
    here would break the published types' readers (EVENTS.md, "Evolution")."""

    OFFERED = "OFFERED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    TERMINATED = "TERMINATED"
    EXPIRED = "EXPIRED"


class LicenceState(Payload):
    """A licence as licensing holds it after the change."""

    id: UUID
    work_id: UUID
    licensor_id: UUID
    licensee_id: UUID
    status: PublishedLicenceStatus
    status_reason: str | None = None
    terms: LicenceTerms
    deal: LicenceDeal | None = Field(default=None, description="null: in no deal")


class LicenceEvent(StatusEvent):
    topic: ClassVar[str] = topics.LICENSING_LICENCES
    source: ClassVar[str] = topics.LICENSING_SOURCE
    subject_field: ClassVar[str] = "licence"
    resulting_status: ClassVar[LicenceStatus]

    licence: LicenceState
    work_owner_ids: list[UUID] = Field(
        min_length=1, description="the work's owners when this happened (who is told)"
    )
    actor_id: ActorId = None


class LicenceOffered(LicenceEvent):
    """An owner offered a licence on a registered work to a licensee."""

    ce_type: ClassVar[str] = topics.LICENCE_OFFERED
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.OFFERED


class LicenceActivated(LicenceEvent):
    """The licensee accepted an offer; the licence is active."""

    ce_type: ClassVar[str] = topics.LICENCE_ACTIVATED
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.ACTIVE


class LicenceDeclined(LicenceEvent):
    """The licensee declined an offer."""

    ce_type: ClassVar[str] = topics.LICENCE_DECLINED
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.DECLINED

    reason: str | None = None


class LicenceWithdrawn(LicenceEvent):
    """The offeror withdrew an offer."""

    ce_type: ClassVar[str] = topics.LICENCE_WITHDRAWN
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.WITHDRAWN


class LicenceTerminated(LicenceEvent):
    """Either side terminated an active licence."""

    ce_type: ClassVar[str] = topics.LICENCE_TERMINATED
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.TERMINATED

    reason: NonEmptyText


class LicenceExpired(LicenceEvent):
    """An active licence passed its end date."""

    ce_type: ClassVar[str] = topics.LICENCE_EXPIRED
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.EXPIRED


# --- usage and royalties -------------------------------------------------------------------


def _places(amount: Decimal, currency: str, field: str) -> None:
    try:
        check_places(amount, currency, field)
    except Exception as exc:  # a DomainError; pydantic collects ValueErrors only
        raise ValueError(str(exc)) from None


def _check_split(lines: Sequence[StatementLine], payable: Decimal, currency: str) -> None:
    """A statement's lines: each to the currency's minor units, together exactly `payable`."""
    for index, line in enumerate(lines):
        _places(line.amount, currency, f"lines[{index}].amount")
    total = sum((line.amount for line in lines), Decimal(0))
    if total != payable:
        raise ValueError(f"lines: amounts sum to {total}, not to payable {payable}")


class UsageReport(Payload):
    id: UUID
    licence_id: UUID
    work_id: UUID
    period_start: date
    period_end: date
    units: int = Field(ge=0)
    gross_revenue: DecimalString
    currency: Currency
    created_at: UtcDateTime
    corrects_report_id: UUID | None = Field(
        default=None,
        description="set on a correction: the report it adjusts (its gross is then signed)",
    )
    usage_file: str | None = Field(
        default=None,
        description="set on a line report: the key of the file (or API batch) of its lines",
    )

    @model_validator(mode="after")
    def _report_is_consistent(self) -> UsageReport:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        _places(self.gross_revenue, self.currency, "gross_revenue")
        return self


class StatementLine(Payload):
    party_id: UUID
    share: Share
    amount: DecimalString = Field(description="negative on an adjustment line")
    held: bool = Field(
        default=False,
        description="held in suspense while the work is disputed: nobody's earnings until "
        "a royalty.statement_released names its statement",
    )


class StatementUsageLine(Payload):
    """One usage line a line report's statement pays for."""

    line_id: UUID
    line_key: str
    work_id: UUID
    units: int = Field(ge=0)
    revenue: DecimalString
    royalty: DecimalString


class RoyaltyStatement(Payload):
    id: UUID
    licence_id: UUID
    work_id: UUID
    kind: Literal["ROYALTY"] = Field(
        default="ROYALTY", description="always: the other kinds are events of their own"
    )
    report_id: UUID
    period_start: date
    period_end: date
    gross: DecimalString
    royalty: DecimalString
    recouped: DecimalString
    payable: DecimalString
    currency: Currency
    lines: list[StatementLine]
    issued_at: UtcDateTime
    usage_lines: list[StatementUsageLine] | None = Field(
        default=None, description="a line report's statement: the usage lines it pays for"
    )
    held: bool = Field(
        default=False,
        description="issued while the work was disputed: every line is held in suspense",
    )

    @model_validator(mode="after")
    def _statement_is_consistent(self) -> RoyaltyStatement:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        if self.lines:
            _check_split(self.lines, self.payable, self.currency)
        return self


class UsageReported(EventData):
    """The licensee reported usage for a period of an active licence."""

    ce_type: ClassVar[str] = topics.USAGE_REPORTED
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    report: UsageReport
    licensee_id: UUID
    work_owner_ids: list[UUID] = Field(min_length=1)

    def aggregate_id(self) -> str:
        return str(self.report.licence_id)


class RoyaltyStatementIssued(EventData):
    """The royalty statement of a usage report, split among the owners."""

    ce_type: ClassVar[str] = topics.ROYALTY_STATEMENT_ISSUED
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    statement: RoyaltyStatement
    licensee_id: UUID

    def aggregate_id(self) -> str:
        return str(self.statement.licence_id)


# --- suspense (DOMAIN.md, "Suspense while a work is disputed") ---------------------------------


class ReleaseStatement(Payload):
    """A `RELEASE` statement: the held statements' payable, split among the owners the
    dispute's resolution named."""

    id: UUID
    licence_id: UUID
    work_id: UUID
    kind: Literal["RELEASE"] = "RELEASE"
    period_start: date = Field(description="the earliest start of the statements it releases")
    period_end: date = Field(description="the latest end of the statements it releases")
    payable: DecimalString
    currency: Currency
    lines: list[StatementLine] = Field(min_length=1)
    releases: list[UUID] = Field(min_length=1, description="the held statements it releases")
    issued_at: UtcDateTime

    @model_validator(mode="after")
    def _release_is_consistent(self) -> ReleaseStatement:
        for index, line in enumerate(self.lines):
            if line.held:
                raise ValueError(f"lines[{index}].held: a release's lines are not held")
        _check_split(self.lines, self.payable, self.currency)
        return self


class RoyaltyStatementReleased(EventData):
    """A dispute was resolved: the statements held while the work was disputed are released
    to the owners the resolution named, by one RELEASE statement per licence."""

    ce_type: ClassVar[str] = topics.ROYALTY_STATEMENT_RELEASED
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    statement: ReleaseStatement
    licensee_id: UUID
    held_party_ids: list[UUID] = Field(
        description="the parties whose lines on the released statements were held"
    )

    def aggregate_id(self) -> str:
        return str(self.statement.licence_id)


# --- advances and guarantees (DOMAIN.md, "Advances and minimum guarantees") ---------------------


class _StatementOfNoReport(Payload):
    """A statement that comes from no usage report: its payable split among the owners."""

    id: UUID
    licence_id: UUID
    work_id: UUID
    period_start: date
    period_end: date
    payable: DecimalString
    currency: Currency
    lines: list[StatementLine] = Field(min_length=1)
    issued_at: UtcDateTime

    @model_validator(mode="after")
    def _split_is_exact(self) -> Self:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        _check_split(self.lines, self.payable, self.currency)
        return self


class AdvanceStatement(_StatementOfNoReport):
    """An `ADVANCE` statement: the licence's advance, recorded paid by the licensee."""

    kind: Literal["ADVANCE"] = "ADVANCE"
    paid_on: date = Field(description="also the statement's period")
    reference: NonEmptyText = Field(description="the licensee's payment reference")


class TrueUpStatement(_StatementOfNoReport):
    """A `TRUE_UP` statement: payable = minimum_guarantee - max(advance, royalties)."""

    kind: Literal["TRUE_UP"] = "TRUE_UP"
    minimum_guarantee: DecimalString
    advance: DecimalString
    royalties: DecimalString = Field(description="the licence's own royalties stated by its end")


class AdvancePaid(EventData):
    """The licensee recorded the licence's advance as paid: split among the owners."""

    ce_type: ClassVar[str] = topics.ADVANCE_PAID
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    statement: AdvanceStatement
    licensee_id: UUID

    def aggregate_id(self) -> str:
        return str(self.statement.licence_id)


class GuaranteeTruedUp(EventData):
    """A licence ended short of its minimum guarantee: the shortfall, owed by the licensee,
    split among the owners."""

    ce_type: ClassVar[str] = topics.GUARANTEE_TRUED_UP
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    statement: TrueUpStatement
    licensee_id: UUID

    def aggregate_id(self) -> str:
        return str(self.statement.licence_id)


# --- usage lines (DOMAIN.md, "Usage lines and matching") --------------------------------------


class UsageLinesEvent(EventData):
    """Usage lines of one licensee's file (or API batch); keyed by the licensee."""

    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    licensee_id: UUID
    usage_file: NonEmptyText = Field(description="the file's key (given, or its SHA-256)")

    def aggregate_id(self) -> str:
        return str(self.licensee_id)


class UsageLinesReceived(UsageLinesEvent):
    """A chunk of a usage file was read: how many lines were new, already known, refused."""

    ce_type: ClassVar[str] = topics.USAGE_LINES_RECEIVED

    first_line: int = Field(ge=0, description="the file line number the chunk starts at")
    last_line: int = Field(ge=0)
    received: int = Field(ge=0, description="new lines stored")
    duplicates: int = Field(ge=0, description="lines already received (same key): unchanged")
    refused: int = Field(ge=0, description="lines with an error, not stored")


class LineMatch(Payload):
    """Where matching took one line: `STATED` or `UNLICENSED` when matched (`method`), or
    `QUEUED` (with a candidate `work_id` and its `confidence` when one scored for review)."""

    line_id: UUID
    line_key: str
    status: str = Field(pattern="^(STATED|UNLICENSED|QUEUED)$")
    work_id: UUID | None = None
    method: MatchMethod | None = None
    confidence: DecimalString | None = Field(default=None, description="0.000 to 1.000")
    licence_id: UUID | None = None
    royalty: DecimalString | None = None
    recording_id: UUID | None = Field(
        default=None,
        description="the recording an ISRC matched, when the line went to the musical work it "
        "records",
        exclude_if=lambda value: value is None,
    )


class UsageLinesMatched(UsageLinesEvent):
    """The new lines of a chunk, matched (or queued), each with its method and confidence."""

    ce_type: ClassVar[str] = topics.USAGE_LINES_MATCHED

    currency: Currency | None = Field(default=None, description="of every royalty below")
    lines: list[LineMatch] = Field(min_length=1)


class UsageLineClaimed(UsageLinesEvent):
    """An owner claimed a queued line for its work: the line is matched (method CLAIM)."""

    ce_type: ClassVar[str] = topics.USAGE_LINE_CLAIMED

    line: LineMatch
    claimed_by: UUID = Field(description="the party that claimed the line (an owner)")


# --- the payee ledger (DOMAIN.md, "The payee ledger, payments and conversion") ----------------


class RoyaltyStatementPaid(EventData):
    """The licensee recorded a statement paid, whole: its payees learn of it. The payment's
    reference is not carried (it is the licensee's own, read where the statement is)."""

    ce_type: ClassVar[str] = topics.ROYALTY_STATEMENT_PAID
    topic: ClassVar[str] = topics.LICENSING_ROYALTIES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    statement_id: UUID
    licence_id: UUID
    work_id: UUID
    kind: str = Field(description="the statement's kind: ROYALTY, ADVANCE, TRUE_UP, RELEASE")
    paid_on: date
    amount: DecimalString = Field(description="the statement's payable, paid whole")
    currency: Currency
    lines: list[StatementLine] = Field(
        description="the lines paid (a line held in suspense is paid on its release)"
    )
    licensee_id: UUID

    @model_validator(mode="after")
    def _amounts_fit_the_currency(self) -> RoyaltyStatementPaid:
        _places(self.amount, self.currency, "amount")
        for index, line in enumerate(self.lines):
            _places(line.amount, self.currency, f"lines[{index}].amount")
        return self

    def aggregate_id(self) -> str:
        return str(self.licence_id)


# --- co-owners' consent to licences, and mandates (DOMAIN.md) --------------------------------


class ConsentLicenceState(LicenceState):
    """A licence in one of the co-owners' consent statuses, on the types that carry them."""

    status: LicenceStatus  # type: ignore[assignment]  # every status, not only the published


class LicenceAwaitingOwners(LicenceEvent):
    """An exclusive offer waits for the consent of owners the offeror does not speak for."""

    ce_type: ClassVar[str] = topics.LICENCE_AWAITING_OWNERS
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.AWAITING_OWNERS

    licence: ConsentLicenceState

    owners_asked: list[UUID] = Field(min_length=1, description="the owners whose consent waits")
    consent_due: UtcDateTime = Field(description="when the offer lapses without their consent")


class LicenceOwnerConsented(EventData):
    """An owner asked consented to an exclusive offer; `remaining` are still to answer (when
    none, a `licence.offered` follows in the same transaction)."""

    ce_type: ClassVar[str] = topics.LICENCE_OWNER_CONSENTED
    topic: ClassVar[str] = topics.LICENSING_LICENCES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    licence_id: UUID
    work_id: UUID
    licensor_id: UUID
    owner_id: UUID = Field(description="the owner who consented")
    remaining: list[UUID] = Field(description="the owners asked who have not answered yet")

    def aggregate_id(self) -> str:
        return str(self.licence_id)


class LicenceRefusedByOwners(LicenceEvent):
    """An owner asked refused an exclusive offer (`actor_id`), or the deadline passed without
    every consent (`actor_id` null); the offer ends."""

    ce_type: ClassVar[str] = topics.LICENCE_REFUSED_BY_OWNERS
    resulting_status: ClassVar[LicenceStatus] = LicenceStatus.REFUSED_BY_OWNERS

    licence: ConsentLicenceState

    reason: NonEmptyText


class Mandate(Payload):
    """An owner's consent in advance to exclusive licences its agent offers."""

    id: UUID
    grantor_id: UUID
    agent_id: UUID
    work_id: UUID | None = Field(default=None, description="null: all the grantor's works")
    media: list[Medium] = Field(description="empty: every medium")
    valid_from: date
    valid_until: date | None = Field(default=None, description="inclusive; null when open")
    granted_at: UtcDateTime
    revoked_at: UtcDateTime | None = None


class MandateEvent(EventData):
    topic: ClassVar[str] = topics.LICENSING_LICENCES
    source: ClassVar[str] = topics.LICENSING_SOURCE

    mandate: Mandate

    def aggregate_id(self) -> str:
        return str(self.mandate.id)


class MandateGranted(MandateEvent):
    """An owner granted a mandate."""

    ce_type: ClassVar[str] = topics.MANDATE_GRANTED


class MandateRevoked(MandateEvent):
    """The grantor revoked a mandate; consents it gave before stand."""

    ce_type: ClassVar[str] = topics.MANDATE_REVOKED
