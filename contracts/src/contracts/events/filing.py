"""Filing's events: a party's public part, a work's state, and each change to them."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field, WithJsonSchema, model_validator

from contracts import topics
from contracts.enums import PartyKind, Role, SocietyRegistrationStatus, WorkKind, WorkStatus
from contracts.events.base import (
    ActorId,
    AggregateVersion,
    EventData,
    NonEmptyText,
    Payload,
    StatusEvent,
)
from contracts.identifiers import ISBN13, ISNI, ISRC, ISWC, IPINameNumber
from contracts.shares import RightShare, Share, SocietyCode, check_right_totals, check_total
from contracts.territories import CountryCode
from contracts.times import UtcDateTime

FilingNumber = Annotated[str, Field(pattern=r"^F-\d{4}-\d{6,}$", examples=["F-2026-000123"])]
RegistrationNumber = Annotated[str, Field(pattern=r"^R-\d{4}-\d{6,}$", examples=["R-2026-000045"])]


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


class TerritoryShare(Payload):
    """What a holder collects in one territory where it differs from its ownership shares;
    a share left out is the holder's ownership share of that right."""

    territory: CountryCode
    performing_share: RightShare | None = None
    mechanical_share: RightShare | None = None
    sync_share: RightShare | None = None


def _unstated(value: object) -> bool:
    return value is None


def _stated(description: str) -> Any:
    """An optional by-right field: a holder with one share for every right (the common
    case) travels as it always did, the field appearing only when stated."""
    return Field(default=None, description=description, exclude_if=_unstated)


class RightsHolder(Payload):
    party_id: UUID
    role: Role
    share: Share = Field(
        description="the performing share, and the share of every right not stated otherwise"
    )
    mechanical_share: RightShare | None = _stated("the mechanical share where it differs")
    sync_share: RightShare | None = _stated("the synchronisation share where it differs")
    performing_society: SocietyCode | None = _stated("CISAC code of the holder's PR society")
    mechanical_society: SocietyCode | None = _stated("CISAC code of the holder's MR society")
    sync_society: SocietyCode | None = _stated("CISAC code of the holder's SR society")
    territory_shares: list[TerritoryShare] | None = _stated(
        "collection shares in territories where they differ from the ownership shares"
    )


def check_rights_holders(holders: list[RightsHolder], field: str = "rights_holders") -> None:
    """Shares sum to 100.00 per right (and per right in each territory listed) and a party
    appears at most once per role (DOMAIN.md, Works)."""
    check_total((h.share for h in holders), field=field)
    # Only a holder stating a share by right or territory can break a right's total: with
    # none, every right's shares are the `share`s just found to sum to 100.00.
    for h in holders:  # a plain loop: a generator frame per event costs more than it checks
        if h.mechanical_share is not None or h.sync_share is not None or h.territory_shares:
            check_right_totals(holders, field=field)
            break
    seen: set[tuple[UUID, Role]] = set()
    for index, holder in enumerate(holders):
        if (holder.party_id, holder.role) in seen:
            raise ValueError(
                f"{field}[{index}]: party {holder.party_id} appears twice as {holder.role}"
            )
        seen.add((holder.party_id, holder.role))


# The statuses a work had before co-owners' consent (DOMAIN.md): the published schemas of the
# event types that existed then list these and keep listing them, since an event of such a
# type never carries another (its type fixes its status). The consent events' own schemas
# (ConsentWorkState) list every status.
_PUBLISHED_STATUSES = [
    WorkStatus.FILED, WorkStatus.UNDER_REVIEW, WorkStatus.REGISTERED, WorkStatus.REJECTED,
    WorkStatus.DISPUTED,
]
PublishedWorkStatus = Annotated[
    WorkStatus,
    WithJsonSchema(
        {"enum": [s.value for s in _PUBLISHED_STATUSES], "title": "WorkStatus", "type": "string"}
    ),
]


class WorkState(Payload):
    """A work as the register holds it after the change."""

    id: UUID
    filing_number: FilingNumber
    registration_number: RegistrationNumber | None = None
    title: NonEmptyText
    alternate_titles: list[str] = Field(default_factory=list)
    kind: WorkKind
    status: PublishedWorkStatus
    status_reason: str | None = None
    identifiers: Identifiers = Field(default_factory=Identifiers)
    country_of_origin: CountryCode
    rights_holders: list[RightsHolder] = Field(min_length=1)
    filed_by: UUID
    filed_at: UtcDateTime
    recording_of: UUID | None = Field(
        default=None,
        description="a SOUND_RECORDING's musical work (the work it records), when it names one",
        exclude_if=_unstated,
    )

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


class ConsentWorkState(WorkState):
    """A work as a consent event carries it: any status, awaiting consent or returned among
    them (DOMAIN.md, "Co-owners' consent to a filing")."""

    status: WorkStatus  # the published annotation, widened


