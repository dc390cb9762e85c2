"""Automatic examination of a new filing (DOMAIN.md, Filing lifecycle).

An identifier already held by another registered or pending work rejects the filing; a
likely duplicate (same normalised title and a rights holder in common with a registered
work) sends it to an examiner; anything else is registered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.enums import WorkStatus

from filing.domain.numbering import NumberKind
from filing.domain.titles import title_key
from filing.domain.works import (
    HOLDING_STATUSES,
    REGISTERED_STATUSES,
    Change,
    Identifiers,
    Work,
    WorkAction,
    WorkDraft,
    move_to,
)


@dataclass(frozen=True)
class ExistingWork:
    """What examination needs to know of a work already in the register."""

    id: UUID
    filing_number: str
    title: str
    status: WorkStatus
    identifiers: Identifiers
    holder_ids: frozenset[UUID]


@dataclass(frozen=True)
class Examination:
    status: WorkStatus
    reason: str | None
    related_work_id: UUID | None = None


def examine(work: WorkDraft | Work, others: Iterable[ExistingWork]) -> Examination:
    """The outcome of examining `work` against the works that share an identifier or title.

    A new filing is examined as its draft, before it takes a number: its numbers are taken
    last, once examination has said whether it registers (`service.file_work`).
    """
    own_id = work.id if isinstance(work, Work) else None
    candidates = sorted((o for o in others if o.id != own_id), key=lambda o: o.filing_number)
    own = dict(work.identifiers.items())
    for other in candidates:
        if other.status not in HOLDING_STATUSES:
            continue
        for name, value in other.identifiers.items():
            if own.get(name) == value:
                return Examination(
                    status=WorkStatus.REJECTED,
                    reason=(
                        f"{name.upper()} {value} is already held by work {other.filing_number} "
                        f"({other.id}, {other.title!r})"
                    ),
                    related_work_id=other.id,
                )
    key = title_key(work.title)
    holders = frozenset(h.party_id for h in work.rights_holders)
    for other in candidates:
        if (
            other.status in REGISTERED_STATUSES
            and key
            and title_key(other.title) == key
            and holders & other.holder_ids
        ):
            return Examination(
                status=WorkStatus.UNDER_REVIEW,
                reason=(
                    f"likely duplicate of work {other.filing_number} ({other.id}): same title "
                    "and a rights holder in common"
                ),
                related_work_id=other.id,
            )
    return Examination(status=WorkStatus.REGISTERED, reason=None)


def numbers_taken(outcome: Examination) -> tuple[NumberKind, ...]:
    """The numbers a filing takes: always a filing number, and a registration number when
    examination registers it (a filing held for review or rejected takes none)."""
    if outcome.status == WorkStatus.REGISTERED:
        return (NumberKind.FILING, NumberKind.REGISTRATION)
    return (NumberKind.FILING,)


def examination_history(
    outcome: Examination, registration_number: str | None
) -> tuple[WorkAction, str]:
    """The history line's action and detail of a work moved to its examination outcome
    (the bulk import writes them without building the moved work)."""
    if outcome.status == WorkStatus.REGISTERED:
        return WorkAction.REGISTERED, f"registered as {registration_number}"
    if outcome.status == WorkStatus.REJECTED:
        return WorkAction.REJECTED, f"rejected on examination: {outcome.reason}"
    return WorkAction.REVIEW_REQUESTED, f"sent for review: {outcome.reason}"


def apply_examination(
    work: Work, outcome: Examination, *, now: datetime, registration_number: str | None = None
) -> tuple[Work, Change]:
    """The filed work moved to its examination outcome; registration takes a number."""
    new = move_to(
        work,
        outcome.status,
        now=now,
        reason=outcome.reason,
        registration_number=registration_number,
    )
    action, detail = examination_history(outcome, new.registration_number)
    # Examination is automatic: no person is its actor.
    return new, Change(
        action=action,
        actor_id=None,
        at=now,
        detail=detail,
        reason=outcome.reason,
        related_work_id=outcome.related_work_id,
    )
