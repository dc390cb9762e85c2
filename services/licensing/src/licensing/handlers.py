"""The read model of the register, built only from `filing.parties.v1` and `filing.works.v1`.

Every `party.*` and `work.*` event carries its aggregate's full state, so each is applied as
a snapshot. The version (or, for events from before versions, the time) of the last applied
snapshot is kept per aggregate, and only a newer one replaces it (`domain.snapshots`): an
older event (a replay, a late duplicate under a new id, an event stamped by a filing instance
whose clock runs behind) never rolls the state back. The consumer runs this in the
transaction that records the event id, so effects happen once. Replaying the topics from the
beginning into an empty database rebuilds the same state.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import PartyEvent, WorkEvent, WorkState
from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from licensing.domain.snapshots import Stamp, shares_effective_from, supersedes
from licensing.models import RegisterHolder, RegisterParty, RegisterShares, RegisterWork

# `domain.snapshots.supersedes` as the guard of an upsert (`excluded` is the incoming
# snapshot), so two writers of one row can never roll it back. The batch statements below
# spell the same guard out.
_PARTY_IS_NEWER = text(
    "CASE WHEN excluded.version IS NOT NULL "
    "THEN register_party.version IS NULL OR register_party.version < excluded.version "
    "ELSE register_party.version IS NULL "
    "AND register_party.last_event_at <= excluded.last_event_at END"
)
_WORK_IS_NEWER = text(
    "CASE WHEN excluded.version IS NOT NULL "
    "THEN register_work.version IS NULL OR register_work.version < excluded.version "
    "ELSE register_work.version IS NULL "
    "AND register_work.last_event_at <= excluded.last_event_at END"
)


def _stamp(data: PartyEvent | WorkEvent) -> Stamp:
    return Stamp(version=data.version, occurred_at=data.occurred_at)


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
        "version": data.version,
        "last_event_at": data.occurred_at,
        "last_event_id": event_id,
    }
    statement = insert(RegisterParty).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={k: statement.excluded[k] for k in values if k != "id"},
            where=_PARTY_IS_NEWER,
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
        "version": data.version,
        "last_event_at": data.occurred_at,
        "last_event_id": event_id,
    }
    statement = insert(RegisterWork).values(**values)
    applied = (
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["id"],
                set_={k: statement.excluded[k] for k in values if k != "id"},
                where=_WORK_IS_NEWER,
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
            select(col(RegisterShares.shares), col(RegisterShares.effective_from))
            .where(col(RegisterShares.work_id) == work.id)
            .order_by(col(RegisterShares.effective_from).desc())
            .limit(1)
        )
    ).first()
    if latest is None or latest[0] != shares:
        effective_from = shares_effective_from(
            data.occurred_at, None if latest is None else latest[1]
        )
        history = insert(RegisterShares).values(
            work_id=work.id, effective_from=effective_from, shares=shares
        )
        await session.execute(
            history.on_conflict_do_update(
                index_elements=["work_id", "effective_from"], set_={"shares": shares}
            )
        )
    await session.flush()


async def apply_register_batch(session: AsyncSession, batch: Sequence[DecodedEvent]) -> None:
    """The consumer's batch handler: the same read model as `apply_register_event` applied
    to each event in order (newer snapshots win; a shares-history row whenever an applied
    event changes the shares), in a handful of set-based statements per batch."""
    parties: dict[UUID, tuple[Stamp, UUID, Any]] = {}
    works: list[tuple[DecodedEvent, WorkEvent]] = []
    for event in batch:
        data = event.data
        if isinstance(data, PartyEvent):
            seen = parties.get(data.party.id)
            if supersedes(_stamp(data), None if seen is None else seen[0]):
                parties[data.party.id] = (_stamp(data), event.id, data.party)
        elif isinstance(data, WorkEvent):
            works.append((event, data))
    if parties:
        await _upsert_parties(session, parties)
    if works:
        await _apply_works(session, works)


async def _upsert_parties(
    session: AsyncSession, parties: dict[UUID, tuple[Stamp, UUID, Any]]
) -> None:
    rows = list(parties.items())
    await session.execute(
        text(
            "INSERT INTO register_party (id, name, kind, country, version, last_event_at, "
            "last_event_id) "
            "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[]), "
            "CAST(:kinds AS text[]), CAST(:countries AS text[]), CAST(:versions AS bigint[]), "
            "CAST(:ats AS timestamptz[]), CAST(:eids AS uuid[])) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
            "country = excluded.country, version = excluded.version, "
            "last_event_at = excluded.last_event_at, last_event_id = excluded.last_event_id "
            "WHERE CASE WHEN excluded.version IS NOT NULL "
            "THEN register_party.version IS NULL OR register_party.version < excluded.version "
            "ELSE register_party.version IS NULL "
            "AND register_party.last_event_at <= excluded.last_event_at END"
        ),
        {
            "ids": [k for k, _ in rows],
            "names": [p.name for _, (_, _, p) in rows],
            "kinds": [p.kind.value for _, (_, _, p) in rows],
            "countries": [p.country for _, (_, _, p) in rows],
            "versions": [stamp.version for _, (stamp, _, _) in rows],
            "ats": [stamp.occurred_at for _, (stamp, _, _) in rows],
            "eids": [eid for _, (_, eid, _) in rows],
        },
    )


async def _apply_works(session: AsyncSession, works: list[tuple[DecodedEvent, WorkEvent]]) -> None:
    ids = list(dict.fromkeys(data.work.id for _, data in works))
    stored = {
        row[0]: Stamp(version=row[1], occurred_at=row[2])
        for row in await session.execute(
            text(
                "SELECT id, version, last_event_at FROM register_work "
                "WHERE id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": ids},
        )
    }
    shares_now: dict[UUID, tuple[Any, datetime]] = {
        row[0]: (row[1], row[2])
        for row in await session.execute(
            text(
                "SELECT DISTINCT ON (work_id) work_id, shares, effective_from FROM register_shares "
                "WHERE work_id = ANY(CAST(:ids AS uuid[])) ORDER BY work_id, effective_from DESC"
            ),
            {"ids": ids},
        )
    }
    final: dict[UUID, tuple[DecodedEvent, WorkEvent]] = {}
    history: dict[tuple[UUID, datetime], dict[str, str]] = {}
    for event, data in works:  # record order, as the per-event handler sees them
        work = data.work
        if not supersedes(_stamp(data), stored.get(work.id)):
            continue  # older than what the read model holds
        stored[work.id] = _stamp(data)
        final[work.id] = (event, data)
        shares = shares_by_party(work)
        latest = shares_now.get(work.id)
        if latest is None or latest[0] != shares:
            effective_from = shares_effective_from(
                data.occurred_at, None if latest is None else latest[1]
            )
            history[(work.id, effective_from)] = shares
            shares_now[work.id] = (shares, effective_from)
    if not final:
        return
    rows = [(wid, ev, d.work) for wid, (ev, d) in final.items()]
    await session.execute(
        text(
            "INSERT INTO register_work (id, title, kind, status, filing_number, "
            "registration_number, version, last_event_at, last_event_id) "
            "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:titles AS text[]), "
            "CAST(:kinds AS text[]), CAST(:statuses AS text[]), CAST(:fnums AS text[]), "
            "CAST(:rnums AS text[]), CAST(:versions AS bigint[]), "
            "CAST(:ats AS timestamptz[]), CAST(:eids AS uuid[])) "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, kind = excluded.kind, "
            "status = excluded.status, filing_number = excluded.filing_number, "
            "registration_number = excluded.registration_number, version = excluded.version, "
            "last_event_at = excluded.last_event_at, last_event_id = excluded.last_event_id "
            "WHERE CASE WHEN excluded.version IS NOT NULL "
            "THEN register_work.version IS NULL OR register_work.version < excluded.version "
            "ELSE register_work.version IS NULL "
            "AND register_work.last_event_at <= excluded.last_event_at END"
        ),
        {
            "ids": [r[0] for r in rows],
            "titles": [w.title for _, _, w in rows],
            "kinds": [w.kind.value for _, _, w in rows],
            "statuses": [w.status.value for _, _, w in rows],
            "fnums": [w.filing_number for _, _, w in rows],
            "rnums": [w.registration_number for _, _, w in rows],
            "versions": [final[r[0]][1].version for r in rows],
            "ats": [final[r[0]][1].occurred_at for r in rows],
            "eids": [e.id for _, e, _ in rows],
        },
    )
    await session.execute(
        text("DELETE FROM register_holder WHERE work_id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": [r[0] for r in rows]},
    )
    holders = [
        (wid, h.party_id, h.role.value, h.share) for wid, _, w in rows for h in w.rights_holders
    ]
    await session.execute(
        text(
            "INSERT INTO register_holder (work_id, party_id, role, share) "
            "SELECT * FROM unnest(CAST(:w AS uuid[]), CAST(:p AS uuid[]), CAST(:r AS text[]), "
            "CAST(:s AS numeric[]))"
        ),
        {
            "w": [h[0] for h in holders],
            "p": [h[1] for h in holders],
            "r": [h[2] for h in holders],
            "s": [h[3] for h in holders],
        },
    )
    if history:
        keys = list(history)
        await session.execute(
            text(
                "INSERT INTO register_shares (work_id, effective_from, shares) "
                "SELECT w, e, CAST(s AS jsonb) FROM unnest(CAST(:w AS uuid[]), "
                "CAST(:e AS timestamptz[]), CAST(:s AS text[])) AS t(w, e, s) "
                "ON CONFLICT (work_id, effective_from) DO UPDATE SET shares = excluded.shares"
            ),
            {
                "w": [k[0] for k in keys],
                "e": [k[1] for k in keys],
                "s": [json.dumps(history[k]) for k in keys],
            },
        )
