"""The write side's SQL: loading parties and works for a change and saving them with their
history, the examination locks, the dispute quota, and the number counters."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any
from uuid import UUID

from contracts.attributes import from_attributes
from contracts.enums import FilingConsentStatus, PartyKind, Role, WorkKind, WorkStatus
from runtime.uow import OutboxPart
from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from filing.domain.consents import Consent
from filing.domain.examination import ExistingWork
from filing.domain.holders import RightsHolder, rights_json, with_rights
from filing.domain.numbering import NumberKind, format_number
from filing.domain.parties import Party
from filing.domain.search_index import party_search_columns, search_columns
from filing.domain.works import REGISTERED_STATUSES, Change, Identifiers, Work
from filing.models import ConsentRow, HistoryRow, PartyRow, RightsHolderRow, WorkRow

# --- parties -------------------------------------------------------------------------------


def party_of(row: PartyRow) -> Party:
    """The domain party a row stores (the read side maps rows with this too)."""
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
    return {**asdict(party), "kind": party.kind.value, **party_search_columns(party.name)}


async def load_party(
    session: AsyncSession, party_id: UUID, *, for_update: bool = True
) -> Party | None:
    """The party, its row locked for the change (`for_update=False`: a plain read)."""
    statement = select(PartyRow).where(PartyRow.id == party_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    return None if row is None else party_of(row)


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
    return await _update_counting(session, PartyRow, party.id, values)


async def _update_counting(
    session: AsyncSession,
    table: type[PartyRow | WorkRow],
    row_id: UUID,
    values: Mapping[str, object],
) -> int:
    """Writes `values` into the (locked) row and counts one more event on it; answers the
    row's new version, which the change's event carries."""
    saved = await session.exec(
        update(table)
        .where(col(table.id) == row_id)
        .values(**values, version=col(table.version) + 1)
        .returning(col(table.version))
    )
    version: int = saved.scalar_one()
    return version


# --- works ---------------------------------------------------------------------------------


def _consent(row: ConsentRow) -> Consent:
    return Consent(
        party_id=row.party_id,
        role=Role(row.role),
        share=row.share,
        status=FilingConsentStatus(row.status),
        reason=row.reason,
        decided_at=row.decided_at,
    )


def _work(
    row: WorkRow, holders: Sequence[RightsHolderRow], consents: Sequence[ConsentRow] = ()
) -> Work:
    """The domain work a row, its holder rows and its consent rows store."""
    return from_attributes(
        Work,
        row,
        consents=tuple(_consent(c) for c in sorted(consents, key=lambda c: c.position)),
        alternate_titles=tuple(row.alternate_titles),
        kind=WorkKind(row.kind),
        status=WorkStatus(row.status),
        identifiers=Identifiers(iswc=row.iswc, isrc=row.isrc, isbn=row.isbn),
        rights_holders=tuple(
            with_rights(RightsHolder(party_id=h.party_id, role=Role(h.role), share=h.share),
                        h.rights)
            for h in sorted(holders, key=lambda h: h.position)
        ),
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
        "recording_of": work.recording_of,
        "consent_deadline": work.consent_deadline,
        "country_of_origin": work.country_of_origin,
        "filed_by": work.filed_by,
        "filed_at": work.filed_at,
        "updated_at": work.updated_at,
        **search_columns(
            work.title,
            work.alternate_titles,
            country=work.country_of_origin,
            kind=work.kind.value,
        ),
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


async def _consents_of(
    session: AsyncSession, ids: Sequence[UUID]
) -> dict[UUID, list[ConsentRow]]:
    rows = (await session.exec(select(ConsentRow).where(col(ConsentRow.work_id).in_(ids)))).all()
    grouped: dict[UUID, list[ConsentRow]] = {}
    for row in rows:
        grouped.setdefault(row.work_id, []).append(row)
    return grouped


async def works_of(session: AsyncSession, rows: Sequence[WorkRow]) -> list[Work]:
    """The domain works of `rows`, their holders and consents loaded in one query each (the
    read side too)."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    holders = await _holders_of(session, ids)
    consents = await _consents_of(session, ids)
    return [_work(row, holders.get(row.id, []), consents.get(row.id, [])) for row in rows]


