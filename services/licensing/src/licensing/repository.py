"""The write side's SQL: loading and saving licences, usage and statements, the register
facts a command decides on, and the register read model's set-based writes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.enums import LicenceStatus, Medium, WorkStatus
from sqlalchemy import TextClause, func, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing.domain.availability import Holding
from licensing.domain.lifecycle import Licence, WorkView
from licensing.domain.royalties import Figures, Line, ShareSnapshot
from licensing.domain.snapshots import Stamp
from licensing.domain.terms import Period, Terms
from licensing.domain.usage import ReportedUsage
from licensing.models import (
    LicenceEventRow,
    LicenceRow,
    RegisterHolder,
    RegisterParty,
    RegisterShares,
    RegisterWork,
    StatementRow,
    UsageReportRow,
)

# --- the register, as commands read it -------------------------------------------------------


async def get_work(
    session: AsyncSession, work_id: UUID, *, for_update: bool = False
) -> RegisterWork | None:
    query = select(RegisterWork).where(col(RegisterWork.id) == work_id)
    if for_update:
        # populate_existing: the row read under the lock replaces any copy read before it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def owners_of(session: AsyncSession, work_ids: Iterable[UUID]) -> dict[UUID, set[UUID]]:
    ids = list(set(work_ids))
    owners: dict[UUID, set[UUID]] = defaultdict(set)
    if not ids:
        return owners
    rows = await session.execute(
        select(col(RegisterHolder.work_id), col(RegisterHolder.party_id)).where(
            col(RegisterHolder.work_id).in_(ids)
        )
    )
    for work_id, party_id in rows:
        owners[work_id].add(party_id)
    return owners


async def work_view(
    session: AsyncSession, work_id: UUID, *, for_update: bool = False
) -> WorkView | None:
    work = await get_work(session, work_id, for_update=for_update)
    if work is None:
        return None
    owners = (await owners_of(session, [work_id]))[work_id]
    return WorkView(id=work.id, status=WorkStatus(work.status), owners=frozenset(owners))


async def party_known(session: AsyncSession, party_id: UUID) -> bool:
    found = await session.execute(
        select(col(RegisterParty.id)).where(col(RegisterParty.id) == party_id)
    )
    return found.first() is not None


async def share_history(session: AsyncSession, work_id: UUID) -> list[ShareSnapshot]:
    rows = (
        await session.execute(
            select(RegisterShares)
            .where(col(RegisterShares.work_id) == work_id)
            .order_by(col(RegisterShares.effective_from))
        )
    ).scalars()
    return [
        ShareSnapshot(
            effective_from=row.effective_from,
            shares={UUID(party): Decimal(share) for party, share in row.shares.items()},
        )
        for row in rows
    ]


# --- licences --------------------------------------------------------------------------------


def to_licence(row: LicenceRow) -> Licence:
    return Licence(
        id=row.id,
        work_id=row.work_id,
        licensor_id=row.licensor_id,
        licensee_id=row.licensee_id,
        status=LicenceStatus(row.status),
        status_reason=row.status_reason,
        terms=Terms(
            territories=tuple(row.territories),
            media=tuple(Medium(m) for m in row.media),
            exclusive=row.exclusive,
            period=Period(row.start, row.end),
            royalty_rate=row.royalty_rate,
            advance=row.advance,
            currency=row.currency,
        ),
    )


async def get_licence(
    session: AsyncSession, licence_id: UUID, *, for_update: bool = False
) -> LicenceRow | None:
    query = select(LicenceRow).where(col(LicenceRow.id) == licence_id)
    if for_update:
        # populate_existing: the row read under the lock replaces any copy read before it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


def add_licence(session: AsyncSession, licence: Licence, now: datetime) -> LicenceRow:
    terms = licence.terms
    row = LicenceRow(
        id=licence.id,
        work_id=licence.work_id,
        licensor_id=licence.licensor_id,
        licensee_id=licence.licensee_id,
        status=licence.status.value,
        status_reason=licence.status_reason,
        territories=list(terms.territories),
        media=[m.value for m in terms.media],
        exclusive=terms.exclusive,
        start=terms.period.start,
        end=terms.period.end,
        royalty_rate=terms.royalty_rate,
        advance=terms.advance,
        currency=terms.currency,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    return row


def save_transition(row: LicenceRow, licence: Licence, now: datetime) -> None:
    """Only the status moves once a licence is offered: its terms are what was agreed."""
    row.status = licence.status.value
    row.status_reason = licence.status_reason
    row.updated_at = now


async def active_holdings_of(
    session: AsyncSession, work_ids: Sequence[UUID], *, excluding: UUID | None = None
) -> dict[UUID, list[Holding]]:
    """The ACTIVE licences of these works, grouped by work."""
    grouped: dict[UUID, list[Holding]] = defaultdict(list)
    if not work_ids:
        return grouped
    query = select(LicenceRow).where(
        col(LicenceRow.work_id).in_(list(work_ids)),
        col(LicenceRow.status) == LicenceStatus.ACTIVE.value,
    )
    if excluding is not None:
        query = query.where(col(LicenceRow.id) != excluding)
    for row in (await session.execute(query)).scalars():
        grouped[row.work_id].append(Holding(row.id, to_licence(row).footprint))
    return grouped


async def active_holdings(
    session: AsyncSession, work_id: UUID, *, excluding: UUID | None = None
) -> list[Holding]:
    return (await active_holdings_of(session, [work_id], excluding=excluding))[work_id]


async def due_to_expire(session: AsyncSession, today: date) -> list[UUID]:
    query = select(col(LicenceRow.id)).where(
        col(LicenceRow.status) == LicenceStatus.ACTIVE.value,
        col(LicenceRow.end) < today,
    )
    return list((await session.execute(query)).scalars())


async def terminated_at(session: AsyncSession, licence_id: UUID) -> datetime | None:
    """When the licence was terminated, from its timeline (None if it never was)."""
    query = select(func.min(col(LicenceEventRow.at))).where(
        col(LicenceEventRow.licence_id) == licence_id,
        col(LicenceEventRow.type) == events.LicenceTerminated.ce_type,
    )
    found: datetime | None = (await session.execute(query)).scalar_one()
    return found


# --- usage and statements --------------------------------------------------------------------


async def usage_of(session: AsyncSession, licence_id: UUID) -> list[ReportedUsage]:
    """Every report of the licence, corrections included, oldest first."""
    query = (
        select(UsageReportRow)
        .where(col(UsageReportRow.licence_id) == licence_id)
        .order_by(col(UsageReportRow.created_at), col(UsageReportRow.id))
    )
    return [
        ReportedUsage(
            id=row.id,
            period=Period(row.period_start, row.period_end),
            units=row.units,
            gross=row.gross_revenue,
            corrects=row.corrects_report_id,
        )
        for row in (await session.execute(query)).scalars()
    ]


async def stated_totals(session: AsyncSession, licence_id: UUID) -> tuple[Decimal, Decimal]:
    """Sum of royalties and of payable over the licence's statements so far."""
    royalties, payable = (
        await session.execute(
            select(
                func.coalesce(func.sum(col(StatementRow.royalty)), 0),
                func.coalesce(func.sum(col(StatementRow.payable)), 0),
            ).where(col(StatementRow.licence_id) == licence_id)
        )
    ).one()
    return Decimal(royalties), Decimal(payable)


