"""The read model of the register, built only from `filing.parties.v1` and `filing.works.v1`.

Every `party.*` and `work.*` event carries its aggregate's full state, so each is applied as
a snapshot. The version (or, for events from before versions, the time) of the last applied
snapshot is kept per aggregate, and only a newer one replaces it (`domain.snapshots`): an
older event (a replay, a late duplicate under a new id, an event stamped by a filing instance
whose clock runs behind) never rolls the state back. The consumer runs this in the unit of
work that records the event ids, so effects happen once. Replaying the topics from the
beginning into an empty database rebuilds the same state, however the records are batched.
An applied `work.dispute_resolved` also releases what the work held in suspense
(`licensing.suspense`), in the same unit of work.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from contracts.envelope import DecodedEvent
from contracts.events import PartyEvent, PartyState, WorkDisputeResolved, WorkEvent, WorkState
from contracts.folding import title_key
from runtime.uow import UnitOfWork
from sqlalchemy import TextClause, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from licensing import suspense
from licensing.domain.snapshots import Stamp, shares_effective_from, supersedes
from licensing.models import RegisterWork

State = TypeVar("State", PartyState, WorkState)


def _stamp(data: PartyEvent | WorkEvent) -> Stamp:
    return Stamp(version=data.version, occurred_at=data.occurred_at)


def shares_by_party(work: WorkState) -> dict[str, str]:
    """Each owner's share with all its roles summed, as decimal strings keyed by party id."""
    totals: dict[UUID, Decimal] = {}
    for holder in work.rights_holders:
        held = totals.get(holder.party_id)
        totals[holder.party_id] = holder.share if held is None else held + holder.share
    # By the party id's text (ids are unique, so the shares never decide the order).
    return dict(sorted((str(party), str(share)) for party, share in totals.items()))


async def apply_register_events(
    uow: UnitOfWork, events: Sequence[DecodedEvent], *, release: bool = True
) -> None:
    """The consumer's one handler: party and work snapshots in record order (newer ones win;
    a shares-history entry whenever an applied work snapshot changes the shares, a release
    from suspense for each applied resolution), in a handful of set-based statements however
    many events; everything else is ignored. A rebuild of the read model passes
    `release=False`: releases are licensing's own state, made once by the live consumer."""
    parties: dict[UUID, tuple[Stamp, UUID, PartyState]] = {}
    works: list[tuple[UUID, WorkEvent]] = []
    for event in events:
        data = event.data
        if isinstance(data, PartyEvent):
            seen = parties.get(data.party.id)
            stamp = _stamp(data)
            if supersedes(stamp, None if seen is None else seen[0]):
                parties[data.party.id] = (stamp, event.id, data.party)
        elif isinstance(data, WorkEvent):
            works.append((event.id, data))
    if parties:
        await _upsert(uow.session, _UPSERT_PARTIES, list(parties.values()), _party_values)
    if works:
        await _apply_works(uow, works, release=release)


async def _apply_works(
    uow: UnitOfWork, works: list[tuple[UUID, WorkEvent]], *, release: bool
) -> None:
    ids = list(dict.fromkeys(data.work.id for _, data in works))
    stored = await _work_stamps(uow.session, ids)
    shares_now = await _latest_shares(uow.session, ids)
    final: dict[UUID, tuple[Stamp, UUID, WorkState]] = {}
    history: dict[tuple[UUID, datetime], dict[str, str]] = {}
    resolutions: list[WorkDisputeResolved] = []
    for event_id, data in works:
        work = data.work
        stamp = _stamp(data)
        if not supersedes(stamp, stored.get(work.id)):
            continue  # older than what the read model holds
        stored[work.id] = stamp
        final[work.id] = (stamp, event_id, work)
        if release and isinstance(data, WorkDisputeResolved):
            resolutions.append(data)
        shares = shares_by_party(work)
        latest = shares_now.get(work.id)
        if latest is None or latest[0] != shares:
            effective_from = shares_effective_from(
                data.occurred_at, None if latest is None else latest[1]
            )
            history[(work.id, effective_from)] = shares
            shares_now[work.id] = (shares, effective_from)
    if final:
        # In id order (a UUID's integer orders as its text): commands issuing statements
        # share-lock works in that order too.
        await _replace_works(uow.session, sorted(final.values(), key=lambda w: w[2].id.int))
    if history:
        await _add_share_history(uow.session, history)
    # After the works' rows are written (and locked): a statement being issued under their
    # DISPUTED status has committed its hold by now (`licensing.suspense`).
    for data in resolutions:
        await suspense.release(uow, data)


# --- the read model's set-based SQL ----------------------------------------------------------

# `domain.snapshots.supersedes` as the guard of an upsert (`excluded` is the incoming
# snapshot), so two writers of one row can never roll it back.
def _newer(table: str) -> str:
    return (
        f"CASE WHEN excluded.version IS NOT NULL "
        f"THEN {table}.version IS NULL OR {table}.version < excluded.version "
        f"ELSE {table}.version IS NULL AND {table}.last_event_at <= excluded.last_event_at END"
    )


