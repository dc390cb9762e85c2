"""Co-owners' consent to exclusive licences (DOMAIN.md, "Co-owners' consent to licences, and
mandates"): whose agreement an offer needs, how each owner gave it, and its answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from contracts.enums import Medium, OwnerConsentStatus
from contracts.errors import InvalidInput
from contracts.rights import MECHANICAL, PERFORMING, SYNC, rights_used

from licensing.domain.errors import ConsentAlreadyAnswered, NotAskedToConsent
from licensing.domain.mandates import MandateTerms

LAPSED = "owners' consent lapsed"


@dataclass(frozen=True)
class HolderShares:
    """One holder of a work under one role: its share, and the by-right shares it states."""

    party_id: UUID
    share: Decimal
    mechanical_share: Decimal | None = None
    sync_share: Decimal | None = None

    def of(self, right: str) -> Decimal:
        stated = {PERFORMING: None, MECHANICAL: self.mechanical_share, SYNC: self.sync_share}
        found = stated[right]
        return self.share if found is None else found


@dataclass(frozen=True)
class OwnerConsent:
    party_id: UUID
    share: Decimal  # of the licensed rights (the largest where the party's rights differ)
    status: OwnerConsentStatus
    reason: str | None = None
    mandate_id: UUID | None = None


def shares_of_licensed_rights(
    holders: Iterable[HolderShares], media: Iterable[Medium]
) -> dict[UUID, Decimal]:
    """Each party holding more than 0 of a right these media use: its largest such share
    (roles summed per party and right)."""
    by_right: dict[tuple[UUID, str], Decimal] = defaultdict(Decimal)
    rights = rights_used(media)
    for holder in holders:
        for right in rights:
            by_right[(holder.party_id, right)] += holder.of(right)
    shares: dict[UUID, Decimal] = {}
    for (party, _), share in by_right.items():
        if share > 0:
            shares[party] = max(share, shares.get(party, Decimal(0)))
    return shares


def consents_for_offer(
    *,
    offeror: UUID,
    work_id: UUID,
    exclusive: bool,
    media: Sequence[Medium],
    holders: Iterable[HolderShares],
    mandates: Iterable[MandateTerms],
    today: date,
) -> list[OwnerConsent]:
    """The owners an offer needs and how each agrees already; none for a non-exclusive one
    (any owner grants it alone and accounts to the others through the statements)."""
    if not exclusive:
        return []
    in_force = [
        m for m in mandates if m.covers(agent=offeror, work_id=work_id, media=media, on=today)
    ]
    consents = []
    for party, share in sorted(shares_of_licensed_rights(holders, media).items(), key=str):
        mandate = next((m for m in in_force if m.grantor_id == party), None)
        if party == offeror:
            consents.append(OwnerConsent(party, share, OwnerConsentStatus.OFFEROR))
        elif mandate is not None:
            consents.append(
                OwnerConsent(party, share, OwnerConsentStatus.MANDATE, mandate_id=mandate.id)
            )
        else:
            consents.append(OwnerConsent(party, share, OwnerConsentStatus.PENDING))
    return consents


def pending(consents: Iterable[OwnerConsent]) -> list[UUID]:
    return [c.party_id for c in consents if c.status == OwnerConsentStatus.PENDING]


def answer(
    consents: Sequence[OwnerConsent], *, party: UUID, refuse: bool, reason: str | None = None
) -> OwnerConsent:
    """The asked owner's answer: who acts first (403 for a party not asked), then whether it
    has answered already (409). A refusal needs a reason."""
    mine = next((c for c in consents if c.party_id == party), None)
    if mine is None or mine.status in (OwnerConsentStatus.OFFEROR, OwnerConsentStatus.MANDATE):
        raise NotAskedToConsent(
            "only an owner asked to consent may answer this offer", field="licence_id"
        )
    if mine.status != OwnerConsentStatus.PENDING:
        raise ConsentAlreadyAnswered(
            f"party {party} already answered: {mine.status.value}", field="licence_id"
        )
    if not refuse:
        return replace(mine, status=OwnerConsentStatus.CONSENTED)
    cleaned = reason.strip() if reason is not None else ""
    if not cleaned:
        raise InvalidInput("a reason is required to refuse a licence", field="reason")
    return replace(mine, status=OwnerConsentStatus.REFUSED, reason=cleaned)


def is_lapsed(due_at: datetime, now: datetime) -> bool:
    return due_at < now


def lapse_reason(consents: Iterable[OwnerConsent]) -> str:
    missing = ", ".join(str(p) for p in pending(consents))
    return f"{LAPSED}: no answer from {missing}"
