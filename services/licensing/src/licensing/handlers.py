"""The read model of the register, built only from `filing.parties.v1` and `filing.works.v1`.

Every `party.*` and `work.*` event carries its aggregate's full state, so each is applied as
a snapshot. The last applied event time is kept per aggregate: an older event (a replay, a
late duplicate under a new id) is ignored, so nothing rolls the state back; an event of the
same time is applied, since records of one key arrive in the order they were written. The
consumer runs this in the transaction that records the event id, so effects happen once.
Replaying the topics from the beginning into an empty database rebuilds the same state.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import PartyEvent, WorkEvent, WorkState
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from licensing.models import RegisterHolder, RegisterParty, RegisterShares, RegisterWork


async def apply_register_event(session: AsyncSession, event: DecodedEvent) -> None:
    """The consumer's handler: applies party and work snapshots, ignores everything else."""
    data = event.data
    if isinstance(data, WorkEvent):
        await apply_work(session, data, event.id)
    elif isinstance(data, PartyEvent):
        await apply_party(session, data, event.id)


async def apply_party(session: AsyncSession, data: PartyEvent, event_id: UUID) -> None:
    party = data.party
    values = {
        "id": party.id,
        "name": party.name,
        "kind": party.kind.value,
        "country": party.country,
        "last_event_at": data.occurred_at,
        "last_event_id": event_id,
    }
    statement = insert(RegisterParty).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={k: statement.excluded[k] for k in values if k != "id"},
            where=col(RegisterParty.last_event_at) <= statement.excluded.last_event_at,
        )
    )


def shares_by_party(work: WorkState) -> dict[str, str]:
    """Each owner's share with all its roles summed, as decimal strings keyed by party id."""
    totals: dict[UUID, Decimal] = defaultdict(Decimal)
    for holder in work.rights_holders:
        totals[holder.party_id] += holder.share
    return {str(party): str(share) for party, share in sorted(totals.items(), key=str)}


async def apply_work(session: AsyncSession, data: WorkEvent, event_id: UUID) -> None:
    work = data.work
    values = {
        "id": work.id,
        "title": work.title,
        "kind": work.kind.value,
        "status": work.status.value,
        "filing_number": work.filing_number,
        "registration_number": work.registration_number,
        "last_event_at": data.occurred_at,
        "last_event_id": event_id,
    }
    statement = insert(RegisterWork).values(**values)
    applied = (
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["id"],
                set_={k: statement.excluded[k] for k in values if k != "id"},
                where=col(RegisterWork.last_event_at) <= statement.excluded.last_event_at,
            ).returning(col(RegisterWork.id))
        )
    ).first()
    if applied is None:
        return  # older than what the read model already holds
    await session.execute(delete(RegisterHolder).where(col(RegisterHolder.work_id) == work.id))
    session.add_all(
        RegisterHolder(work_id=work.id, party_id=h.party_id, role=h.role.value, share=h.share)
        for h in work.rights_holders
    )
    shares = shares_by_party(work)
    latest = (
        await session.execute(
            select(col(RegisterShares.shares))
            .where(col(RegisterShares.work_id) == work.id)
            .order_by(col(RegisterShares.effective_from).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if latest != shares:
        history = insert(RegisterShares).values(
            work_id=work.id, effective_from=data.occurred_at, shares=shares
        )
        await session.execute(
            history.on_conflict_do_update(
                index_elements=["work_id", "effective_from"], set_={"shares": shares}
            )
        )
    await session.flush()
