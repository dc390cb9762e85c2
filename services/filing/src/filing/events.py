"""The contract events of each change, built from the domain's new state and `Change`.

Only the public part of a party goes out; contact details never reach this service at all.
"""

from __future__ import annotations

from contracts.enums import WorkStatus

from contracts import events as contract
from filing.domain.holders import RightsHolder
from filing.domain.parties import Party
from filing.domain.works import Change, Work, WorkAction


def party_state(party: Party) -> contract.PartyState:
    return contract.PartyState.model_validate(party, from_attributes=True)


def party_registered(party: Party, *, version: int | None = None) -> contract.PartyRegistered:
    return contract.PartyRegistered(
        occurred_at=party.created_at, party=party_state(party), version=version
    )


def party_updated(
    party: Party, changed: tuple[str, ...], *, version: int | None = None
) -> contract.PartyUpdated:
    return contract.PartyUpdated(
        occurred_at=party.updated_at,
        party=party_state(party),
        changed_fields=list(changed),
        version=version,
    )


def _holders(holders: tuple[RightsHolder, ...]) -> list[contract.RightsHolder]:
    return [contract.RightsHolder.model_validate(h, from_attributes=True) for h in holders]


def work_state(work: Work) -> contract.WorkState:
    """The work as its events carry it: the domain fields of the same names."""
    return contract.WorkState.model_validate(work, from_attributes=True)


def work_event(work: Work, change: Change, *, version: int | None = None) -> contract.WorkEvent:
    """The one event that reports `change`, carrying the work's state after it and the
    work's `version` after it (the repository counts each work's changes)."""
    common = {
        "occurred_at": change.at,
        "work": work_state(work),
        "actor_id": change.actor_id,
        "version": version,
    }
    match change.action:
        case WorkAction.FILED:
            return contract.WorkFiled(**common)
        case WorkAction.REGISTERED:
            return contract.WorkRegistered(**common, reason=change.reason)
        case WorkAction.REJECTED:
            return contract.WorkRejected(
                **common,
                reason=change.reason or "rejected",
                conflicting_work_id=change.related_work_id,
            )
        case WorkAction.REVIEW_REQUESTED:
            similar = [change.related_work_id] if change.related_work_id else []
            return contract.WorkReviewRequested(
                **common, reason=change.reason or "likely duplicate", similar_work_ids=similar
            )
        case WorkAction.OWNERSHIP_TRANSFERRED:
            assert change.transfer is not None and change.previous_holders is not None
            return contract.WorkOwnershipTransferred(
                **common,
                from_party_id=change.transfer.from_party_id,
                to_party_id=change.transfer.to_party_id,
                share=change.transfer.share,
                previous_rights_holders=_holders(change.previous_holders),
            )
        case WorkAction.DISPUTED:
            standing = change.standing
            return contract.WorkDisputed(
                **common,
                reason=change.reason or "disputed",
                claimed_role=standing.claimed_role if standing else None,
                claimed_share=standing.claimed_share if standing else None,
                evidence=standing.evidence if standing else None,
            )
        case WorkAction.DISPUTE_RESOLVED:
            assert work.status == WorkStatus.REGISTERED
            previous = change.previous_holders or work.rights_holders
            return contract.WorkDisputeResolved(
                **common,
                keep_owners=change.previous_holders is None,
                reason=change.reason or "resolved",
                previous_rights_holders=_holders(previous),
            )
    # The consent events carry a state whose published status may be any (ConsentWorkState).
    consent = {**common, "work": contract.ConsentWorkState.model_validate(
        work, from_attributes=True)}
    match change.action:
        case WorkAction.CONSENT_REQUESTED:
            assert change.deadline is not None
            return contract.WorkConsentRequested(
                **consent, asked=list(change.asked), deadline=change.deadline
            )
        case WorkAction.CONSENT_GIVEN:
            assert change.party_id is not None
            return contract.WorkConsentGiven(**consent, party_id=change.party_id)
        case WorkAction.HOLDING_REJECTED:
            assert change.party_id is not None
            return contract.WorkHoldingRejected(
                **consent, party_id=change.party_id, reason=change.reason or "rejected"
            )
        case WorkAction.RETURNED:
            return contract.WorkReturned(**consent, reason=change.reason or "returned")
    raise ValueError(f"no event for {change.action}")
