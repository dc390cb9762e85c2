"""Co-owners' consent to a filing (DOMAIN.md, "Co-owners' consent to a filing"): who is
asked, each party's answer, and what the work becomes after the answers or the deadline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from contracts.enums import FilingConsentStatus, Role, WorkStatus

from filing.domain.errors import NotAsked, WorkTransitionError
from filing.domain.examination import Examination
from filing.domain.holders import RightsHolder
from filing.domain.text import REASON_MAX, required_text
from filing.domain.works import Change, Work, WorkAction, WorkDraft, move_to

CONSENT_DAYS_DEFAULT = 14
LAPSED = "consent deadline passed"


@dataclass(frozen=True)
class Consent:
    """One holding of a party other than the filer, and that party's answer to it."""

    party_id: UUID
    role: Role
    share: Decimal
    status: FilingConsentStatus = FilingConsentStatus.PENDING
    reason: str | None = None
    decided_at: datetime | None = None


def asked_holdings(filed_by: UUID, holders: Sequence[RightsHolder]) -> tuple[Consent, ...]:
    """The consents a filing asks for: one per holding of a party other than the filer."""
    return tuple(
        Consent(party_id=h.party_id, role=h.role, share=h.share)
        for h in holders
        if h.party_id != filed_by
    )


def asked_parties(consents: Sequence[Consent]) -> tuple[UUID, ...]:
    """Each party asked, once, in holding order."""
    return tuple(dict.fromkeys(c.party_id for c in consents))


def filing_outcome(draft: WorkDraft | Work, examination: Examination) -> Examination:
    """What a new filing becomes: rejected at once on an identifier clash (nobody is asked to
    consent to a filing that cannot register), waiting for consent when it names another
    party, otherwise the examination's outcome."""
    if examination.status == WorkStatus.REJECTED:
        return examination
    if asked_holdings(draft.filed_by, draft.rights_holders):
        return Examination(status=WorkStatus.AWAITING_CONSENT, reason=None)
    return examination


def deadline_of(filed_at: datetime, days: int) -> datetime:
    return filed_at + timedelta(days=days)


def requested_detail(asked: Sequence[UUID], deadline: datetime) -> str:
    """The history line of a consent request (the bulk import writes it without the Work)."""
    return f"waiting for the consent of {len(asked)} co-owner(s) until {deadline.isoformat()}"


def request_consent(work: Work, *, deadline: datetime, now: datetime) -> tuple[Work, Change]:
    """The filed work waiting for its other holders' consent until `deadline`."""
    consents = asked_holdings(work.filed_by, work.rights_holders)
    new = replace(
        move_to(work, WorkStatus.AWAITING_CONSENT, now=now, reason=None),
        consent_deadline=deadline,
        consents=consents,
    )
    asked = asked_parties(consents)
    return new, Change(
        action=WorkAction.CONSENT_REQUESTED,
        actor_id=None,
        at=now,
        detail=requested_detail(asked, deadline),
        asked=asked,
        deadline=deadline,
    )


def parse_reason(raw: object) -> str:
    """A rejection's reason: required, 1 to 2000 characters."""
    return required_text(raw, field="reason", max_length=REASON_MAX, multiline=True)


def decide(
    work: Work, *, party_id: UUID, confirm: bool, reason: str | None, now: datetime
) -> tuple[Work, Change]:
    """A party asked answers for all its holdings in the work at once: the work with its
    consents after the answer (its status unchanged), and the change to record.

    Only a work awaiting consent takes an answer, and only from a party with a pending
    consent in it: nobody answers for another, and an answer is not changed afterwards.
    """
    if work.status != WorkStatus.AWAITING_CONSENT:
        raise WorkTransitionError(
            f"only a work awaiting consent takes an answer; this one is {work.status.value}",
            field="status",
        )
    consents = work.consents
    pending = FilingConsentStatus.PENDING
    if not any(c.party_id == party_id and c.status == pending for c in consents):
        raise NotAsked("this work does not wait for your consent", field="work_id")
    if not confirm:
        reason = parse_reason(reason)
    status = FilingConsentStatus.CONFIRMED if confirm else FilingConsentStatus.REJECTED
    decided = tuple(
        replace(c, status=status, reason=None if confirm else reason, decided_at=now)
        if c.party_id == party_id
        else c
        for c in consents
    )
    roles = ", ".join(c.role.value for c in consents if c.party_id == party_id)
    if confirm:
        change = Change(
            action=WorkAction.CONSENT_GIVEN,
            actor_id=party_id,
            at=now,
            detail=f"{party_id} confirmed its holding ({roles})",
            party_id=party_id,
        )
    else:
        change = Change(
            action=WorkAction.HOLDING_REJECTED,
            actor_id=party_id,
            at=now,
            detail=f"{party_id} rejected its holding ({roles}): {reason}",
            reason=reason,
            party_id=party_id,
        )
    return replace(work, consents=decided, updated_at=now), change


def all_confirmed(consents: Sequence[Consent]) -> bool:
    return all(c.status == FilingConsentStatus.CONFIRMED for c in consents)


def rejection(consents: Sequence[Consent]) -> Consent | None:
    """The first rejected consent, if any."""
    return next((c for c in consents if c.status == FilingConsentStatus.REJECTED), None)


def return_work(
    work: Work, *, reason: str, actor_id: UUID | None, now: datetime
) -> tuple[Work, Change]:
    """The work handed back to its filer with `reason` (final: the filer files again)."""
    new = move_to(work, WorkStatus.RETURNED, now=now, reason=reason)
    return new, Change(
        action=WorkAction.RETURNED,
        actor_id=actor_id,
        at=now,
        detail=f"returned to the filer: {reason}",
        reason=reason,
    )


def returned_on_rejection(work: Work, rejected: Consent, *, now: datetime) -> tuple[Work, Change]:
    return return_work(
        work,
        reason=f"party {rejected.party_id} rejected its holding: {rejected.reason}",
        actor_id=rejected.party_id,
        now=now,
    )


def lapse(work: Work, *, now: datetime) -> tuple[Work, Change]:
    """The work returned because its deadline passed with consents still pending (the caller
    has checked the deadline on the database's clock)."""
    silent = asked_parties([c for c in work.consents if c.status == FilingConsentStatus.PENDING])
    if work.status != WorkStatus.AWAITING_CONSENT or not silent:
        raise WorkTransitionError("only a work still awaiting consent lapses", field="status")
    names = ", ".join(str(p) for p in silent)
    return return_work(work, reason=f"{LAPSED}: no answer from {names}", actor_id=None, now=now)
