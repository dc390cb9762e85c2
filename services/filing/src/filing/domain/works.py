"""Works: the filing request, the filing lifecycle and every command that changes a work.

Each command returns the new work and a `Change` (who, when, what) that becomes a history
row and an event; an illegal command raises and returns nothing, so it changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from contracts.attributes import from_attributes
from contracts.enums import ReviewDecision, Role, WorkKind, WorkStatus
from contracts.errors import InvalidInput

from filing.domain.disputes import Standing, ensure_not_owner
from filing.domain.errors import (
    FilerNotHolder,
    WorkDisputed,
    WorkNotRegistered,
    WorkTransitionError,
)
from filing.domain.holders import RightsHolder, ShareTransfer, holder_ids, move_share
from filing.domain.identifiers import Identifiers, check_identifier_kinds
from filing.domain.text import (
    ALTERNATE_TITLES_MAX,
    TITLE_MAX,
    TextRequired,
    required_text,
)

if TYPE_CHECKING:
    from filing.domain.consents import Consent

# The filing lifecycle (DOMAIN.md): nothing else is a transition.
TRANSITIONS: Mapping[WorkStatus, frozenset[WorkStatus]] = {
    WorkStatus.FILED: frozenset(
        {
            WorkStatus.REGISTERED,
            WorkStatus.REJECTED,
            WorkStatus.UNDER_REVIEW,
            WorkStatus.AWAITING_CONSENT,
        }
    ),
    # Co-owners' consent (DOMAIN.md): examined once all confirm, returned otherwise.
    WorkStatus.AWAITING_CONSENT: frozenset(
        {
            WorkStatus.REGISTERED,
            WorkStatus.REJECTED,
            WorkStatus.UNDER_REVIEW,
            WorkStatus.RETURNED,
        }
    ),
    WorkStatus.RETURNED: frozenset(),
    WorkStatus.UNDER_REVIEW: frozenset({WorkStatus.REGISTERED, WorkStatus.REJECTED}),
    WorkStatus.REGISTERED: frozenset({WorkStatus.DISPUTED}),
    WorkStatus.DISPUTED: frozenset({WorkStatus.REGISTERED}),
    WorkStatus.REJECTED: frozenset(),
}

# Works whose identifiers nobody else may claim: registered ones and those still pending
# (a work awaiting its co-owners' consent among them: DOMAIN.md, "Co-owners' consent").
HOLDING_STATUSES = frozenset(
    {
        WorkStatus.FILED,
        WorkStatus.UNDER_REVIEW,
        WorkStatus.REGISTERED,
        WorkStatus.DISPUTED,
        WorkStatus.AWAITING_CONSENT,
    }
)
# A disputed work is still on the register, so it counts for duplicates.
REGISTERED_STATUSES = frozenset({WorkStatus.REGISTERED, WorkStatus.DISPUTED})

NO_IDENTIFIERS = Identifiers()


class WorkAction(StrEnum):
    FILED = "FILED"
    REGISTERED = "REGISTERED"
    REJECTED = "REJECTED"
    REVIEW_REQUESTED = "REVIEW_REQUESTED"
    OWNERSHIP_TRANSFERRED = "OWNERSHIP_TRANSFERRED"
    DISPUTED = "DISPUTED"
    DISPUTE_RESOLVED = "DISPUTE_RESOLVED"
    CONSENT_REQUESTED = "CONSENT_REQUESTED"
    CONSENT_GIVEN = "CONSENT_GIVEN"
    HOLDING_REJECTED = "HOLDING_REJECTED"
    RETURNED = "RETURNED"


@dataclass(frozen=True)
class WorkDraft:
    """A checked filing request, before it has a number or an examination.

    Made only if it keeps the rules that need no other record: each identifier fits the kind
    of work, and the filer is one of the rights holders.
    """

    title: str
    kind: WorkKind
    country_of_origin: str
    rights_holders: tuple[RightsHolder, ...]
    filed_by: UUID
    alternate_titles: tuple[str, ...] = ()
    identifiers: Identifiers = NO_IDENTIFIERS
    recording_of: UUID | None = None

    def __post_init__(self) -> None:
        check_identifier_kinds(self.identifiers, self.kind)
        if self.recording_of is not None and self.kind != WorkKind.SOUND_RECORDING:
            raise InvalidInput(
                f"only a SOUND_RECORDING names the work it records; this is {self.kind.value}",
                field="recording_of",
            )
        if self.filed_by not in holder_ids(self.rights_holders):
            raise FilerNotHolder(
                "the filer must be one of the rights holders", field="rights_holders"
            )


@dataclass(frozen=True)
class Work:
    id: UUID
    filing_number: str
    registration_number: str | None
    title: str
    alternate_titles: tuple[str, ...]
    kind: WorkKind
    status: WorkStatus
    status_reason: str | None
    identifiers: Identifiers
    country_of_origin: str
    rights_holders: tuple[RightsHolder, ...]
    filed_by: UUID
    filed_at: datetime
    updated_at: datetime
    # The musical work this recording records (DOMAIN.md, "Recordings of musical works").
    recording_of: UUID | None = None
    # When a filing awaiting its co-owners' consent is returned if still unanswered.
    consent_deadline: datetime | None = None
    # One per holding of a party other than the filer, with its answer (empty when the
    # filer holds everything, or for works filed before consent existed).
    consents: tuple[Consent, ...] = ()


@dataclass(frozen=True)
class Change:
    """One change of a work: its history row and the facts its event carries."""

    action: WorkAction
    actor_id: UUID | None
    at: datetime
    detail: str
    reason: str | None = None
    related_work_id: UUID | None = None
    transfer: ShareTransfer | None = None
    previous_holders: tuple[RightsHolder, ...] | None = None
    decision: ReviewDecision | None = None
    standing: Standing | None = None
    # Co-owners' consent: the party that decided, or the parties asked and their deadline.
    party_id: UUID | None = None
    asked: tuple[UUID, ...] = ()
    deadline: datetime | None = None


def parse_alternate_titles(raw: object) -> tuple[str, ...]:
    """Alternate titles from a request: each a title, at most twenty, repeats dropped."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput("alternate_titles must be a list", field="alternate_titles")
    if len(raw) > ALTERNATE_TITLES_MAX:
        raise InvalidInput(
            f"at most {ALTERNATE_TITLES_MAX} alternate titles", field="alternate_titles"
        )
    titles = [
        required_text(title, field=f"alternate_titles[{i}]", max_length=TITLE_MAX)
        for i, title in enumerate(raw)
    ]
    return tuple(dict.fromkeys(titles))


