"""Receiving usage lines (DOMAIN.md, "Usage lines and matching"): a chunk of lines at a time,
each chunk one unit of work: its new lines stored, matched against the register's read model
by a handful of set-based statements (never one query per line), their royalties stated per
licence, and the events that say so. A claim of a queued line takes the same path for one line.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any
from uuid import UUID

from contracts.enums import LicenceStatus, MatchMethod, Medium, WorkStatus
from contracts.errors import DomainError
from contracts.money import minor_units
from contracts.times import utc_now
from runtime.uow import UnitOfWork, UnitOfWorkFactory
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing import deals, suspense
from licensing import events as outgoing
from licensing import history_repository as licence_history
from licensing import repository as repo
from licensing.domain.access import Caller
from licensing.domain.deals import pool_key
from licensing.domain.errors import (
    LineAlreadyMatched,
    NotAnOwner,
    UnknownUsageLine,
    UnknownWork,
)
from licensing.domain.matching import CERTAIN, Candidate, Decision, Thresholds, match_line
from licensing.domain.royalties import (
    end_of_day,
    recoup,
    royalty_for,
    shares_at,
    split_payable,
)
from licensing.domain.terms import Period
from licensing.domain.usage import REPORTABLE, ReportedUsage, covered_period
from licensing.domain.usage_lines import (
    LicenceCover,
    UsageLine,
    covers_by_terms,
    licence_for,
    line_id,
    parse_line,
)
from licensing.models import LicenceRow, StatementRow, UsageLineRow, UsageReportRow
from licensing.usage_files import LineError, RawLine, Read

MATCHABLE = (WorkStatus.REGISTERED.value, WorkStatus.DISPUTED.value)
STATED, UNLICENSED, QUEUED = "STATED", "UNLICENSED", "QUEUED"
CANDIDATES_PER_LINE = 5


@dataclass(frozen=True)
class Matching:
    """The matching settings a chunk runs with."""

    thresholds: Thresholds
    trigram: float
    chunk_lines: int


@dataclass
class FileOutcome:
    """What a file (or API batch) did, summed over its chunks."""

    usage_file: str
    received: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)
    # ISRC / ISWC / FUZZY for matched lines, UNMATCHED for queued ones.
    methods: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    statements: list[UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Stated:
    """Where a matched line ended: on a statement (`licence_id`, `royalty`, `report_id`) or
    UNLICENSED."""

    status: str
    licence_id: UUID | None = None
    royalty: Decimal | None = None
    report_id: UUID | None = None


def _chunks(reads: Iterable[Read], size: int) -> Iterator[list[Read]]:
    it = iter(reads)
    while chunk := list(islice(it, size)):
        yield chunk


async def receive_lines(
    *,
    uow: UnitOfWorkFactory,
    matching: Matching,
    licensee: UUID,
    usage_file: str,
    reads: Iterable[Read],
) -> FileOutcome:
    """Stores, matches and states the lines a file gives, a chunk per unit of work."""
    outcome = FileOutcome(usage_file=usage_file)
    for chunk in _chunks(reads, matching.chunk_lines):
        async with uow() as u:
            await _receive_chunk(u, matching, licensee, chunk, outcome)
    return outcome


def _parsed(chunk: Sequence[Read], outcome: FileOutcome) -> list[tuple[int, UsageLine]]:
    parsed: list[tuple[int, UsageLine]] = []
    for read in chunk:
        if isinstance(read, LineError):
            outcome.errors.append(read)
            continue
        try:
            parsed.append((read.number, parse_line(read.cells, default_key=str(read.number))))
        except DomainError as error:
            outcome.errors.append(LineError(read.number, error.field or "row", error.message))
    return parsed


async def _receive_chunk(
    u: UnitOfWork,
    matching: Matching,
    licensee: UUID,
    chunk: Sequence[Read],
    outcome: FileOutcome,
) -> None:
    errors_before = len(outcome.errors)
    parsed = _parsed(chunk, outcome)
    now = utc_now()
    usage_file = outcome.usage_file
    new = await _store_new(u.session, licensee, usage_file, parsed, now)
    outcome.received += len(new)
    outcome.duplicates += len(parsed) - len(new)
    numbers = [read.number for read in chunk]
    u.emit(
        events.UsageLinesReceived(
            occurred_at=now, licensee_id=licensee, usage_file=usage_file,
            first_line=min(numbers), last_line=max(numbers), received=len(new),
            duplicates=len(parsed) - len(new), refused=len(outcome.errors) - errors_before,
        )
    )  # fmt: skip
    if not new:
        return
    decisions = await match_lines(u.session, matching, licensee, [line for _, line, _ in new])
    matched = [
        (lid, line, d.work_id) for (_, line, lid), d in zip(new, decisions, strict=True)
        if d.matched and d.work_id is not None
    ]  # fmt: skip
    stated = await state_lines(u, licensee=licensee, usage_file=usage_file, items=matched,
                               now=now)  # fmt: skip
    results: list[tuple[UUID, UsageLine, Decision, Stated]] = []
    for (_, line, lid), decision in zip(new, decisions, strict=True):
        result = stated.get(lid, Stated(QUEUED))
        results.append((lid, line, decision, result))
        outcome.methods[decision.method.value if decision.method else "UNMATCHED"] += 1
        outcome.statuses[result.status] += 1
    outcome.statements.extend(
        dict.fromkeys(r.report_id for *_, r in results if r.report_id is not None)
    )
    await _save_outcomes(u.session, results, now)
    currencies = {line.currency for _, line, _, r in results if r.royalty is not None}
    u.emit(
        events.UsageLinesMatched(
            occurred_at=now, licensee_id=licensee, usage_file=usage_file,
            currency=next(iter(currencies)) if len(currencies) == 1 else None,
            lines=[_line_match(lid, line, d.work_id, d.method, d.confidence, r, d.recording_id)
                   for lid, line, d, r in results],
        )
    )  # fmt: skip


def _line_match(
    lid: UUID,
    line: UsageLine,
    work_id: UUID | None,
    method: MatchMethod | None,
    confidence: Decimal | None,
    result: Stated,
    recording_id: UUID | None = None,
) -> events.LineMatch:
    return events.LineMatch(
        line_id=lid, line_key=line.line_key, status=result.status, work_id=work_id,
        method=method, confidence=confidence, licence_id=result.licence_id,
        royalty=result.royalty, recording_id=recording_id,
    )  # fmt: skip


# --- storing -----------------------------------------------------------------------------------


async def _store_new(
    session: AsyncSession,
    licensee: UUID,
    usage_file: str,
    parsed: Sequence[tuple[int, UsageLine]],
    now: datetime,
) -> list[tuple[int, UsageLine, UUID]]:
    """Inserts the lines not received before (by id), QUEUED until matched; a racing upload
    of the same file waits on the other's rows and then skips them. Returns the new ones."""
    if not parsed:
        return []
    ids = [line_id(licensee, usage_file, line.line_key) for _, line in parsed]
    lines = [line for _, line in parsed]
    columns: dict[str, list[Any]] = {
        "id": ids,
        "no": [number for number, _ in parsed],
        "key": [line.line_key for line in lines],
        "isrc": [line.isrc for line in lines],
        "iswc": [line.iswc for line in lines],
        "title": [line.title for line in lines],
        "tkey": [line.title_key for line in lines],
        # Names travel as one text each (arrays of arrays must be rectangular in SQL).
        "writers": ["|".join(line.writers) for line in lines],
        "performers": ["|".join(line.performers) for line in lines],
        "units": [line.units for line in lines],
        "revenue": [line.revenue for line in lines],
        "currency": [line.currency for line in lines],
        "territory": [line.territory for line in lines],
        "pstart": [line.period.start for line in lines],
        "pend": [line.period.end for line in lines],
        "medium": [None if line.medium is None else line.medium.value for line in lines],
    }
    inserted = await session.execute(
        text(
            "INSERT INTO usage_line (id, licensee_id, file_key, line_key, line_no, isrc, iswc, "
            "title, title_key, writers, performers, units, revenue, currency, territory, "
            "period_start, period_end, medium, status, received_at) "
            "SELECT id, :licensee, :file, key, no, isrc, iswc, title, tkey, "
            "COALESCE(string_to_array(NULLIF(writers, ''), '|'), '{}'), "
            "COALESCE(string_to_array(NULLIF(performers, ''), '|'), '{}'), units, revenue, "
            "currency, "
            "territory, pstart, pend, medium, 'QUEUED', :now "
            "FROM unnest(CAST(:id AS uuid[]), CAST(:no AS int[]), CAST(:key AS text[]), "
            "CAST(:isrc AS text[]), CAST(:iswc AS text[]), CAST(:title AS text[]), "
            "CAST(:tkey AS text[]), CAST(:writers AS text[]), CAST(:performers AS text[]), "
            "CAST(:units AS bigint[]), CAST(:revenue AS numeric[]), CAST(:currency AS text[]), "
            "CAST(:territory AS text[]), CAST(:pstart AS date[]), CAST(:pend AS date[]), "
            "CAST(:medium AS text[])) AS t(id, no, key, isrc, iswc, title, tkey, writers, "
            "performers, units, revenue, currency, territory, pstart, pend, medium) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        ),
        {**columns, "licensee": licensee, "file": usage_file, "now": now},
    )
    new_ids = {row[0] for row in inserted}
    new: list[tuple[int, UsageLine, UUID]] = []
    for (number, line), lid in zip(parsed, ids, strict=True):
        if lid in new_ids:
            new_ids.discard(lid)  # a key repeated within the chunk is one line
            new.append((number, line, lid))
    return new


async def _save_outcomes(
    session: AsyncSession,
    results: Sequence[tuple[UUID, UsageLine, Decision, Stated]],
    now: datetime,
) -> None:
    await session.execute(
        text(
            "UPDATE usage_line AS l SET status = t.status, work_id = t.work, method = t.method, "
            "confidence = t.confidence, licence_id = t.licence, royalty = t.royalty, "
            "report_id = t.report, recording_id = t.recording, "
            "matched_at = CASE WHEN t.method IS NULL THEN NULL "
            "ELSE CAST(:now AS timestamptz) END "
            "FROM unnest(CAST(:id AS uuid[]), CAST(:status AS text[]), CAST(:work AS uuid[]), "
            "CAST(:method AS text[]), CAST(:confidence AS numeric[]), CAST(:licence AS uuid[]), "
            "CAST(:royalty AS numeric[]), CAST(:report AS uuid[]), CAST(:recording AS uuid[])) "
            "AS t(id, status, work, method, confidence, licence, royalty, report, recording) "
            "WHERE l.id = t.id"
        ),
        {
            "id": [lid for lid, *_ in results],
            "status": [r.status for *_, r in results],
            "work": [d.work_id for _, _, d, _ in results],
            "method": [None if d.method is None else d.method.value for _, _, d, _ in results],
            "confidence": [d.confidence for _, _, d, _ in results],
            "licence": [r.licence_id for *_, r in results],
            "royalty": [r.royalty for *_, r in results],
            "report": [r.report_id for *_, r in results],
            "recording": [d.recording_id for _, _, d, _ in results],
            "now": now,
        },
    )


# --- matching ----------------------------------------------------------------------------------


async def _by_identifier(session: AsyncSession, column: str, values: set[str]) -> dict[str, UUID]:
    """The matchable work holding each identifier (the smallest id should two hold one)."""
    if not values:
        return {}
    rows = await session.execute(
        text(
            f"SELECT DISTINCT ON ({column}) {column}, id FROM register_work "  # noqa: S608
            f"WHERE {column} = ANY(CAST(:values AS text[])) "
            "AND status = ANY(CAST(:matchable AS text[])) ORDER BY " + column + ", id"
        ),
        {"values": sorted(values), "matchable": list(MATCHABLE)},
    )
    return {row[0]: row[1] for row in rows}


async def _title_candidates(
    session: AsyncSession, keys: Sequence[str], trigram: float
) -> dict[str, list[UUID]]:
    """Per folded title, the matchable works with the nearest title keys, at most
    `CANDIDATES_PER_LINE`: the works with exactly that key in one statement (btree), then for
    the titles left, those sharing at least `trigram` of their trigrams (pg_trgm's `%` through
    the GIN index), most similar first, one statement for all of them."""
    if not keys:
        return {}
    found: dict[str, list[UUID]] = defaultdict(list)
    for key, work_id in await session.execute(
        text(
            "SELECT t.key, t.work_id FROM register_title t JOIN register_work w "
            "ON w.id = t.work_id WHERE t.key = ANY(CAST(:keys AS text[])) "
            "AND w.status = ANY(CAST(:matchable AS text[])) ORDER BY t.key, t.work_id"
        ),
        {"keys": list(keys), "matchable": list(MATCHABLE)},
    ):
        if len(found[key]) < CANDIDATES_PER_LINE and work_id not in found[key]:
            found[key].append(work_id)
    near = [key for key in keys if key not in found]
    if not near:
        return found
    # The planner misjudges how selective `%` is and would compare every title with every
    # line (a sequential scan per line): the GIN index is the only path taken, as the
    # register's search does, for this statement only.
    await session.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', :t, true), "
            "set_config('enable_seqscan', 'off', true)"
        ),
        {"t": str(trigram)},
    )
    rows = await session.execute(
        text(
            "SELECT l.key, c.work_id FROM unnest(CAST(:keys AS text[])) AS l(key) "
            "CROSS JOIN LATERAL (SELECT t.work_id FROM register_title t "
            "WHERE t.key % l.key ORDER BY similarity(t.key, l.key) DESC, t.work_id LIMIT :n) c"
        ),
        {"keys": near, "n": CANDIDATES_PER_LINE},
    )
    await session.execute(text("SELECT set_config('enable_seqscan', 'on', true)"))
    for key, work_id in rows:
        if work_id not in found[key]:
            found[key].append(work_id)
    return found


