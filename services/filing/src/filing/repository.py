"""The queries the filing service needs: loading and saving parties and works, the locks
and counters of filing, history, and the search of the register."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from runtime.outbox import NOTIFY_CHANNEL
from sqlalchemy import and_, exists, func, or_, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from filing.domain.examination import ExistingWork
from filing.domain.holders import RightsHolder
from filing.domain.numbering import NumberKind
from filing.domain.parties import Party
from filing.domain.titles import search_document, title_key
from filing.domain.works import REGISTERED_STATUSES, Change, Identifiers, Work
from filing.models import (
    HistoryRow,
    NumberCounter,
    OutboxMessage,
    PartyRow,
    RightsHolderRow,
    WorkRow,
)
from runtime import cursors

# --- parties -------------------------------------------------------------------------------


def _party(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        name=row.name,
        kind=PartyKind(row.kind),
        country=row.country,
        ipi_name_number=row.ipi_name_number,
        isni=row.isni,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _party_values(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "kind": party.kind.value,
        "country": party.country,
        "ipi_name_number": party.ipi_name_number,
        "isni": party.isni,
        "created_at": party.created_at,
        "updated_at": party.updated_at,
    }


async def get_party(
    session: AsyncSession, party_id: UUID, *, for_update: bool = False
) -> Party | None:
    statement = select(PartyRow).where(PartyRow.id == party_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    return None if row is None else _party(row)


async def get_parties(session: AsyncSession, ids: Sequence[UUID]) -> list[Party]:
    if not ids:
        return []
    rows = (await session.exec(select(PartyRow).where(col(PartyRow.id).in_(ids)))).all()
    by_id = {row.id: _party(row) for row in rows}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


async def known_party_ids(session: AsyncSession, ids: Iterable[UUID]) -> set[UUID]:
    wanted = set(ids)
    if not wanted:
        return set()
    found = await session.exec(select(PartyRow.id).where(col(PartyRow.id).in_(wanted)))
    return set(found.all())


async def insert_party_if_absent(session: AsyncSession, party: Party) -> bool:
    """Inserts the party unless its id exists; True when this call created it.

    ON CONFLICT makes two simultaneous sign-ups with one id create one row, not an error.
    """
    statement = (
        insert(PartyRow)
        .values(**_party_values(party), version=1)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(col(PartyRow.id))
    )
    created = (await session.exec(statement)).first()
    return created is not None


async def save_party(session: AsyncSession, party: Party) -> int:
    """Stores a change of the party (its row is locked); answers the party's new version."""
    values = _party_values(party)
    del values["id"], values["created_at"]
    saved = await session.exec(
        update(PartyRow)
        .where(col(PartyRow.id) == party.id)
        .values(**values, version=col(PartyRow.version) + 1)
        .returning(col(PartyRow.version))
    )
    version: int = saved.scalar_one()
    return version


# --- works ---------------------------------------------------------------------------------


def _work(row: WorkRow, holders: Sequence[RightsHolderRow]) -> Work:
    return Work(
        id=row.id,
        filing_number=row.filing_number,
        registration_number=row.registration_number,
        title=row.title,
        alternate_titles=tuple(row.alternate_titles),
        kind=WorkKind(row.kind),
        status=WorkStatus(row.status),
        status_reason=row.status_reason,
        identifiers=Identifiers(iswc=row.iswc, isrc=row.isrc, isbn=row.isbn),
        country_of_origin=row.country_of_origin,
        rights_holders=tuple(
            RightsHolder(party_id=h.party_id, role=Role(h.role), share=h.share)
            for h in sorted(holders, key=lambda h: h.position)
        ),
        filed_by=row.filed_by,
        filed_at=row.filed_at,
        updated_at=row.updated_at,
    )