async def kind_and_status(
    session: AsyncSession, work_id: UUID
) -> tuple[WorkKind, WorkStatus] | None:
    """A work's kind and status, unlocked; None when there is no such work."""
    row = (
        await session.exec(select(WorkRow.kind, WorkRow.status).where(WorkRow.id == work_id))
    ).first()
    return None if row is None else (WorkKind(row[0]), WorkStatus(row[1]))


async def load_work(
    session: AsyncSession, work_id: UUID, *, for_update: bool = True
) -> Work | None:
    """One work, its row locked so concurrent commands on it run one at a time
    (`for_update=False`: a plain read)."""
    statement = select(WorkRow).where(WorkRow.id == work_id)
    if for_update:
        statement = statement.with_for_update()
    row = (await session.exec(statement)).first()
    if row is None:
        return None
    return (await works_of(session, [row]))[0]


def _holder_rows(work: Work) -> list[dict[str, Any]]:
    return [
        {
            "work_id": work.id,
            "party_id": h.party_id,
            "role": h.role.value,
            "position": position,
            "share": h.share,
            "rights": rights_json(h),
            "societies": sorted(h.societies()),
        }
        for position, h in enumerate(work.rights_holders)
    ]


# A new work, its rights holders and its history in one statement: filing holds the number
# counters' locks from `take_numbers` to COMMIT, so every round trip saved here is saved
# for every filing queued behind this one.
_INSERT_WORK_CTES = """
w AS (
    INSERT INTO work (
        id, filing_number, registration_number, title, alternate_titles, kind, status,
        status_reason, iswc, isrc, isbn, country_of_origin, filed_by, filed_at, updated_at,
        title_key, search_text, search_keys, search_words, version, recording_of,
        consent_deadline
    )
    VALUES (
        CAST(:id AS uuid), CAST(:filing_number AS text), CAST(:registration_number AS text),
        CAST(:title AS text), CAST(:alternate_titles AS text[]), CAST(:kind AS text),
        CAST(:status AS text), CAST(:status_reason AS text), CAST(:iswc AS text),
        CAST(:isrc AS text), CAST(:isbn AS text), CAST(:country_of_origin AS text),
        CAST(:filed_by AS uuid), CAST(:filed_at AS timestamptz),
        CAST(:updated_at AS timestamptz), CAST(:title_key AS text), CAST(:search_text AS text),
        CAST(:search_keys AS text[]), CAST(:search_words AS text[]), CAST(:version AS bigint),
        CAST(:recording_of AS uuid), CAST(:consent_deadline AS timestamptz)
    )
), c AS (
    INSERT INTO work_consent (work_id, party_id, role, position, share, status)
    SELECT CAST(:id AS uuid), x.party_id, x.role, x.position, x.share, 'PENDING'
    FROM unnest(
        CAST(:c_party_ids AS uuid[]), CAST(:c_roles AS text[]), CAST(:c_shares AS numeric[])
    ) WITH ORDINALITY AS x (party_id, role, share, position)
), h AS (
    INSERT INTO rights_holder (work_id, party_id, role, position, share, rights, societies)
    SELECT CAST(:id AS uuid), x.party_id, x.role, x.position, x.share, x.rights::jsonb,
           CASE WHEN x.societies = '' THEN '{}'::text[] ELSE string_to_array(x.societies, ',')
           END
    FROM unnest(
        CAST(:h_party_ids AS uuid[]), CAST(:h_roles AS text[]),
        CAST(:h_positions AS integer[]), CAST(:h_shares AS numeric[]),
        CAST(:h_rights AS text[]), CAST(:h_societies AS text[])
    ) AS x (party_id, role, position, share, rights, societies)
), hist AS (
    INSERT INTO work_history (work_id, at, actor_id, action, detail)
    SELECT CAST(:id AS uuid), x.at, x.actor_id, x.action, x.detail
    FROM unnest(
        CAST(:hist_at AS timestamptz[]), CAST(:hist_actor_ids AS uuid[]),
        CAST(:hist_actions AS text[]), CAST(:hist_details AS text[])
    ) WITH ORDINALITY AS x (at, actor_id, action, detail, ord)
    ORDER BY x.ord
)"""