# What a recording may name as the work it records: a musical work on the register or still
# pending (DOMAIN.md, "Recordings of musical works").
RECORDABLE_KINDS = frozenset({WorkKind.MUSICAL_WORK})


def check_recorded_work(
    recording_of: UUID, recorded: tuple[WorkKind, WorkStatus] | None
) -> None:
    """Raise unless the work `recording_of` names (its kind and status, None when no such
    work) may be named by a recording: it exists, is a musical work and was not rejected."""
    if recorded is None:
        raise InvalidInput(f"no work {recording_of} to record", field="recording_of")
    kind, status = recorded
    if kind not in RECORDABLE_KINDS:
        raise InvalidInput(
            f"a recording records a MUSICAL_WORK; work {recording_of} is {kind.value}",
            field="recording_of",
        )
    if status == WorkStatus.REJECTED:
        raise InvalidInput(
            f"work {recording_of} was rejected: a recording cannot name it", field="recording_of"
        )


def check_transition(current: WorkStatus, target: WorkStatus) -> None:
    """Raise `WorkTransitionError` unless the lifecycle allows current → target."""
    if target not in TRANSITIONS[current]:
        raise WorkTransitionError(
            f"a {current.value} work cannot become {target.value}", field="status"
        )


def move_to(
    work: Work,
    target: WorkStatus,
    *,
    now: datetime,
    reason: str | None,
    registration_number: str | None = None,
    rights_holders: tuple[RightsHolder, ...] | None = None,
) -> Work:
    check_transition(work.status, target)
    number = work.registration_number
    if target == WorkStatus.REGISTERED and number is None:
        if registration_number is None:
            raise ValueError("a work is registered with a registration number")
        number = registration_number
    return replace(
        work,
        status=target,
        status_reason=reason,
        registration_number=number,
        rights_holders=work.rights_holders if rights_holders is None else rights_holders,
        updated_at=now,
    )


def filed_detail(filing_number: str) -> str:
    """The detail of a filing's first history line."""
    return f"filed as {filing_number}"


def file_work(
    draft: WorkDraft, *, work_id: UUID, filing_number: str, now: datetime
) -> tuple[Work, Change]:
    """The newly filed work, status FILED, before examination: the draft's fields, with its
    number, status and times."""
    work = from_attributes(
        Work,
        draft,
        id=work_id,
        filing_number=filing_number,
        registration_number=None,
        status=WorkStatus.FILED,
        status_reason=None,
        filed_at=now,
        updated_at=now,
        consent_deadline=None,
        consents=(),
    )
    change = Change(
        action=WorkAction.FILED,
        actor_id=draft.filed_by,
        at=now,
        detail=filed_detail(filing_number),
    )
    return work, change


