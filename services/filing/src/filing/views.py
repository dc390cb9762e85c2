"""The read side: every query the filing API answers (parties, works, histories and the
register's search), each in a session of its own that changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from runtime.db import SessionMaker
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from filing.domain.errors import PartyNotFound, WorkNotFound
from filing.domain.parties import Party
from filing.domain.works import Work
from filing.models import HistoryRow, PartyRow, WorkRow
from filing.register_search import (
    Page,
    SearchWorks,
    WorkFilter,
    decode_cursor,
    encode_cursor,
    search_plan,
    search_works,
)
from filing.repository import party_of, works_of

PAGE_MAX = 100
SEARCH_TEXT_MAX = 300
IDENTIFIER_MAX = 32

# --- parties ---------------------------------------------------------------------------------


async def get_party(*, sessions: SessionMaker, party_id: UUID) -> Party:
    async with sessions() as session:
        row = (await session.exec(select(PartyRow).where(PartyRow.id == party_id))).first()
    if row is None:
        raise PartyNotFound(f"no party {party_id}", field="party_id")
    return party_of(row)


async def get_parties(*, sessions: SessionMaker, ids: Sequence[UUID]) -> list[Party]:
    """The known parties among `ids`, in the order asked."""
    if not ids:
        return []
    async with sessions() as session:
        rows = (await session.exec(select(PartyRow).where(col(PartyRow.id).in_(ids)))).all()
    by_id = {row.id: party_of(row) for row in rows}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


# --- works -----------------------------------------------------------------------------------


async def _works(session: AsyncSession, ids: Sequence[UUID]) -> list[Work]:
    rows = (await session.exec(select(WorkRow).where(col(WorkRow.id).in_(ids)))).all()
    works = {w.id: w for w in await works_of(session, rows)}
    return [works[i] for i in dict.fromkeys(ids) if i in works]


async def get_work(*, sessions: SessionMaker, work_id: UUID) -> Work:
    async with sessions() as session:
        found = await _works(session, [work_id])
    if not found:
        raise WorkNotFound(f"no work {work_id}", field="work_id")
    return found[0]


async def get_works(*, sessions: SessionMaker, ids: Sequence[UUID]) -> list[Work]:
    """The known works among `ids`, in the order asked."""
    if not ids:
        return []
    async with sessions() as session:
        return await _works(session, ids)


CONSENT_REQUESTS_MAX = 100

# A party's pending answers, by the partial index of pending consents; oldest deadline first.
_CONSENT_REQUESTS_SQL = text(
    """
SELECT w.id FROM work w
WHERE w.status = 'AWAITING_CONSENT'
  AND w.id IN (SELECT c.work_id FROM work_consent c
               WHERE c.party_id = :party AND c.status = 'PENDING')
ORDER BY w.consent_deadline, w.id
LIMIT :limit
"""
)


async def consent_requests(*, sessions: SessionMaker, party_id: UUID) -> list[Work]:
    """The works awaiting `party_id`'s own answer (DOMAIN.md, "Co-owners' consent")."""
    async with sessions() as session:
        connection = await session.connection()
        found = await connection.execute(
            _CONSENT_REQUESTS_SQL, {"party": party_id, "limit": CONSENT_REQUESTS_MAX}
        )
        return await _works(session, [row[0] for row in found.all()])


# --- history ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    work_id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    detail: str


async def _histories(
    session: AsyncSession, work_ids: Sequence[UUID]
) -> dict[UUID, list[HistoryEntry]]:
    if not work_ids:
        return {}
    rows = (
        await session.exec(
            select(HistoryRow)
            .where(col(HistoryRow.work_id).in_(work_ids))
            .order_by(col(HistoryRow.work_id), col(HistoryRow.id))
        )
    ).all()
    grouped: dict[UUID, list[HistoryEntry]] = {}
    for row in rows:
        grouped.setdefault(row.work_id, []).append(
            HistoryEntry(row.work_id, row.at, row.actor_id, row.action, row.detail)
        )
    return grouped


async def histories(
    *, sessions: SessionMaker, work_ids: Sequence[UUID]
) -> dict[UUID, list[HistoryEntry]]:
    """Each work's history in the order it happened, grouped by work."""
    async with sessions() as session:
        return await _histories(session, work_ids)


async def work_history(*, sessions: SessionMaker, work_id: UUID) -> list[HistoryEntry]:
    async with sessions() as session:
        if not (await session.exec(select(WorkRow.id).where(WorkRow.id == work_id))).first():
            raise WorkNotFound(f"no work {work_id}", field="work_id")
        return (await _histories(session, [work_id])).get(work_id, [])


# --- the register's search (filing.register_search) ------------------------------------------

__all__ = [
    "Page", "SearchWorks", "WorkFilter", "decode_cursor", "encode_cursor", "search_plan",
    "search_works",
]