async def add_usage(
    session: AsyncSession,
    *,
    licence: Licence,
    usage: ReportedUsage,
    reported_by: UUID,
    figures: Figures,
    lines: Sequence[Line],
    statement_id: UUID,
    now: datetime,
) -> tuple[UsageReportRow, StatementRow]:
    """The report and its statement; both immutable from here on (a trigger refuses changes)."""
    assert usage.period.end is not None  # a report always covers whole dates
    report = UsageReportRow(
        id=usage.id,
        licence_id=licence.id,
        period_start=usage.period.start,
        period_end=usage.period.end,
        units=usage.units,
        gross_revenue=usage.gross,
        corrects_report_id=usage.corrects,
        reported_by=reported_by,
        created_at=now,
    )
    statement = StatementRow(
        id=statement_id,
        licence_id=licence.id,
        work_id=licence.work_id,
        report_id=report.id,
        period_start=usage.period.start,
        period_end=usage.period.end,
        gross=usage.gross,
        royalty=figures.royalty,
        recouped=figures.recouped,
        payable=figures.payable,
        currency=licence.terms.currency,
        lines=[
            {"party_id": str(line.party_id), "share": str(line.share), "amount": str(line.amount)}
            for line in lines
        ],
        issued_at=now,
    )
    session.add(report)
    await session.flush()  # the statement's foreign key needs the report row first
    session.add(statement)
    return report, statement