async def insert_work(
    session: AsyncSession, work: Work, changes: Sequence[Change], outbox: OutboxPart
) -> None:
    """Writes a new work with its rights holders, `changes` as its history and its events
    (`outbox`, from the unit of work) in ONE statement: filing holds the number counters'
    locks from `take_numbers` to COMMIT, so every round trip saved here is saved for every
    filing queued behind this one. Its version is the number of its changes (its events
    carry versions 1..len(changes))."""
    await insert_works(session, [(work, changes, outbox)])


async def insert_works(
    session: AsyncSession, works: Sequence[tuple[Work, Sequence[Change], OutboxPart]]
) -> None:
    """`insert_work` for each of `works`, in order, sent as one pipelined batch of that same
    statement (filing's group commit: one round trip for the whole batch)."""
    if not works:
        return
    params = [_insert_work_params(work, changes, outbox) for work, changes, outbox in works]
    outbox = works[0][2]
    statement = text(f"WITH {_INSERT_WORK_CTES}, {outbox.cte} SELECT {outbox.notify}")
    connection = await session.connection()
    await connection.execute(statement, params if len(params) > 1 else params[0])


def _insert_work_params(
    work: Work, changes: Sequence[Change], outbox: OutboxPart
) -> dict[str, Any]:
    holders = _holder_rows(work)
    return {
        **_work_values(work),
        "version": len(changes),
        "h_party_ids": [h["party_id"] for h in holders],
        "h_roles": [h["role"] for h in holders],
        "h_positions": [h["position"] for h in holders],
        "h_shares": [h["share"] for h in holders],
        # unnest cannot take arrays of arrays of unequal lengths: societies travel joined.
        "h_rights": [None if h["rights"] is None else json.dumps(h["rights"]) for h in holders],
        "h_societies": [",".join(h["societies"]) for h in holders],
        # The consents a filing waiting for its co-owners asks for (none otherwise).
        "c_party_ids": [c.party_id for c in work.consents],
        "c_roles": [c.role.value for c in work.consents],
        "c_shares": [c.share for c in work.consents],
        "hist_at": [c.at for c in changes],
        "hist_actor_ids": [c.actor_id for c in changes],
        "hist_actions": [c.action.value for c in changes],
        "hist_details": [c.detail for c in changes],
        **outbox.params,
    }


async def save_work(
    session: AsyncSession, work: Work, change: Change, *, holders_changed: bool
) -> int:
    """Stores one change of the work (its row is locked) and its history line; answers the
    work's new version."""
    values = _work_values(work)
    del values["id"]
    version = await _update_counting(session, WorkRow, work.id, values)
    if holders_changed:
        await session.exec(delete(RightsHolderRow).where(col(RightsHolderRow.work_id) == work.id))
        await session.exec(insert(RightsHolderRow).values(_holder_rows(work)))
    await session.exec(
        insert(HistoryRow).values(
            work_id=work.id,
            at=change.at,
            actor_id=change.actor_id,
            action=change.action.value,
            detail=change.detail,
        )
    )
    return version


async def save_consents(session: AsyncSession, work: Work, party_id: UUID) -> None:
    """Stores one party's answers to the filing (the work's row is locked)."""
    connection = await session.connection()
    await connection.execute(
        text(
            "UPDATE work_consent SET status = :status, reason = :reason, decided_at = :at "
            "WHERE work_id = :work AND party_id = :party AND role = :role"
        ),
        [
            {"status": c.status.value, "reason": c.reason, "at": c.decided_at,
             "work": work.id, "party": c.party_id, "role": c.role.value}
            for c in work.consents
            if c.party_id == party_id
        ],
    )