def _work_values(work: Work) -> dict[str, Any]:
    return {
        "id": work.id,
        "filing_number": work.filing_number,
        "registration_number": work.registration_number,
        "title": work.title,
        "alternate_titles": list(work.alternate_titles),
        "kind": work.kind.value,
        "status": work.status.value,
        "status_reason": work.status_reason,
        "iswc": work.identifiers.iswc,
        "isrc": work.identifiers.isrc,
        "isbn": work.identifiers.isbn,
        "country_of_origin": work.country_of_origin,
        "filed_by": work.filed_by,
        "filed_at": work.filed_at,
        "updated_at": work.updated_at,
        "title_key": title_key(work.title),
        "search_text": search_document(work.title, work.alternate_titles),
    }


async def _holders_of(
    session: AsyncSession, ids: Sequence[UUID]
) -> dict[UUID, list[RightsHolderRow]]:
    rows = (
        await session.exec(select(RightsHolderRow).where(col(RightsHolderRow.work_id).in_(ids)))
    ).all()
    grouped: dict[UUID, list[RightsHolderRow]] = {}
    for row in rows:
        grouped.setdefault(row.work_id, []).append(row)
    return grouped


async def _works_from_rows(session: AsyncSession, rows: Sequence[WorkRow]) -> list[Work]:
    if not rows:
        return []
    holders = await _holders_of(session, [row.id for row in rows])
    return [_work(row, holders.get(row.id, [])) for row in rows]


async def get_work(
    session: AsyncSession, work_id: UUID, *, for_update: bool = False
) -> Work | None:
    """One work; `for_update` locks its row so concurrent commands on it run one at a time."""
    statement = select(WorkRow).where(WorkRow.id == work_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    return (await _works_from_rows(session, [row]))[0]


async def get_works(session: AsyncSession, ids: Sequence[UUID]) -> list[Work]:
    if not ids:
        return []
    rows = (await session.exec(select(WorkRow).where(col(WorkRow.id).in_(ids)))).all()
    works = {w.id: w for w in await _works_from_rows(session, rows)}
    return [works[i] for i in dict.fromkeys(ids) if i in works]


def _holder_rows(work: Work) -> list[dict[str, Any]]:
    return [
        {
            "work_id": work.id,
            "party_id": h.party_id,
            "role": h.role.value,
            "position": position,
            "share": h.share,
        }
        for position, h in enumerate(work.rights_holders)
    ]


async def insert_work(session: AsyncSession, work: Work) -> None:
    await session.exec(insert(WorkRow).values(**_work_values(work)))
    await session.exec(insert(RightsHolderRow).values(_holder_rows(work)))


async def save_work(session: AsyncSession, work: Work, *, holders_changed: bool) -> int:
    """Stores one change of the work (its row is locked); answers the work's new version."""
    values = _work_values(work)
    del values["id"]
    saved = await session.exec(
        update(WorkRow)
        .where(col(WorkRow.id) == work.id)
        .values(**values, version=col(WorkRow.version) + 1)
        .returning(col(WorkRow.version))
    )
    version: int = saved.scalar_one()
    if holders_changed:
        await session.exec(delete(RightsHolderRow).where(col(RightsHolderRow.work_id) == work.id))
        await session.exec(insert(RightsHolderRow).values(_holder_rows(work)))
    return version


# --- filing: examination locks and numbers ---------------------------------------------------


def examination_keys(identifiers: Identifiers, key: str) -> list[str]:
    """The lock names that serialise filings which could clash or duplicate each other."""
    keys = [f"{name}:{value}" for name, value in identifiers.items()]
    if key:
        keys.append(f"title:{key}")
    return sorted(keys)


async def lock_examination_keys(session: AsyncSession, keys: Sequence[str]) -> None:
    """Transaction-scoped advisory locks on the filing's identifiers and title key.

    Two filings with the same ISWC at the same moment would otherwise both see no clash and
    both register; with the lock the second waits for the first to commit, then sees it.
    Sorted order keeps two filings that share several keys from deadlocking.
    """
    connection = await session.connection()
    for key in sorted(keys):
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


# The start of the database's current UTC day: the limit's day is never the process's.
_DISPUTES_TODAY_SQL = """
SELECT count(*) FROM dispute_opening
WHERE party_id = :party
  AND opened_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
"""


async def lock_and_count_disputes_today(session: AsyncSession, party_id: UUID) -> int:
    """How many disputes the party opened on the database's current UTC day.

    A transaction-scoped advisory lock on the party's quota comes first, so a concurrent
    dispute by the same party waits until this transaction commits and then counts its row.
    """
    connection = await session.connection()
    await connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"dispute-quota:{party_id}"},
    )
    result = await connection.execute(text(_DISPUTES_TODAY_SQL), {"party": party_id})
    return int(result.scalar_one())


