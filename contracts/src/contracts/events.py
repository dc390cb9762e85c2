"""The event catalogue (EVENTS.md): one pydantic model per event type and version.

Each event carries what a consumer needs without calling back: the aggregate's full current
state after the change plus the facts of the change. Parties appear by id and public data
only: no email, webhook URL or secret ever travels on an event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts import topics
from contracts.enums import Channel, LicenceStatus, Medium, PartyKind, Role, WorkKind, WorkStatus
from contracts.identifiers import ISBN13, ISNI, ISRC, ISWC, IPINameNumber
from contracts.money import Currency, DecimalString, Rate, check_places
from contracts.shares import Share, check_total
from contracts.territories import CountryCode, Territories
from contracts.times import UtcDateTime

NonEmptyText = Annotated[str, Field(min_length=1)]
FilingNumber = Annotated[str, Field(pattern=r"^F-\d{4}-\d{6,}$", examples=["F-2026-000123"])]
RegistrationNumber = Annotated[str, Field(pattern=r"^R-\d{4}-\d{6,}$", examples=["R-2026-000045"])]


class Payload(BaseModel):
    """Immutable wire model; unknown fields are ignored so a reader tolerates later additions."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EventData(Payload):
    """The `data` of one CloudEvent; subclasses name their type, topic, source and key."""

    ce_type: ClassVar[str]
    topic: ClassVar[str]
    source: ClassVar[str]

    occurred_at: UtcDateTime

    def aggregate_id(self) -> str:
        """The record key and `ce_subject`: the id of the aggregate this event is about."""
        raise NotImplementedError


class StatusEvent(EventData):
    """An event about an aggregate with a status: its type fixes the status the aggregate has
    after it, checked so no event contradicts its type."""

    # The field that carries the aggregate's state after the change ("work", "licence").
    subject_field: ClassVar[str]
    resulting_status: ClassVar[StrEnum]

    def aggregate_id(self) -> str:
        return str(getattr(self, self.subject_field).id)

    @model_validator(mode="after")
    def _status_matches_type(self) -> StatusEvent:
        status = getattr(self, self.subject_field).status
        if status != self.resulting_status:
            raise ValueError(
                f"{self.subject_field}.status: a {type(self).__name__} event needs status "
                f"{self.resulting_status}, got {status}"
            )
        return self


ActorId = Annotated[
    UUID | None, Field(description="the party who caused the change; null when automatic")
]

# The order of one aggregate's snapshots: filing counts each party's and each work's changes
# in the transaction that makes them, so a reader orders snapshots without trusting any clock.
AggregateVersion = Annotated[
    int | None,
    Field(
        ge=1,
        description=(
            "the aggregate's version after this change: 1 for its first event, one more for "
            "each later event of the same party or work; a reader keeps the snapshot with the "
            "highest version. Absent on events written before versions existed."
        ),
    ),
]


# --- parties -------------------------------------------------------------------------------


class PartyState(Payload):
    """The public part of a party (its contact settings live in notifications only)."""

    id: UUID
    name: NonEmptyText
    kind: PartyKind
    country: CountryCode
    ipi_name_number: IPINameNumber | None = None
    isni: ISNI | None = None


class PartyEvent(EventData):
    topic: ClassVar[str] = topics.FILING_PARTIES
    source: ClassVar[str] = topics.FILING_SOURCE

    party: PartyState
    version: AggregateVersion = None

    def aggregate_id(self) -> str:
        return str(self.party.id)


class PartyRegistered(PartyEvent):
    """A party signed up; the event carries its public part."""

    ce_type: ClassVar[str] = topics.PARTY_REGISTERED


class PartyUpdated(PartyEvent):
    """A party changed its public part; `changed_fields` names what changed."""

    ce_type: ClassVar[str] = topics.PARTY_UPDATED

    changed_fields: list[str] = Field(description="names of the public fields that changed")


# --- works ---------------------------------------------------------------------------------


class Identifiers(Payload):
    iswc: ISWC | None = None
    isrc: ISRC | None = None
    isbn: ISBN13 | None = None


class RightsHolder(Payload):
    party_id: UUID
    role: Role
    share: Share


def check_rights_holders(holders: list[RightsHolder], field: str = "rights_holders") -> None:
    """Shares sum to 100.00 and a party appears at most once per role (DOMAIN.md, Works)."""
    check_total((h.share for h in holders), field=field)
    seen: set[tuple[UUID, Role]] = set()
    for index, holder in enumerate(holders):
        if (holder.party_id, holder.role) in seen:
            raise ValueError(
                f"{field}[{index}]: party {holder.party_id} appears twice as {holder.role}"
            )
        seen.add((holder.party_id, holder.role))


class WorkState(Payload):
    """A work as the register holds it after the change."""

    id: UUID
    filing_number: FilingNumber
    registration_number: RegistrationNumber | None = None
    title: NonEmptyText
    alternate_titles: list[str] = Field(default_factory=list)
    kind: WorkKind
    status: WorkStatus
    status_reason: str | None = None
    identifiers: Identifiers = Field(default_factory=Identifiers)
    country_of_origin: CountryCode
    rights_holders: list[RightsHolder] = Field(min_length=1)
    filed_by: UUID
    filed_at: UtcDateTime

    @model_validator(mode="after")
    def _holders_are_consistent(self) -> WorkState:
        try:
            check_rights_holders(self.rights_holders)
        except Exception as exc:  # the shares error is a DomainError; pydantic wants ValueError
            raise ValueError(str(exc)) from None
        return self

    def owner_ids(self) -> list[UUID]:
        """Each rights holder's party id once, in list order."""
        return list(dict.fromkeys(h.party_id for h in self.rights_holders))