async def _candidates(session: AsyncSession, work_ids: set[UUID]) -> dict[UUID, Candidate]:
    """The candidate works' title keys and holders' names, two statements for all of them."""
    if not work_ids:
        return {}
    ids = {"ids": list(work_ids)}
    titles: dict[UUID, list[str]] = defaultdict(list)
    # Only matchable works are candidates (the trigram lookup reads titles alone).
    for work_id, key in await session.execute(
        text(
            "SELECT t.work_id, t.key FROM register_title t JOIN register_work w "
            "ON w.id = t.work_id WHERE t.work_id = ANY(CAST(:ids AS uuid[])) "
            "AND w.status = ANY(CAST(:matchable AS text[]))"
        ),
        {**ids, "matchable": list(MATCHABLE)},
    ):
        titles[work_id].append(key)
    names: dict[UUID, list[str]] = defaultdict(list)
    for work_id, name in await session.execute(
        text(
            "SELECT DISTINCT h.work_id, p.name FROM register_holder h "
            "JOIN register_party p ON p.id = h.party_id WHERE h.work_id = ANY(CAST(:ids AS uuid[]))"
        ),
        ids,
    ):
        names[work_id].append(name)
    return {
        w: Candidate(w, tuple(sorted(titles[w])), tuple(sorted(names[w]))) for w in titles
    }