async def record_dispute_opening(session: AsyncSession, party_id: UUID, work_id: UUID) -> None:
    """Count one dispute against the party's day; the database stamps the time."""
    connection = await session.connection()
    await connection.execute(
        text("INSERT INTO dispute_opening (party_id, work_id) VALUES (:party, :work)"),
        {"party": party_id, "work": work_id},
    )


async def examination_candidates(
    session: AsyncSession, identifiers: Identifiers, key: str, holder_ids: Iterable[UUID]
) -> list[ExistingWork]:
    """Works that could make examination reject or hold a filing: those sharing one of its
    identifiers, and registered ones with its title key and a holder in common.

    The domain (`examination.examine`) decides; this only keeps a popular title from
    loading thousands of unrelated works.
    """
    conditions = [col(getattr(WorkRow, name)) == value for name, value in identifiers.items()]
    holders = list(set(holder_ids))
    if key and holders:
        conditions.append(
            and_(
                col(WorkRow.title_key) == key,
                col(WorkRow.status).in_([s.value for s in REGISTERED_STATUSES]),
                exists().where(
                    and_(
                        col(RightsHolderRow.work_id) == col(WorkRow.id),
                        col(RightsHolderRow.party_id).in_(holders),
                    )
                ),
            )
        )
    if not conditions:
        return []
    rows = (await session.exec(select(WorkRow).where(or_(*conditions)))).all()
    works = await _works_from_rows(session, rows)
    return [
        ExistingWork(
            id=w.id,
            filing_number=w.filing_number,
            title=w.title,
            status=w.status,
            identifiers=w.identifiers,
            holder_ids=frozenset(h.party_id for h in w.rights_holders),
        )
        for w in works
    ]


async def next_number(session: AsyncSession, kind: NumberKind, year: int) -> int:
    """The next sequence number of `kind` in `year`, taken inside the caller's transaction.

    The counter row stays locked until the transaction ends, so concurrent filings queue
    here and each gets the next number; a rollback gives its number back: no gaps.
    """
    statement = (
        insert(NumberCounter)
        .values(kind=kind.value, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["kind", "year"],
            set_={"last": NumberCounter.last + 1},
        )
        .returning(col(NumberCounter.last))
    )
    value = (await session.exec(statement)).one()
    return int(value[0])


@dataclass(frozen=True)
class NumberPlaceholders:
    """Stand-ins for the numbers a filing takes last: random, so no caller's text holds them,
    and shaped like real numbers, so the events that carry them validate."""

    filing: str
    registration: str


@dataclass(frozen=True)
class FilingNumbers:
    filing: str
    registration: str | None