class WorkEvent(StatusEvent):
    topic: ClassVar[str] = topics.FILING_WORKS
    source: ClassVar[str] = topics.FILING_SOURCE
    subject_field: ClassVar[str] = "work"
    resulting_status: ClassVar[WorkStatus]

    work: WorkState
    actor_id: ActorId = None
    version: AggregateVersion = None
    import_id: UUID | None = Field(
        default=None,
        description=(
            "the bulk import that filed the work, when one did: its parties learn of the "
            "import once (import.completed), not of each of its works"
        ),
    )


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


# --- co-owners' consent to a filing (DOMAIN.md, "Co-owners' consent to a filing") ----------


class WorkConsentRequested(WorkEvent):
    """A filing names holders other than the filer: each is asked to confirm its holdings
    before the work is examined for registration."""

    ce_type: ClassVar[str] = topics.WORK_CONSENT_REQUESTED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.AWAITING_CONSENT

    work: ConsentWorkState

    asked: list[UUID] = Field(min_length=1, description="the parties asked, each once")
    deadline: UtcDateTime = Field(description="when the filing is returned if still unanswered")


class WorkConsentGiven(WorkEvent):
    """A party asked confirmed its holdings; after the last one, examination's outcome follows."""

    ce_type: ClassVar[str] = topics.WORK_CONSENT_GIVEN
    resulting_status: ClassVar[WorkStatus] = WorkStatus.AWAITING_CONSENT

    work: ConsentWorkState

    party_id: UUID = Field(description="the party that confirmed")


class WorkHoldingRejected(WorkEvent):
    """A party asked rejected its holdings; `work.returned` follows."""

    ce_type: ClassVar[str] = topics.WORK_HOLDING_REJECTED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.AWAITING_CONSENT

    work: ConsentWorkState

    party_id: UUID = Field(description="the party that rejected")
    reason: NonEmptyText


class WorkReturned(WorkEvent):
    """The filing went back to its filer: a holder rejected it or the deadline passed."""

    ce_type: ClassVar[str] = topics.WORK_RETURNED
    resulting_status: ClassVar[WorkStatus] = WorkStatus.RETURNED

    work: ConsentWorkState

    reason: NonEmptyText


# --- bulk imports ---------------------------------------------------------------------------


class BulkImportCompleted(EventData):
    """A bulk import finished: one event per party its works name, with that party's counts
    (DOMAIN.md, "Bulk import"), so each party is told once per import, not once per work."""

    topic: ClassVar[str] = topics.FILING_IMPORTS
    source: ClassVar[str] = topics.FILING_SOURCE
    ce_type: ClassVar[str] = topics.IMPORT_COMPLETED

    import_id: UUID
    party_id: UUID = Field(description="the party told: the filer or a rights holder")
    filed_by: UUID = Field(description="the party that imported the file")
    works_registered: int = Field(ge=0, description="works naming the party, registered")
    works_under_review: int = Field(ge=0, description="works naming the party, held for review")
    works_rejected: int = Field(ge=0, description="works naming the party, rejected")
    works_awaiting_consent: int = Field(
        default=0, ge=0, description="works naming the party, waiting for co-owners' consent"
    )

    def aggregate_id(self) -> str:
        return str(self.party_id)


# --- collecting societies: CWR registrations sent, acknowledgements received -----------------


class SocietyEvent(EventData):
    topic: ClassVar[str] = topics.FILING_SOCIETIES
    source: ClassVar[str] = topics.FILING_SOURCE

    work_id: UUID
    society: SocietyCode
    registration_number: RegistrationNumber = Field(
        description="the submitter work number the CWR file carried"
    )

    def aggregate_id(self) -> str:
        return str(self.work_id)


class SocietyRegistrationSent(SocietyEvent):
    """A work went to a society in a CWR file (DOMAIN.md, "CWR export")."""

    ce_type: ClassVar[str] = topics.SOCIETY_REGISTRATION_SENT

    work_version: int = Field(ge=1, description="the work's version the file carried")
    transaction: Literal["NWR", "REV"] = Field(
        description="NWR: the society's first registration of the work; REV: a revision"
    )
    file_id: UUID
    file_name: NonEmptyText


class SocietyAcknowledgementReceived(SocietyEvent):
    """A society acknowledged a work's registration (DOMAIN.md, "Acknowledgements")."""

    ce_type: ClassVar[str] = topics.SOCIETY_ACKNOWLEDGEMENT_RECEIVED

    status: SocietyRegistrationStatus
    cwr_status: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="the ACK's code")]
    society_work_id: str | None = Field(default=None, description="the society's id of the work")
    assigned_iswc: ISWC | None = Field(default=None, description="an ISWC the society assigned")
    title: NonEmptyText
    filed_by: UUID = Field(description="the work's filer, told of a rejection or conflict")
    holder_ids: list[UUID] = Field(description="the work's holders, told likewise")
    file_name: NonEmptyText = Field(description="the ACK file")