# --- the register read model's writes (handlers.py decides what they hold) --------------------

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
     ("filing_number", "text"), ("registration_number", "text"), *_SNAPSHOT],
)  # fmt: skip


def _columns(snapshots: Sequence[tuple[Stamp, UUID, dict[str, Any]]]) -> dict[str, list[Any]]:
    """Parallel arrays, one per column, of `(stamp, event id, values)` snapshots."""
    columns: dict[str, list[Any]] = defaultdict(list)
    for stamp, event_id, values in snapshots:
        for name, value in values.items():
            columns[name].append(value)
        columns["version"].append(stamp.version)
        columns["last_event_at"].append(stamp.occurred_at)
        columns["last_event_id"].append(event_id)
    return columns


async def upsert_parties(
    session: AsyncSession, parties: Sequence[tuple[Stamp, UUID, events.PartyState]]
) -> None:
    await session.execute(
        _UPSERT_PARTIES,
        _columns([
            (stamp, event_id, {"id": p.id, "name": p.name, "kind": p.kind.value,
                               "country": p.country})
            for stamp, event_id, p in parties
        ]),
    )  # fmt: skip


async def work_stamps(session: AsyncSession, work_ids: Sequence[UUID]) -> dict[UUID, Stamp]:
    """The snapshot each of these works holds now."""
    query = select(
        col(RegisterWork.id), col(RegisterWork.version), col(RegisterWork.last_event_at)
    ).where(col(RegisterWork.id).in_(list(work_ids)))
    return {
        work_id: Stamp(version=version, occurred_at=at)
        for work_id, version, at in await session.execute(query)
    }


async def latest_shares(
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


async def replace_works(
    session: AsyncSession, works: Sequence[tuple[Stamp, UUID, events.WorkState]]
) -> None:
    """Stores each work's newest snapshot and its rights holders in place of the old ones."""
    await session.execute(
        _UPSERT_WORKS,
        _columns([
            (stamp, event_id, {"id": w.id, "title": w.title, "kind": w.kind.value,
                               "status": w.status.value, "filing_number": w.filing_number,
                               "registration_number": w.registration_number})
            for stamp, event_id, w in works
        ]),
    )  # fmt: skip
    await session.execute(
        text("DELETE FROM register_holder WHERE work_id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": [w.id for _, _, w in works]},
    )
    holders = [(w.id, h) for _, _, w in works for h in w.rights_holders]
    await session.execute(
        text(
            "INSERT INTO register_holder (work_id, party_id, role, share) "
            "SELECT * FROM unnest(CAST(:w AS uuid[]), CAST(:p AS uuid[]), CAST(:r AS text[]), "
            "CAST(:s AS numeric[]))"
        ),
        {
            "w": [work_id for work_id, _ in holders],
            "p": [h.party_id for _, h in holders],
            "r": [h.role.value for _, h in holders],
            "s": [h.share for _, h in holders],
        },
    )


async def add_share_history(
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
