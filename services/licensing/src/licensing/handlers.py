"""The read model of the register, built only from `filing.parties.v1` and `filing.works.v1`.

Every `party.*` and `work.*` event carries its aggregate's full state, so each is applied as
a snapshot. The version (or, for events from before versions, the time) of the last applied
snapshot is kept per aggregate, and only a newer one replaces it (`domain.snapshots`): an
older event (a replay, a late duplicate under a new id, an event stamped by a filing instance
whose clock runs behind) never rolls the state back. The consumer runs this in the unit of
work that records the event ids, so effects happen once. Replaying the topics from the
beginning into an empty database rebuilds the same state, however the records are batched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import PartyEvent, PartyState, WorkEvent, WorkState
from runtime.uow import UnitOfWork

from licensing import repository as repo
from licensing.domain.snapshots import Stamp, shares_effective_from, supersedes


def _stamp(data: PartyEvent | WorkEvent) -> Stamp:
    return Stamp(version=data.version, occurred_at=data.occurred_at)


def shares_by_party(work: WorkState) -> dict[str, str]:
    """Each owner's share with all its roles summed, as decimal strings keyed by party id."""
    totals: dict[UUID, Decimal] = defaultdict(Decimal)
    for holder in work.rights_holders:
        totals[holder.party_id] += holder.share
    return {str(party): str(share) for party, share in sorted(totals.items(), key=str)}


async def apply_register_events(uow: UnitOfWork, events: Sequence[DecodedEvent]) -> None:
    """The consumer's one handler: party and work snapshots in record order (newer ones win;
    a shares-history entry whenever an applied work snapshot changes the shares), in a
    handful of set-based statements however many events; everything else is ignored."""
    parties: dict[UUID, tuple[Stamp, UUID, PartyState]] = {}
    works: list[tuple[UUID, WorkEvent]] = []
    for event in events:
        data = event.data
        if isinstance(data, PartyEvent):
            seen = parties.get(data.party.id)
            if supersedes(_stamp(data), None if seen is None else seen[0]):
                parties[data.party.id] = (_stamp(data), event.id, data.party)
        elif isinstance(data, WorkEvent):
            works.append((event.id, data))
    if parties:
        await repo.upsert_parties(uow.session, list(parties.values()))
    if works:
        await _apply_works(uow, works)


async def _apply_works(uow: UnitOfWork, works: list[tuple[UUID, WorkEvent]]) -> None:
    ids = list(dict.fromkeys(data.work.id for _, data in works))
    stored = await repo.work_stamps(uow.session, ids)
    shares_now = await repo.latest_shares(uow.session, ids)
    final: dict[UUID, tuple[Stamp, UUID, WorkState]] = {}
    history: dict[tuple[UUID, datetime], dict[str, str]] = {}
    for event_id, data in works:
        work = data.work
        if not supersedes(_stamp(data), stored.get(work.id)):
            continue  # older than what the read model holds
        stored[work.id] = _stamp(data)
        final[work.id] = (_stamp(data), event_id, work)
        shares = shares_by_party(work)
        latest = shares_now.get(work.id)
        if latest is None or latest[0] != shares:
            effective_from = shares_effective_from(
                data.occurred_at, None if latest is None else latest[1]
            )
            history[(work.id, effective_from)] = shares
            shares_now[work.id] = (shares, effective_from)
    if final:
        await repo.replace_works(uow.session, list(final.values()))
    if history:
        await repo.add_share_history(uow.session, history)