# One statement takes the filing number (and the registration number when examination
# registers the work) and writes every row that carries them, stand-ins swapped for the
# numbers by `replace`; COMMIT follows at once. The counter rows are the hottest locks of the
# service: held for this statement and the COMMIT, nothing else. Both counters are taken in
# one INSERT in a fixed order (F before R), the lock order of every command.
_FILE_WORK_SQL = """
WITH c AS (
    INSERT INTO number_counter (kind, year, last)
    SELECT v.kind, CAST(:year AS integer), 1
    FROM (VALUES ('F', 1), ('R', 2)) AS v (kind, ord)
    WHERE v.kind = 'F' OR CAST(:registers AS boolean)
    ORDER BY v.ord
    ON CONFLICT (kind, year) DO UPDATE SET last = number_counter.last + 1
    RETURNING kind, last
), n AS (
    SELECT max(last) FILTER (WHERE kind = 'F') AS f_seq,
           max(last) FILTER (WHERE kind = 'R') AS r_seq
    FROM c
), m AS (
    SELECT CAST(:f_prefix AS text) || lpad(f_seq::text, greatest(6, length(f_seq::text)), '0')
               AS f,
           CAST(:r_prefix AS text) || lpad(r_seq::text, greatest(6, length(r_seq::text)), '0')
               AS r
    FROM n
), w AS (
    INSERT INTO work (
        id, filing_number, registration_number, title, alternate_titles, kind, status,
        status_reason, iswc, isrc, isbn, country_of_origin, filed_by, filed_at, updated_at,
        title_key, search_text, version
    )
    SELECT CAST(:id AS uuid), m.f, m.r, CAST(:title AS text),
           CAST(:alternate_titles AS text[]), CAST(:kind AS text), CAST(:status AS text),
           replace(
               replace(CAST(:status_reason AS text), :f_placeholder, m.f),
               :r_placeholder, coalesce(m.r, :r_placeholder)
           ),
           CAST(:iswc AS text), CAST(:isrc AS text), CAST(:isbn AS text),
           CAST(:country_of_origin AS text), CAST(:filed_by AS uuid),
           CAST(:filed_at AS timestamptz), CAST(:updated_at AS timestamptz),
           CAST(:title_key AS text), CAST(:search_text AS text),
           CAST(:version AS bigint)
    FROM m
), h AS (
    INSERT INTO rights_holder (work_id, party_id, role, position, share)
    SELECT CAST(:id AS uuid), x.party_id, x.role, x.position, x.share
    FROM unnest(
        CAST(:h_party_ids AS uuid[]), CAST(:h_roles AS text[]),
        CAST(:h_positions AS integer[]), CAST(:h_shares AS numeric[])
    ) AS x (party_id, role, position, share)
), hist AS (
    INSERT INTO work_history (work_id, at, actor_id, action, detail)
    SELECT CAST(:id AS uuid), x.at, x.actor_id, x.action,
           replace(
               replace(x.detail, :f_placeholder, m.f),
               :r_placeholder, coalesce(m.r, :r_placeholder)
           )
    FROM unnest(
        CAST(:hist_at AS timestamptz[]), CAST(:hist_actor_ids AS uuid[]),
        CAST(:hist_actions AS text[]), CAST(:hist_details AS text[])
    ) WITH ORDINALITY AS x (at, actor_id, action, detail, ord)
    CROSS JOIN m
    ORDER BY x.ord
), o AS (
    INSERT INTO outbox (event_id, topic, key, value, headers, traceparent, created_at)
    SELECT x.event_id, x.topic, x.key,
           convert_to(replace(
               replace(convert_from(x.value, 'UTF8'), :f_placeholder, m.f),
               :r_placeholder, coalesce(m.r, :r_placeholder)
           ), 'UTF8'),
           CAST(x.headers AS jsonb), x.traceparent, x.created_at
    FROM unnest(
        CAST(:o_event_ids AS uuid[]), CAST(:o_topics AS text[]), CAST(:o_keys AS bytea[]),
        CAST(:o_values AS bytea[]), CAST(:o_headers AS text[]),
        CAST(:o_traceparents AS text[]), CAST(:o_created_at AS timestamptz[])
    ) WITH ORDINALITY AS x (event_id, topic, key, value, headers, traceparent, created_at, ord)
    CROSS JOIN m
    ORDER BY x.ord
)
SELECT m.f, m.r, pg_notify(CAST(:channel AS text), '') FROM m
"""