async def _recorded_works(session: AsyncSession, recordings: set[UUID]) -> dict[UUID, UUID]:
    """The matchable musical work each of these recordings records, where it names one."""
    if not recordings:
        return {}
    rows = await session.execute(
        text(
            "SELECT r.id, m.id FROM register_work r JOIN register_work m ON m.id = r.recording_of "
            "WHERE r.id = ANY(CAST(:ids AS uuid[])) AND m.status = ANY(CAST(:matchable AS text[]))"
        ),
        {"ids": list(recordings), "matchable": list(MATCHABLE)},
    )
    return {recording: work for recording, work in rows}


async def _licensed_recorded_works(
    session: AsyncSession, licensee: UUID, lines: Sequence[UsageLine], by_isrc: dict[str, UUID]
) -> list[UUID | None]:
    """Per line, the musical work its ISRC's recording records when the licensee's licence of
    that work covers the line (DOMAIN.md, "Usage lines and matching"), else None."""
    recorded = await _recorded_works(session, set(by_isrc.values()))
    covers = await _covers(session, licensee, set(recorded.values())) if recorded else {}
    found: list[UUID | None] = []
    for ln in lines:
        recording = by_isrc.get(ln.isrc) if ln.isrc else None
        work = recorded.get(recording) if recording else None
        covered = work is not None and licence_for(ln, covers.get(work, [])) is not None
        found.append(work if covered else None)
    return found