def _upsert_sql(table: str, columns: Sequence[tuple[str, str]]) -> TextClause:
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in columns)
    updates = ", ".join(f"{name} = excluded.{name}" for name, _ in columns if name != "id")
    # Every name is one of this module's constants, never input.
    sql = (
        f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET {updates} WHERE {_newer(table)}"
    )
    return text(sql)


_SNAPSHOT = [("version", "bigint"), ("last_event_at", "timestamptz"), ("last_event_id", "uuid")]
_UPSERT_PARTIES = _upsert_sql(
    "register_party",
    [("id", "uuid"), ("name", "text"), ("kind", "text"), ("country", "text"), *_SNAPSHOT],
)
_UPSERT_WORKS = _upsert_sql(
    "register_work",
    [("id", "uuid"), ("title", "text"), ("kind", "text"), ("status", "text"),
     ("filing_number", "text"), ("registration_number", "text"), ("iswc", "text"),
     ("isrc", "text"), ("recording_of", "uuid"), *_SNAPSHOT],
)  # fmt: skip


async def _upsert(
    session: AsyncSession,
    sql: TextClause,
    snapshots: Sequence[tuple[Stamp, UUID, State]],
    values: Callable[[State], dict[str, object]],
) -> None:
    """Stores each `(stamp, event id, state)` snapshot by one statement of parallel arrays."""
    columns: dict[str, list[Any]] = defaultdict(list)
    for stamp, event_id, state in snapshots:
        for name, value in values(state).items():
            columns[name].append(value)
        columns["version"].append(stamp.version)
        columns["last_event_at"].append(stamp.occurred_at)
        columns["last_event_id"].append(event_id)
    await session.execute(sql, columns)


def _party_values(p: PartyState) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "kind": p.kind.value, "country": p.country}


def _work_values(w: WorkState) -> dict[str, Any]:
    return {
        "id": w.id,
        "title": w.title,
        "kind": w.kind.value,
        "status": w.status.value,
        "filing_number": w.filing_number,
        "registration_number": w.registration_number,
        "iswc": w.identifiers.iswc,
        "isrc": w.identifiers.isrc,
        "recording_of": w.recording_of,
    }


async def _work_stamps(session: AsyncSession, work_ids: Sequence[UUID]) -> dict[UUID, Stamp]:
    """The snapshot each of these works holds now."""
    query = select(
        col(RegisterWork.id), col(RegisterWork.version), col(RegisterWork.last_event_at)
    ).where(col(RegisterWork.id).in_(list(work_ids)))
    return {
        work_id: Stamp(version=version, occurred_at=at)
        for work_id, version, at in await session.execute(query)
    }


async def _latest_shares(
    session: AsyncSession, work_ids: Sequence[UUID]
) -> dict[UUID, tuple[dict[str, str], datetime]]:
    """Each work's shares in effect now, and since when."""
    rows = await session.execute(
        text(
            "SELECT DISTINCT ON (work_id) work_id, shares, effective_from FROM register_shares "
            "WHERE work_id = ANY(CAST(:ids AS uuid[])) ORDER BY work_id, effective_from DESC"
        ),
        {"ids": list(work_ids)},
    )
    return {row[0]: (row[1], row[2]) for row in rows}


async def _replace_works(
    session: AsyncSession, works: Sequence[tuple[Stamp, UUID, WorkState]]
) -> None:
    """Stores each work's newest snapshot, its title keys (matching usage lines) and its
    rights holders in place of the old ones."""
    await _upsert(session, _UPSERT_WORKS, works, _work_values)
    await session.execute(
        text("DELETE FROM register_holder WHERE work_id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": [w.id for _, _, w in works]},
    )
    await session.execute(
        text("DELETE FROM register_title WHERE work_id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": [w.id for _, _, w in works]},
    )
    # Ordered by a UUID's integer (its text's order) rather than by UUID.__lt__, a Python call.
    titles = sorted(
        {(w.id, key) for _, _, w in works for key in map(title_key, (w.title, *w.alternate_titles))
         if key},
        key=lambda title: (title[0].int, title[1]),
    )  # fmt: skip
    await session.execute(
        text(
            "INSERT INTO register_title (work_id, key) "
            "SELECT * FROM unnest(CAST(:w AS uuid[]), CAST(:k AS text[]))"
        ),
        {"w": [work_id for work_id, _ in titles], "k": [key for _, key in titles]},
    )
    holders = [(w.id, h) for _, _, w in works for h in w.rights_holders]
    await session.execute(
        text(
            "INSERT INTO register_holder (work_id, party_id, role, share, mechanical_share, "
            "sync_share) SELECT * FROM unnest(CAST(:w AS uuid[]), CAST(:p AS uuid[]), "
            "CAST(:r AS text[]), CAST(:s AS numeric[]), CAST(:m AS numeric[]), "
            "CAST(:y AS numeric[]))"
        ),
        {
            "w": [work_id for work_id, _ in holders],
            "p": [h.party_id for _, h in holders],
            "r": [h.role.value for _, h in holders],
            "s": [h.share for _, h in holders],
            "m": [h.mechanical_share for _, h in holders],
            "y": [h.sync_share for _, h in holders],
        },
    )


async def _add_share_history(
    session: AsyncSession, history: dict[tuple[UUID, datetime], dict[str, str]]
) -> None:
    """New entries of the works' share history, keyed by (work, effective from)."""
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