async def insert_filed_work(
    session: AsyncSession,
    *,
    year: int,
    work: Work,
    changes: Sequence[Change],
    outbox: Sequence[OutboxMessage],
    placeholders: NumberPlaceholders,
) -> FilingNumbers:
    """Takes the numbers of a new filing and writes it in one statement: the work (with
    `placeholders` standing for its numbers), its rights holders, the `changes` as history
    and the `outbox` rows (the filing's staged events), then wakes the outbox relay.

    The counter rows stay locked until the transaction ends and a rollback gives the numbers
    back, as with `next_number`; the caller commits right after this.
    """
    registers = work.registration_number == placeholders.registration
    values = _work_values(work)
    holders = _holder_rows(work)
    params: dict[str, Any] = {
        **{k: v for k, v in values.items() if k not in ("filing_number", "registration_number")},
        "year": year,
        "registers": registers,
        "version": len(changes),  # the new work's events are versions 1..len(changes)
        "f_prefix": f"{NumberKind.FILING.value}-{year:04d}-",
        "r_prefix": f"{NumberKind.REGISTRATION.value}-{year:04d}-",
        "f_placeholder": placeholders.filing,
        "r_placeholder": placeholders.registration,
        "h_party_ids": [h["party_id"] for h in holders],
        "h_roles": [h["role"] for h in holders],
        "h_positions": [h["position"] for h in holders],
        "h_shares": [h["share"] for h in holders],
        "hist_at": [c.at for c in changes],
        "hist_actor_ids": [c.actor_id for c in changes],
        "hist_actions": [c.action.value for c in changes],
        "hist_details": [c.detail for c in changes],
        "o_event_ids": [m.event_id for m in outbox],
        "o_topics": [m.topic for m in outbox],
        "o_keys": [m.key for m in outbox],
        "o_values": [m.value for m in outbox],
        "o_headers": [json.dumps(m.headers) for m in outbox],
        "o_traceparents": [m.traceparent for m in outbox],
        "o_created_at": [m.created_at for m in outbox],
        "channel": NOTIFY_CHANNEL,
    }
    connection = await session.connection()
    filing, registration, _ = (await connection.execute(text(_FILE_WORK_SQL), params)).one()
    return FilingNumbers(filing=filing, registration=registration)


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    work_id: UUID
    at: datetime
    actor_id: UUID | None
    action: str
    detail: str


async def add_history(session: AsyncSession, work_id: UUID, change: Change) -> None:
    await session.exec(
        insert(HistoryRow).values(
            work_id=work_id,
            at=change.at,
            actor_id=change.actor_id,
            action=change.action.value,
            detail=change.detail,
        )
    )


async def histories(
    session: AsyncSession, work_ids: Sequence[UUID]
) -> dict[UUID, list[HistoryEntry]]:
    """Each work's history in the order it happened."""
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


# --- search --------------------------------------------------------------------------------


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
    return cursors.encode_cursor(seq)


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for, or `InvalidInput` on `after` for a forged one."""
    (seq,) = cursors.decode_cursor(cursor, (int,), field="after")
    return int(seq)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: WorkFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.text:
        # A trigram GIN index serves this LIKE at register scale.
        pattern = f"%{_escape_like(filters.text)}%"
        conditions.append(col(WorkRow.search_text).like(pattern, escape="\\"))
    if filters.status is not None:
        conditions.append(col(WorkRow.status) == filters.status.value)
    if filters.kind is not None:
        conditions.append(col(WorkRow.kind) == filters.kind.value)
    if filters.iswc is not None:
        conditions.append(col(WorkRow.iswc) == filters.iswc)
    if filters.isrc is not None:
        conditions.append(col(WorkRow.isrc) == filters.isrc)
    if filters.isbn is not None:
        conditions.append(col(WorkRow.isbn) == filters.isbn)
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


async def search_works(
    session: AsyncSession, filters: WorkFilter, *, first: int, after: str | None
) -> Page:
    """One page of the register, newest filing first, by keyset (never OFFSET)."""
    conditions = _conditions(filters)
    page_conditions = list(conditions)
    if after is not None:
        page_conditions.append(col(WorkRow.seq) < decode_cursor(after))
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
        await session.exec(select(func.count()).select_from(WorkRow).where(and_(True, *conditions)))
    ).one()
    works = await _works_from_rows(session, rows)
    last_seq = rows[-1].seq if rows else None
    next_cursor = encode_cursor(last_seq) if more and last_seq is not None else None
    return Page(works=works, next_cursor=next_cursor, total_count=int(total))
