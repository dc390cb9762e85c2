"""Amendments and renewals of an ACTIVE licence: who proposes, who answers, what the change
adds to the licence's footprint (DOMAIN.md, "Amendments and renewals")."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from contracts.enums import LicenceStatus

from licensing.domain.availability import Footprint
from licensing.domain.errors import (
    AmendmentPending,
    InvalidPeriod,
    LicenceStateError,
    NotAParty,
    NotTheOtherSide,
)
from licensing.domain.history import DAY, Segment, VersionTerms
from licensing.domain.lifecycle import Licence
from licensing.domain.terms import Period


class ProposalKind(StrEnum):
    ORIGINAL = "ORIGINAL"
    AMENDMENT = "AMENDMENT"
    RENEWAL = "RENEWAL"


class ProposalState(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class Side(StrEnum):
    LICENSOR = "LICENSOR"
    LICENSEE = "LICENSEE"


@dataclass(frozen=True)
class Proposal:
    """A numbered version of a licence's terms and where its proposal stands."""

    licence_id: UUID
    number: int
    kind: ProposalKind
    terms: VersionTerms
    proposed_by: UUID
    side: Side
    state: ProposalState
    decided_by: UUID | None = None


def side_of(actor: UUID, licence: Licence, owners: Collection[UUID]) -> Side:
    """The licensee's side, or the licensor's (the licensor or any owner of the work)."""
    if actor == licence.licensee_id:
        return Side.LICENSEE
    if actor == licence.licensor_id or actor in owners:
        return Side.LICENSOR
    raise NotAParty(
        "only the licensee or an owner of the work may propose or answer a change",
        field="licence_id",
    )


def _ensure_active(licence: Licence) -> None:
    if licence.status != LicenceStatus.ACTIVE:
        raise LicenceStateError(
            f"licence {licence.id} is {licence.status.value}; only an ACTIVE licence changes "
            "terms",
            field="licence_id",
        )


def _ensure_open(licence: Licence, pending: Proposal | None) -> None:
    _ensure_active(licence)
    if pending is not None:
        raise AmendmentPending(
            f"version {pending.number} of licence {licence.id} is waiting for an answer",
            field="licence_id",
        )


def propose_amendment(
    licence: Licence,
    current: Sequence[Segment],
    *,
    actor: UUID,
    owners: Collection[UUID],
    number: int,
    pending: Proposal | None,
    terms: VersionTerms,
) -> Proposal:
    side = side_of(actor, licence, owners)
    _ensure_open(licence, pending)
    start, end = licence.terms.period.start, current[-1].period.end
    if terms.effective_from < start:
        raise InvalidPeriod(
            f"effective_from {terms.effective_from.isoformat()} is before the licence's start "
            f"{start.isoformat()}",
            field="effective_from",
        )
    if end is not None and terms.effective_from > end + DAY:
        raise InvalidPeriod(
            f"effective_from {terms.effective_from.isoformat()} leaves a gap after the "
            f"licence's end {end.isoformat()}",
            field="effective_from",
        )
    if terms.end is not None and terms.end < terms.effective_from:
        raise InvalidPeriod(
            f"end {terms.end.isoformat()} is before effective_from "
            f"{terms.effective_from.isoformat()}",
            field="end",
        )
    return Proposal(
        licence.id, number, ProposalKind.AMENDMENT, terms, actor, side, ProposalState.PENDING
    )


def propose_renewal(
    licence: Licence,
    current: Sequence[Segment],
    *,
    actor: UUID,
    owners: Collection[UUID],
    number: int,
    pending: Proposal | None,
    end: date,
) -> Proposal:
    """The same terms as the last segment, from the day after the end to the new end."""
    side = side_of(actor, licence, owners)
    _ensure_open(licence, pending)
    last = current[-1]
    if last.period.end is None:
        raise InvalidPeriod("an open-ended licence has no end to renew", field="end")
    if end <= last.period.end:
        raise InvalidPeriod(
            f"end {end.isoformat()} is not after the licence's end "
            f"{last.period.end.isoformat()}",
            field="end",
        )
    terms = VersionTerms(
        effective_from=last.period.end + DAY,
        end=end,
        territories=last.territories,
        media=last.media,
        exclusive=last.exclusive,
        royalty_rate=last.royalty_rate,
    )
    return Proposal(
        licence.id, number, ProposalKind.RENEWAL, terms, actor, side, ProposalState.PENDING
    )