async def match_lines(
    session: AsyncSession, matching: Matching, licensee: UUID, lines: Sequence[UsageLine]
) -> list[Decision]:
    """Each line's decision (`domain.matching`), from set-based lookups of the register."""
    by_isrc = await _by_identifier(session, "isrc", {ln.isrc for ln in lines if ln.isrc})
    recorded = await _licensed_recorded_works(session, licensee, lines, by_isrc)
    by_iswc = await _by_identifier(session, "iswc", {ln.iswc for ln in lines if ln.iswc})
    by_title = [
        ln for ln in lines
        if by_isrc.get(ln.isrc or "") is None and by_iswc.get(ln.iswc or "") is None
    ]  # fmt: skip
    near = await _title_candidates(
        session, sorted({ln.title_key for ln in by_title if ln.title_key}), matching.trigram
    )
    candidates = await _candidates(session, {w for ws in near.values() for w in ws})
    return [
        match_line(
            isrc_work=by_isrc.get(ln.isrc or ""),
            iswc_work=by_iswc.get(ln.iswc or ""),
            line_key=ln.title_key,
            writers=ln.writers,
            candidates=[candidates[w] for w in near.get(ln.title_key, []) if w in candidates],
            thresholds=matching.thresholds,
            recorded_work=work,
        )
        for ln, work in zip(lines, recorded, strict=True)
    ]


