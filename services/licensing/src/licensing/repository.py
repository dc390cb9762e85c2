"""The queries licensing needs, and the mapping between table rows and domain objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.enums import LicenceStatus, Medium, WorkStatus
from sqlalchemy import ColumnElement, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access, events
from licensing.domain.availability import Holding
from licensing.domain.lifecycle import Licence, WorkView
from licensing.domain.royalties import ShareSnapshot
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

# --- the register's read model -------------------------------------------------------------


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


# --- licences ------------------------------------------------------------------------------


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


def licence_values(licence: Licence) -> dict[str, Any]:
    terms = licence.terms
    return {
        "id": licence.id,
        "work_id": licence.work_id,
        "licensor_id": licence.licensor_id,
        "licensee_id": licence.licensee_id,
        "status": licence.status.value,
        "status_reason": licence.status_reason,
        "territories": list(terms.territories),
        "media": [m.value for m in terms.media],
        "exclusive": terms.exclusive,
        "start": terms.period.start,
        "end": terms.period.end,
        "royalty_rate": terms.royalty_rate,
        "advance": terms.advance,
        "currency": terms.currency,
    }


async def get_licence(
    session: AsyncSession, licence_id: UUID, *, for_update: bool = False
) -> LicenceRow | None:
    query = select(LicenceRow).where(col(LicenceRow.id) == licence_id)
    if for_update:
        # populate_existing: the row read under the lock replaces any copy read before it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def active_holdings(
    session: AsyncSession, work_id: UUID, *, excluding: UUID | None = None
) -> list[Holding]:
    query = select(LicenceRow).where(
        col(LicenceRow.work_id) == work_id,
        col(LicenceRow.status) == LicenceStatus.ACTIVE.value,
    )
    if excluding is not None:
        query = query.where(col(LicenceRow.id) != excluding)
    rows = (await session.execute(query)).scalars()
    return [Holding(row.id, to_licence(row).footprint) for row in rows]


async def active_holdings_of(
    session: AsyncSession, work_ids: Sequence[UUID]
) -> dict[UUID, list[Holding]]:
    """The ACTIVE licences of many works in one query, grouped by work."""
    grouped: dict[UUID, list[Holding]] = defaultdict(list)
    if not work_ids:
        return grouped
    query = select(LicenceRow).where(
        col(LicenceRow.work_id).in_(list(work_ids)),
        col(LicenceRow.status) == LicenceStatus.ACTIVE.value,
    )
    for row in (await session.execute(query)).scalars():
        grouped[row.work_id].append(Holding(row.id, to_licence(row).footprint))
    return grouped


async def known_works(session: AsyncSession, work_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these works the register's read model holds."""
    if not work_ids:
        return set()
    query = select(col(RegisterWork.id)).where(col(RegisterWork.id).in_(list(work_ids)))
    return set((await session.execute(query)).scalars())


async def licences_by_ids(session: AsyncSession, ids: Sequence[UUID]) -> list[LicenceRow]:
    if not ids:
        return []
    query = select(LicenceRow).where(col(LicenceRow.id).in_(list(ids)))
    return list((await session.execute(query)).scalars())


def visible_to(party_id: UUID) -> ColumnElement[bool]:
    """SQL condition: the party stands to the licence in one of the ways that
    `contracts.access.LICENCE_READERS` lets read it (`may_see_licence` in SQL)."""
    owned = select(col(RegisterHolder.work_id)).where(
        col(RegisterHolder.party_id) == party_id
    )
    standing: dict[access.Standing, ColumnElement[bool]] = {
        access.Standing.LICENSOR: col(LicenceRow.licensor_id) == party_id,
        access.Standing.LICENSEE: col(LicenceRow.licensee_id) == party_id,
        access.Standing.OWNER: col(LicenceRow.work_id).in_(owned),
    }
    return or_(*(standing[s] for s in sorted(access.LICENCE_READERS)))


async def search_licences(
    session: AsyncSession,
    *,
    viewer: UUID | None,
    work_ids: Sequence[UUID] | None = None,
    status: LicenceStatus | None = None,
    licensee: UUID | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int | None = None,
) -> tuple[list[LicenceRow], int]:
    """Licences the viewer may see (all when `viewer` is None: examiners and societies),
    ordered by (created_at, id); `after` is the last (created_at, id) already returned."""
    conditions = []
    if viewer is not None:
        conditions.append(visible_to(viewer))
    if work_ids is not None:
        conditions.append(col(LicenceRow.work_id).in_(list(work_ids)))
    if status is not None:
        conditions.append(col(LicenceRow.status) == status.value)
    if licensee is not None:
        conditions.append(col(LicenceRow.licensee_id) == licensee)
    total = (
        await session.execute(select(func.count()).select_from(LicenceRow).where(*conditions))
    ).scalar_one()
    query = select(LicenceRow).where(*conditions)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                col(LicenceRow.created_at) > at,
                (col(LicenceRow.created_at) == at) & (col(LicenceRow.id) > last_id),
            )
        )
    query = query.order_by(col(LicenceRow.created_at), col(LicenceRow.id))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.execute(query)).scalars()), int(total)


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


# --- usage and statements ------------------------------------------------------------------


def to_usage(row: UsageReportRow) -> ReportedUsage:
    return ReportedUsage(
        id=row.id,
        period=Period(row.period_start, row.period_end),
        units=row.units,
        gross=row.gross_revenue,
        corrects=row.corrects_report_id,
    )


async def reports_of(session: AsyncSession, licence_ids: Sequence[UUID]) -> list[UsageReportRow]:
    if not licence_ids:
        return []
    query = (
        select(UsageReportRow)
        .where(col(UsageReportRow.licence_id).in_(list(licence_ids)))
        .order_by(col(UsageReportRow.created_at), col(UsageReportRow.id))
    )
    return list((await session.execute(query)).scalars())


async def statements_of(session: AsyncSession, licence_ids: Sequence[UUID]) -> list[StatementRow]:
    if not licence_ids:
        return []
    query = (
        select(StatementRow)
        .where(col(StatementRow.licence_id).in_(list(licence_ids)))
        .order_by(col(StatementRow.issued_at), col(StatementRow.id))
    )
    return list((await session.execute(query)).scalars())


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