def _ensure_pending(proposal: Proposal) -> None:
    if proposal.state != ProposalState.PENDING:
        raise LicenceStateError(
            f"version {proposal.number} is {proposal.state.value}; it has been answered",
            field="version",
        )


def accept(
    proposal: Proposal, licence: Licence, *, actor: UUID, owners: Collection[UUID]
) -> Proposal:
    """The other side accepts; the caller re-checks availability for what it adds."""
    side = side_of(actor, licence, owners)
    if side == proposal.side:
        raise NotTheOtherSide(
            f"version {proposal.number} was proposed by the {proposal.side.value.lower()}'s "
            "side; the other side accepts it",
            field="version",
        )
    _ensure_pending(proposal)
    _ensure_active(licence)
    return replace(proposal, state=ProposalState.ACCEPTED, decided_by=actor)


def decline(
    proposal: Proposal, licence: Licence, *, actor: UUID, owners: Collection[UUID]
) -> Proposal:
    """The other side declines, or the proposer's side withdraws: either way, no change."""
    side_of(actor, licence, owners)
    _ensure_pending(proposal)
    _ensure_active(licence)
    return replace(proposal, state=ProposalState.DECLINED, decided_by=actor)


def added_footprints(old: Sequence[Segment], new: Sequence[Segment]) -> list[Footprint]:
    """What the new segments use that the old did not: the only part availability
    re-checks. A reduction yields nothing."""
    added: list[Footprint] = []
    for n in new:
        uncovered = [n.period]
        for o in old:
            if not n.period.overlaps(o.period):
                continue
            both = n.period.intersection(o.period)
            uncovered = [p for u in uncovered for p in _minus(u, both)]
            if n.exclusive and not o.exclusive:
                added.append(replace(n.footprint, period=both))
                continue
            territories = frozenset(n.territories) - frozenset(o.territories)
            media = frozenset(n.media) - frozenset(o.media)
            if territories:
                added.append(replace(n.footprint, territories=territories, period=both))
            if media:
                added.append(replace(n.footprint, media=media, period=both))
        added.extend(replace(n.footprint, period=p) for p in uncovered)
    return added


def _minus(period: Period, taken: Period) -> list[Period]:
    """`period` without the dates of `taken` (which overlaps it): up to two pieces."""
    pieces = []
    if period.start < taken.start:
        pieces.append(Period(period.start, taken.start - DAY))
    if taken.end is not None and (period.end is None or period.end > taken.end):
        pieces.append(Period(taken.end + DAY, period.end))
    return pieces


def amended(licence: Licence, found: Sequence[Segment]) -> Licence:
    """The licence as the table holds it after a change: the latest terms, over the whole
    period from its start to the new end."""
    last = found[-1]
    terms = replace(
        licence.terms,
        territories=last.territories,
        media=last.media,
        exclusive=last.exclusive,
        royalty_rate=last.royalty_rate,
        period=Period(licence.terms.period.start, last.period.end),
    )
    return replace(licence, terms=terms)


def original(licence: Licence) -> Proposal:
    """Version 1: the terms the licence was offered with."""
    t = licence.terms
    return Proposal(
        licence_id=licence.id,
        number=1,
        kind=ProposalKind.ORIGINAL,
        terms=VersionTerms(
            effective_from=t.period.start,
            end=t.period.end,
            territories=t.territories,
            media=t.media,
            exclusive=t.exclusive,
            royalty_rate=t.royalty_rate,
        ),
        proposed_by=licence.licensor_id,
        side=Side.LICENSOR,
        state=ProposalState.ACCEPTED,
    )