# --- royalties ---------------------------------------------------------------------------------


def _cover(row: LicenceRow, terminated_on: datetime | None) -> LicenceCover:
    licence = repo.to_licence(row)
    covered = covered_period(
        status=licence.status,
        licence_period=licence.terms.period,
        terminated_on=None if terminated_on is None else terminated_on.astimezone(UTC).date(),
    )
    return LicenceCover(
        id=row.id, work_id=row.work_id, covered=covered,
        territories=frozenset(row.territories), media=frozenset(Medium(m) for m in row.media),
        currency=row.currency, royalty_rate=row.royalty_rate,
    )  # fmt: skip


async def _covers(
    session: AsyncSession, licensee: UUID, work_ids: set[UUID]
) -> dict[UUID, list[LicenceCover]]:
    """The licensee's licences of these works that were ever in force, grouped by work."""
    rows = await repo.licences_of_licensee(
        session, licensee, work_ids, statuses=[s.value for s in REPORTABLE]
    )
    # A TERMINATED licence stops covering on the day it was terminated: the transition
    # stamped `updated_at`, and nothing moves a terminated licence again.
    segments = await licence_history.segments_of(session, rows)
    grouped: dict[UUID, list[LicenceCover]] = defaultdict(list)
    for row in rows:
        ended = row.updated_at if row.status == LicenceStatus.TERMINATED.value else None
        grouped[row.work_id].extend(covers_by_terms(_cover(row, ended), segments[row.id]))
    return grouped


async def state_lines(
    u: UnitOfWork,
    *,
    licensee: UUID,
    usage_file: str,
    items: Sequence[tuple[UUID, UsageLine, UUID]],
    now: datetime,
) -> dict[UUID, Stated]:
    """The royalties of matched lines `(line id, line, work)`: per licence, one line report
    and its statement (DOMAIN.md); a line no licence covers is UNLICENSED."""
    if not items:
        return {}
    covers = await _covers(u.session, licensee, {work for *_, work in items})
    by_licence: dict[UUID, list[tuple[UUID, UsageLine, UUID]]] = defaultdict(list)
    rates: dict[UUID, Decimal] = {}  # each line's rate: its licence's terms over its period
    stated: dict[UUID, Stated] = {}
    for lid, line, work in items:
        cover = licence_for(line, covers.get(work, []))
        if cover is None:
            stated[lid] = Stated(UNLICENSED)
        else:
            by_licence[cover.id].append((lid, line, work))
            rates[lid] = cover.royalty_rate
    if not by_licence:
        return stated
    # Locked in id order: reports of one licence are serialised (recoupment sees them all).
    rows = await repo.lock_licences(u.session, sorted(by_licence, key=str))
    licences = [repo.to_licence(row) for row in rows]
    await deals.lock_pools(u.session, licences)
    pools = await deals.pools_of(u.session, licences)
    histories = await repo.share_histories(u.session, {row.work_id for row in rows})
    owners = await repo.owners_of(u.session, [row.work_id for row in rows])
    disputed = await suspense.disputed_works(u.session, {row.work_id for row in rows})
    made: list[tuple[UsageReportRow, StatementRow]] = []
    for row, licence in zip(rows, licences, strict=True):
        lines = by_licence[row.id]
        exponent = minor_units(licence.terms.currency)
        royalties = {
            lid: royalty_for(line.revenue, rates[lid], exponent) for lid, line, _ in lines
        }
        # Licences of one pool in this chunk recoup in turn, each after the one before.
        pool = pool_key(licence.id, licence.deal)
        figures = recoup(sum(royalties.values(), Decimal(0)), pools[pool], exponent)
        pools[pool] = pools[pool].after(figures)
        period = Period(
            min(line.period.start for _, line, _ in lines),
            max(line.period.end or line.period.start for _, line, _ in lines),
        )
        assert period.end is not None
        usage = ReportedUsage(
            id=uuid.uuid4(), period=period,
            units=sum(line.units for _, line, _ in lines),
            gross=sum((line.revenue for _, line, _ in lines), Decimal(0)),
        )  # fmt: skip
        shares = shares_at(histories[row.work_id], end_of_day(period.end))
        report, statement = repo.usage_rows(
            licence=licence, usage=usage, reported_by=licensee, figures=figures,
            lines=split_payable(figures.payable, shares, exponent), statement_id=uuid.uuid4(),
            now=now, usage_file=usage_file, held=row.work_id in disputed,
            usage_lines=[
                {"line_id": str(lid), "line_key": line.line_key, "work_id": str(work),
                 "units": line.units, "revenue": format(line.revenue, "f"),
                 "royalty": format(royalties[lid], "f")}
                for lid, line, work in lines
            ],
        )  # fmt: skip
        made.append((report, statement))
        u.emit(
            outgoing.usage_reported(report, licence, owners=owners[row.work_id]),
            outgoing.statement_issued(statement, licence),
        )
        for lid, _, _ in lines:
            stated[lid] = Stated(STATED, row.id, royalties[lid], report.id)
    await repo.add_usages(u.session, made)
    await suspense.hold(u.session, [statement for _, statement in made], disputed)
    return stated