def check_review(work: Work, *, decision: ReviewDecision, reason: str | None) -> bool:
    """Raise unless the review may be decided; answers whether it takes a registration number
    (so the caller takes one only for a review that will register the work)."""
    if work.status != WorkStatus.UNDER_REVIEW:
        raise WorkTransitionError(
            f"only a work under review can be reviewed; this one is {work.status.value}",
            field="status",
        )
    if decision == ReviewDecision.REJECT and reason is None:
        raise TextRequired("reason is required", field="reason")
    return decision == ReviewDecision.REGISTER and work.registration_number is None


def decide_review(
    work: Work,
    *,
    decision: ReviewDecision,
    reason: str | None,
    examiner_id: UUID | None,
    now: datetime,
    registration_number: str | None = None,
) -> tuple[Work, Change]:
    """An examiner's decision on a work under review: register it or reject it (with a reason)."""
    check_review(work, decision=decision, reason=reason)
    target = WorkStatus.REGISTERED if decision == ReviewDecision.REGISTER else WorkStatus.REJECTED
    new = move_to(work, target, now=now, reason=reason, registration_number=registration_number)
    if target == WorkStatus.REGISTERED:
        action, detail = WorkAction.REGISTERED, f"registered as {new.registration_number} on review"
    else:
        action, detail = WorkAction.REJECTED, "rejected on review"
    if reason:
        detail = f"{detail}: {reason}"
    return new, Change(
        action=action, actor_id=examiner_id, at=now, detail=detail, reason=reason, decision=decision
    )


def transfer_share(
    work: Work,
    *,
    from_party_id: UUID,
    to_party_id: UUID,
    share: Decimal,
    role: Role | None = None,
    now: datetime,
) -> tuple[Work, Change]:
    """An owner gives all or part of its share to another party (REGISTERED works only)."""
    if work.status == WorkStatus.DISPUTED:
        raise WorkDisputed("a disputed work's shares cannot be transferred", field="work_id")
    if work.status != WorkStatus.REGISTERED:
        raise WorkNotRegistered(
            f"only a registered work's shares can be transferred; this one is {work.status.value}",
            field="work_id",
        )
    holders, transfer = move_share(
        work.rights_holders,
        from_party_id=from_party_id,
        to_party_id=to_party_id,
        share=share,
        role=role,
    )
    new = replace(work, rights_holders=holders, updated_at=now)
    detail = (
        f"{transfer.share} of the {transfer.role.value} share moved from "
        f"{transfer.from_party_id} to {transfer.to_party_id}"
    )
    return new, Change(
        action=WorkAction.OWNERSHIP_TRANSFERRED,
        actor_id=from_party_id,
        at=now,
        detail=detail,
        transfer=transfer,
        previous_holders=work.rights_holders,
    )


def dispute_work(
    work: Work, *, reason: str, standing: Standing, disputed_by: UUID, now: datetime
) -> tuple[Work, Change]:
    """A party that does not own a registered work disputes it, giving a reason and its standing.

    `standing` comes already parsed (`disputes.parse_standing`); the daily limit is the
    caller's to check, since it needs the database's count.
    """
    ensure_not_owner(work.rights_holders, disputed_by)
    new = move_to(work, WorkStatus.DISPUTED, now=now, reason=reason)
    if standing.claimed_role is not None:
        claim = f"claims {standing.claimed_share} as {standing.claimed_role.value}"
    else:
        claim = "gives evidence"
    return new, Change(
        action=WorkAction.DISPUTED,
        actor_id=disputed_by,
        at=now,
        detail=f"disputed ({claim}): {reason}",
        reason=reason,
        standing=standing,
    )


def resolve_dispute(
    work: Work,
    *,
    keep_owners: bool,
    rights_holders: tuple[RightsHolder, ...] | None,
    reason: str,
    examiner_id: UUID | None,
    now: datetime,
) -> tuple[Work, Change]:
    """An examiner ends a dispute: the owners stay, or a new holders list replaces them.

    `rights_holders` come already parsed and checked against the known parties.
    """
    if work.status != WorkStatus.DISPUTED:
        raise WorkTransitionError(
            f"only a disputed work can have its dispute resolved; this one is {work.status.value}",
            field="status",
        )
    if keep_owners and rights_holders:
        raise InvalidInput(
            "rights_holders replace the owners: give them only with keep_owners false",
            field="rights_holders",
        )
    if not keep_owners and not rights_holders:
        raise InvalidInput(
            "the new rights holders are required when the owners are not kept",
            field="rights_holders",
        )
    new = move_to(
        work, WorkStatus.REGISTERED, now=now, reason=reason, rights_holders=rights_holders
    )
    outcome = "owners kept" if keep_owners else "rights holders replaced"
    return new, Change(
        action=WorkAction.DISPUTE_RESOLVED,
        actor_id=examiner_id,
        at=now,
        detail=f"dispute resolved, {outcome}: {reason}",
        reason=reason,
        previous_holders=None if keep_owners else work.rights_holders,
    )