async def lapsed_consents(session: AsyncSession, *, limit: int) -> list[UUID]:
    """Works still awaiting consent whose deadline has passed on the database's clock."""
    connection = await session.connection()
    found = await connection.execute(
        text(
            "SELECT id FROM work WHERE status = 'AWAITING_CONSENT' AND consent_deadline <= now() "
            "ORDER BY consent_deadline LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [row[0] for row in found.all()]


async def load_lapsed_work(session: AsyncSession, work_id: UUID) -> Work | None:
    """The work, locked, if it still awaits consent past its deadline (database clock); None
    when an answer or another job got there first."""
    statement = (
        select(WorkRow)
        .where(
            WorkRow.id == work_id,
            WorkRow.status == WorkStatus.AWAITING_CONSENT.value,
            col(WorkRow.consent_deadline) <= func.now(),
        )
        .with_for_update()
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (await works_of(session, [row]))[0]


# --- filing: examination locks and numbers ---------------------------------------------------


def examination_lock_keys(identifiers: Identifiers, key: str) -> list[str]:
    """The names a filing's examination locks: its identifiers and its title key, sorted."""
    keys = [f"{name}:{value}" for name, value in identifiers.items()]
    return sorted([*keys, f"title:{key}"] if key else keys)


# The examination locks and the holders' registration in one round trip; the candidates are
# read by a later statement, whose snapshot is taken after the locks are held.
_LOCK_FOR_EXAMINATION_SQL = text(
    """
WITH locks AS (
    SELECT pg_advisory_xact_lock(hashtextextended(x.key, 0))
    FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS x (key, ord)
    ORDER BY x.ord
)
SELECT (SELECT count(*) FROM locks),
       ARRAY(SELECT id FROM party WHERE id = ANY(CAST(:party_ids AS uuid[])))
"""
)


async def lock_for_examination(
    session: AsyncSession, identifiers: Identifiers, key: str, party_ids: Iterable[UUID]
) -> set[UUID]:
    """Takes transaction-scoped advisory locks on the filing's identifiers and title key (the
    names of the filings it could clash with or duplicate), and answers which of `party_ids`
    are registered parties.

    Two filings with the same ISWC at the same moment would otherwise both see no clash and
    both register; with the lock the second waits for the first to commit, then sees it.
    Sorted order (kept by `ORDER BY`: volatile functions run after the sort) keeps two
    filings that share several keys from deadlocking.
    """
    return await lock_examination_keys(
        session, examination_lock_keys(identifiers, key), party_ids
    )


async def lock_examination_keys(
    session: AsyncSession, keys: Iterable[str], party_ids: Iterable[UUID]
) -> set[UUID]:
    """`lock_for_examination` for any number of filings at once (filing's group commit): the
    union of their lock names, in sorted order, and which of `party_ids` are registered."""
    connection = await session.connection()
    found = await connection.execute(
        _LOCK_FOR_EXAMINATION_SQL, {"keys": sorted(set(keys)), "party_ids": list(set(party_ids))}
    )
    _, known = found.one()
    return set(known)


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
    return await examination_candidates_of(session, [(identifiers, key, holder_ids)])


# The works examination may act on, for any number of filings, in one statement without the
# ORM: by identifier, or registered with a title key and a holder among the filings' (across
# the filings: a superset, examination judges each filing by its own rules). Index scans only.
_CANDIDATES_SQL = text(
    """
SELECT w.id, w.filing_number, w.title, w.status, w.iswc, w.isrc, w.isbn,
       ARRAY(SELECT h.party_id FROM rights_holder h WHERE h.work_id = w.id) AS holder_ids
FROM work w
WHERE w.iswc = ANY(CAST(:iswcs AS text[]))
   OR w.isrc = ANY(CAST(:isrcs AS text[]))
   OR w.isbn = ANY(CAST(:isbns AS text[]))
   OR (w.title_key = ANY(CAST(:keys AS text[]))
       AND w.status = ANY(CAST(:registered AS text[]))
       AND EXISTS (SELECT 1 FROM rights_holder h
                   WHERE h.work_id = w.id AND h.party_id = ANY(CAST(:holders AS uuid[]))))
"""
)


async def examination_candidates_of(
    session: AsyncSession, filings: Sequence[tuple[Identifiers, str, Iterable[UUID]]]
) -> list[ExistingWork]:
    """`examination_candidates` of several filings in one query: the candidates of any of
    them (examination judges each filing against all, deciding by its own rules)."""
    identifiers: dict[str, set[str]] = {"iswc": set(), "isrc": set(), "isbn": set()}
    keys: set[str] = set()
    holders: set[UUID] = set()
    for own, key, holder_ids in filings:
        for name, value in own.items():
            identifiers[name].add(value)
        ids = set(holder_ids)
        if key and ids:
            keys.add(key)
            holders |= ids
    if not (keys or any(identifiers.values())):
        return []
    connection = await session.connection()
    rows = await connection.execute(
        _CANDIDATES_SQL,
        {
            **{f"{name}s": sorted(values) for name, values in identifiers.items()},
            "keys": sorted(keys),
            "registered": [s.value for s in REGISTERED_STATUSES],
            "holders": list(holders),
        },
    )
    return [
        ExistingWork(
            id=row.id,
            filing_number=row.filing_number,
            title=row.title,
            status=WorkStatus(row.status),
            identifiers=Identifiers(iswc=row.iswc, isrc=row.isrc, isbn=row.isbn),
            holder_ids=frozenset(row.holder_ids),
        )
        for row in rows
    ]


def existing(work: Work) -> ExistingWork:
    """What examination needs to know of a work in the register."""
    return ExistingWork(
        id=work.id,
        filing_number=work.filing_number,
        title=work.title,
        status=work.status,
        identifiers=work.identifiers,
        holder_ids=frozenset(h.party_id for h in work.rights_holders),
    )


# Both counters in one INSERT, in a fixed order (F before R): the lock order of every command.
_TAKE_NUMBERS_SQL = text(
    """
INSERT INTO number_counter (kind, year, last)
SELECT x.kind, CAST(:year AS integer), 1
FROM unnest(CAST(:kinds AS text[])) WITH ORDINALITY AS x (kind, ord)
ORDER BY x.ord
ON CONFLICT (kind, year) DO UPDATE SET last = number_counter.last + 1
RETURNING kind, last
"""
)


async def take_numbers(
    session: AsyncSession, *, year: int, kinds: Sequence[NumberKind]
) -> Mapping[NumberKind, str]:
    """The next number of each of `kinds` in `year`, taken inside the caller's transaction.

    The counter rows stay locked until the transaction ends, so concurrent commands queue
    here and each gets the next number; a rollback gives the numbers back: no gaps. These
    are the hottest locks of the service: take them last and commit right after.
    """
    ordered = sorted(set(kinds), key=list(NumberKind).index)
    connection = await session.connection()
    taken = await connection.execute(
        _TAKE_NUMBERS_SQL, {"year": year, "kinds": [kind.value for kind in ordered]}
    )
    return {
        NumberKind(kind): format_number(NumberKind(kind), year, int(last))
        for kind, last in taken.all()
    }


# Both counter rows of the year locked (created at 0 if absent), F before R as everywhere.
_LOCK_COUNTERS_SQL = text(
    """
INSERT INTO number_counter (kind, year, last)
SELECT x.kind, CAST(:year AS integer), 0
FROM unnest(CAST(:kinds AS text[])) WITH ORDINALITY AS x (kind, ord)
ORDER BY x.ord
ON CONFLICT (kind, year) DO UPDATE SET last = number_counter.last
RETURNING kind, last
"""
)
_SET_COUNTERS_SQL = text(
    """
UPDATE number_counter AS c SET last = x.last
FROM unnest(CAST(:kinds AS text[]), CAST(:lasts AS integer[])) AS x (kind, last)
WHERE c.kind = x.kind AND c.year = CAST(:year AS integer)
"""
)


async def lock_counters(session: AsyncSession, *, year: int) -> dict[NumberKind, int]:
    """The last number given of each kind in `year`, its row locked to the end of the
    caller's transaction (filing's group commit counts the batch's numbers from here)."""
    connection = await session.connection()
    found = await connection.execute(
        _LOCK_COUNTERS_SQL, {"year": year, "kinds": [kind.value for kind in NumberKind]}
    )
    return {NumberKind(kind): int(last) for kind, last in found.all()}


async def set_counters(session: AsyncSession, *, year: int, last: Mapping[NumberKind, int]) -> None:
    """Writes the last number given of each kind in `year` (rows locked by `lock_counters`)."""
    connection = await session.connection()
    await connection.execute(
        _SET_COUNTERS_SQL,
        {"year": year, "kinds": [k.value for k in last], "lasts": list(last.values())},
    )