# --- claims ------------------------------------------------------------------------------------


def to_usage_line(row: UsageLineRow) -> UsageLine:
    return UsageLine(
        line_key=row.line_key, isrc=row.isrc, iswc=row.iswc, title=row.title,
        writers=tuple(row.writers), performers=tuple(row.performers), units=row.units,
        revenue=row.revenue, currency=row.currency, territory=row.territory,
        period=Period(row.period_start, row.period_end),
        medium=None if row.medium is None else Medium(row.medium),
    )  # fmt: skip


async def may_see_queue(session: AsyncSession, caller: Caller) -> bool:
    """Owners who might claim (a share of a matchable work), examiners and societies."""
    return caller.sees_all or await repo.holds_matchable_share(session, caller.party_id)


async def claim_usage_line(
    *, uow: UnitOfWorkFactory, caller: Caller, line_id: UUID, work_id: UUID
) -> UsageLineRow:
    """An owner of `work_id` claims a queued line for it: the line is matched (CLAIM) and its
    royalty stated as a matched line's would be, once; the claim is recorded on the line
    (who, when) and published (`usage.line_claimed`)."""
    async with uow() as u:
        row = await u.session.get(
            UsageLineRow, line_id, with_for_update=True, populate_existing=True
        )
        if row is None or not (
            row.licensee_id == caller.party_id or await may_see_queue(u.session, caller)
        ):
            raise UnknownUsageLine(f"no usage line {line_id}", field="line_id")
        if row.status != QUEUED:
            raise LineAlreadyMatched(
                f"usage line {line_id} is already matched ({row.status})", field="line_id"
            )
        work = await repo.get_work(u.session, work_id)
        if work is None or work.status not in MATCHABLE:
            raise UnknownWork(f"no registered work {work_id}", field="work_id")
        if caller.party_id not in (await repo.owners_of(u.session, [work_id]))[work_id]:
            raise NotAnOwner("only an owner of the work claims a line for it", field="work_id")
        now = utc_now()
        line = to_usage_line(row)
        result = (
            await state_lines(
                u, licensee=row.licensee_id, usage_file=row.file_key,
                items=[(row.id, line, work_id)], now=now,
            )
        )[row.id]  # fmt: skip
        row.status, row.work_id, row.method = result.status, work_id, MatchMethod.CLAIM.value
        row.confidence, row.licence_id, row.royalty = CERTAIN, result.licence_id, result.royalty
        row.report_id, row.matched_at, row.claimed_by = result.report_id, now, caller.party_id
        u.session.add(row)
        u.emit(
            events.UsageLineClaimed(
                occurred_at=now, licensee_id=row.licensee_id, usage_file=row.file_key,
                line=_line_match(row.id, line, work_id, MatchMethod.CLAIM, CERTAIN, result),
                claimed_by=caller.party_id,
            )
        )  # fmt: skip
        return row


def reads_of(lines: Sequence[dict[str, str | None]]) -> Iterator[Read]:
    """An API batch's lines as a file's reads (line numbers from 1)."""
    for number, cells in enumerate(lines, start=1):
        yield RawLine(number, dict(cells))
