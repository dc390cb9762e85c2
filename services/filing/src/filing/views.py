"""The read side: every query the filing API answers (parties, works, histories and the
register's search), each in a session of its own that changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.enums import WorkKind, WorkStatus
from contracts.errors import InvalidInput
from contracts.identifiers import parse_isbn13, parse_isrc, parse_iswc
from pydantic import BaseModel
from runtime.db import SessionMaker
from sqlalchemy import and_, exists, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from filing.domain.errors import PartyNotFound, WorkNotFound
from filing.domain.holders import parse_party_id
from filing.domain.parties import Party
from filing.domain.text import parse_enum
from filing.domain.titles import title_key
from filing.domain.works import Work
from filing.models import HistoryRow, PartyRow, RightsHolderRow, WorkRow
from filing.repository import party_of, works_of
from runtime import cursors

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


# --- the register's search -------------------------------------------------------------------


@dataclass(frozen=True)
class WorkFilter:
    text: str | None = None  # already folded with domain.titles.title_key
    status: WorkStatus | None = None
    kind: WorkKind | None = None
    holder_id: UUID | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None


@dataclass(frozen=True)
class Page:
    works: list[Work]
    next_cursor: str | None
    total_count: int


def encode_cursor(seq: int) -> str:
    """A register page's cursor: the insertion position of its last work."""
    return cursors.encode_cursor(seq)


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for, or `InvalidInput` on `after` for a forged one."""
    (seq,) = cursors.decode_cursor(cursor, (int,), field="after")
    return int(seq)


def _identifier(value: str | None, parse: Callable[..., str], field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > IDENTIFIER_MAX:
        raise InvalidInput(f"{field} is too long", field=field)
    return parse(value, field=field)


class SearchWorks(BaseModel):
    """`GET /works/search`'s query parameters, each optional; blank ones are absent."""

    text: str | None = None
    status: str | None = None
    kind: str | None = None
    holder_id: str | None = None
    iswc: str | None = None
    isrc: str | None = None
    isbn: str | None = None
    first: int = 20
    after: str | None = None

    def filters(self) -> WorkFilter:
        """The filters checked and normalised, each refusal naming its parameter."""
        text = self.text
        if text is not None and len(text) > SEARCH_TEXT_MAX:
            raise InvalidInput(f"text is longer than {SEARCH_TEXT_MAX} characters", field="text")
        return WorkFilter(
            text=(title_key(text) if text else None) or None,
            status=None if not self.status else parse_enum(WorkStatus, self.status, field="status"),
            kind=None if not self.kind else parse_enum(WorkKind, self.kind, field="kind"),
            holder_id=(
                None if not self.holder_id else parse_party_id(self.holder_id, field="holder_id")
            ),
            iswc=_identifier(self.iswc, parse_iswc, "iswc"),
            isrc=_identifier(self.isrc, parse_isrc, "isrc"),
            isbn=_identifier(self.isbn, parse_isbn13, "isbn"),
        )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: WorkFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.text:
        # A trigram GIN index serves this LIKE at register scale.
        pattern = f"%{_escape_like(filters.text)}%"
        conditions.append(col(WorkRow.search_text).like(pattern, escape="\\"))
    for column, value in (
        (WorkRow.status, filters.status.value if filters.status else None),
        (WorkRow.kind, filters.kind.value if filters.kind else None),
        (WorkRow.iswc, filters.iswc),
        (WorkRow.isrc, filters.isrc),
        (WorkRow.isbn, filters.isbn),
    ):
        if value is not None:
            conditions.append(col(column) == value)
    if filters.holder_id is not None:
        conditions.append(
            exists().where(
                and_(
                    col(RightsHolderRow.work_id) == col(WorkRow.id),
                    col(RightsHolderRow.party_id) == filters.holder_id,
                )
            )
        )
    return conditions


def _first(value: int) -> int:
    if isinstance(value, bool) or not 1 <= value <= PAGE_MAX:
        raise InvalidInput(f"first must be between 1 and {PAGE_MAX}", field="first")
    return value


async def search_works(*, sessions: SessionMaker, query: SearchWorks) -> Page:
    """One page of the register matching every filter, newest filing first, by keyset
    (never OFFSET)."""
    conditions = _conditions(query.filters())
    first = _first(query.first)
    page_conditions = list(conditions)
    if query.after:
        page_conditions.append(col(WorkRow.seq) < decode_cursor(query.after))
    async with sessions() as session:
        rows = (
            await session.exec(
                select(WorkRow)
                .where(and_(True, *page_conditions))
                .order_by(col(WorkRow.seq).desc())
                .limit(first + 1)
            )
        ).all()
        more = len(rows) > first
        rows = rows[:first]
        total = (
            await session.exec(
                select(func.count()).select_from(WorkRow).where(and_(True, *conditions))
            )
        ).one()
        works = await works_of(session, rows)
    last_seq = rows[-1].seq if rows else None
    next_cursor = encode_cursor(last_seq) if more and last_seq is not None else None
    return Page(works=works, next_cursor=next_cursor, total_count=int(total))