class WorkEvent(StatusEvent):
    topic: ClassVar[str] = topics.FILING_WORKS
    source: ClassVar[str] = topics.FILING_SOURCE
    subject_field: ClassVar[str] = "work"
    resulting_status: ClassVar[WorkStatus]

    work: WorkState
    actor_id: ActorId = None
    version: AggregateVersion = None


class WorkFiled(WorkEvent):
    """A work was filed; examination follows at once."""

    ce_type: ClassVar[str] = topics.WORK_FILED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.FILED


class WorkRegistered(WorkEvent):
    """A work was registered, by examination or by an examiner's decision."""

    ce_type: ClassVar[str] = topics.WORK_REGISTERED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.REGISTERED

    reason: str | None = None


class WorkRejected(WorkEvent):
    """A work was rejected; `reason` says why, naming any work holding a clashing identifier."""

    ce_type: ClassVar[str] = topics.WORK_REJECTED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.REJECTED

    reason: NonEmptyText
    conflicting_work_id: UUID | None = Field(
        default=None, description="the work already holding one of this work's identifiers"
    )


class WorkReviewRequested(WorkEvent):
    """Examination found a likely duplicate; an examiner must decide."""

    ce_type: ClassVar[str] = topics.WORK_REVIEW_REQUESTED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.UNDER_REVIEW

    reason: NonEmptyText
    similar_work_ids: list[UUID] = Field(default_factory=list)


class WorkOwnershipTransferred(WorkEvent):
    """An owner transferred part or all of a share to another party."""

    ce_type: ClassVar[str] = topics.WORK_OWNERSHIP_TRANSFERRED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.REGISTERED

    from_party_id: UUID
    to_party_id: UUID
    share: Share
    previous_rights_holders: list[RightsHolder] = Field(min_length=1)


class WorkDisputed(WorkEvent):
    """A party disputed a registered work."""

    ce_type: ClassVar[str] = topics.WORK_DISPUTED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.DISPUTED

    reason: NonEmptyText
    # The disputer's standing (DOMAIN.md): a claimed role and share, evidence, or both.
    # Optional so events written before the rule still read.
    claimed_role: Role | None = Field(default=None, description="the role the disputer claims")
    claimed_share: Share | None = Field(
        default=None, description="the share the disputer says is theirs"
    )
    evidence: str | None = Field(
        default=None, max_length=2000, description="the disputer's evidence, bounded in size"
    )


class WorkDisputeResolved(WorkEvent):
    """An examiner resolved a dispute, keeping or replacing the rights holders."""

    ce_type: ClassVar[str] = topics.WORK_DISPUTE_RESOLVED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.REGISTERED

    keep_owners: bool
    reason: NonEmptyText
    previous_rights_holders: list[RightsHolder] = Field(min_length=1)


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

    @model_validator(mode="after")
    def _terms_are_consistent(self) -> LicenceTerms:
        if len(set(self.media)) != len(self.media):
            raise ValueError("media: each medium at most once")
        if self.end is not None and self.end < self.start:
            raise ValueError("end: must not be before start")
        if self.advance < 0:
            raise ValueError("advance: must not be negative")
        _places(self.advance, self.currency, "advance")
        return self


class LicenceState(Payload):
    """A licence as licensing holds it after the change."""

    id: UUID
    work_id: UUID
    licensor_id: UUID
    licensee_id: UUID
    status: LicenceStatus
    status_reason: str | None = None
    terms: LicenceTerms


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


class RoyaltyStatement(Payload):
    id: UUID
    licence_id: UUID
    work_id: UUID
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

    @model_validator(mode="after")
    def _statement_is_consistent(self) -> RoyaltyStatement:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        for index, line in enumerate(self.lines):
            _places(line.amount, self.currency, f"lines[{index}].amount")
        total = sum((line.amount for line in self.lines), Decimal(0))
        if self.lines and total != self.payable:
            raise ValueError(f"lines: amounts sum to {total}, not to payable {self.payable}")
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


# --- notifications -------------------------------------------------------------------------


class NotificationEvent(EventData):
    """A delivery outcome; it names the channel, never the address it went to."""

    topic: ClassVar[str] = topics.NOTIFICATIONS_DELIVERIES
    source: ClassVar[str] = topics.NOTIFICATIONS_SOURCE

    notification_id: UUID
    recipient_id: UUID
    event_id: UUID = Field(description="ce_id of the event the notification is about")
    event_type: NonEmptyText = Field(description="ce_type of that event")
    subject_id: NonEmptyText = Field(description="ce_subject of that event")
    channel: Channel
    attempts: int = Field(ge=1)

    def aggregate_id(self) -> str:
        return str(self.recipient_id)


class NotificationDelivered(NotificationEvent):
    """A notification reached a party on one channel."""

    ce_type: ClassVar[str] = topics.NOTIFICATION_DELIVERED


class NotificationFailed(NotificationEvent):
    """A notification could not be delivered on one channel; retries are over."""

    ce_type: ClassVar[str] = topics.NOTIFICATION_FAILED

    error: NonEmptyText = Field(description="why the last attempt failed (no secrets, no URL)")


ALL_EVENTS: tuple[type[EventData], ...] = (
    PartyRegistered,
    PartyUpdated,
    WorkFiled,
    WorkRegistered,
    WorkRejected,
    WorkReviewRequested,
    WorkOwnershipTransferred,
    WorkDisputed,
    WorkDisputeResolved,
    LicenceOffered,
    LicenceActivated,
    LicenceDeclined,
    LicenceWithdrawn,
    LicenceTerminated,
    LicenceExpired,
    UsageReported,
    RoyaltyStatementIssued,
    NotificationDelivered,
    NotificationFailed,
)

EVENT_TYPES: dict[str, type[EventData]] = {cls.ce_type: cls for cls in ALL_EVENTS}
