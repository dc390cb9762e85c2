"""The read side: every query the licensing API answers, each limited to what the caller may
see (`domain.access`); a licence the caller may not see is absent, never forbidden."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar
from uuid import UUID

from contracts.enums import LicenceStatus, WorkStatus
from contracts.times import utc_now
from runtime.cursors import decode_cursor, encode_cursor
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import access
from licensing import history_repository, line_usage, suspense
from licensing import repository as repo
from licensing.domain import history
from licensing.domain import suspense as suspense_rules
from licensing.domain.access import Caller, can_see_licence
from licensing.domain.availability import AvailabilityConflict, Footprint, find_conflicts
from licensing.domain.errors import UnknownLicence, UnknownUsageLine, UnknownWork
from licensing.history_commands import AsOf
from licensing.models import (
    AdvancePaymentRow,
    LicenceEventRow,
    LicenceRow,
    MandateRow,
    OwnerConsentRow,
    RegisterHolder,
    RegisterWork,
    StatementRow,
    UsageLineRow,
    UsageReportRow,
)

UnderLicence = TypeVar("UnderLicence", UsageReportRow, StatementRow, LicenceEventRow)

# --- licences --------------------------------------------------------------------------------


def visible_to(party_id: UUID) -> ColumnElement[bool]:
    """`domain.access.can_see_licence` as an SQL condition, for queries that page in the
    database: one clause per way of standing that `contracts.access.LICENCE_READERS` lets read."""
    owned = select(col(RegisterHolder.work_id)).where(col(RegisterHolder.party_id) == party_id)
    standing: dict[access.Standing, ColumnElement[bool]] = {
        access.Standing.LICENSOR: col(LicenceRow.licensor_id) == party_id,
        access.Standing.LICENSEE: col(LicenceRow.licensee_id) == party_id,
        access.Standing.OWNER: col(LicenceRow.work_id).in_(owned),
    }
    return or_(*(standing[s] for s in sorted(access.LICENCE_READERS)))


async def visible_licences(
    session: AsyncSession, caller: Caller, ids: Sequence[UUID]
) -> list[LicenceRow]:
    if not ids:
        return []
    rows = (
        await session.execute(select(LicenceRow).where(col(LicenceRow.id).in_(list(ids))))
    ).scalars()
    found = list(rows)
    owners = {} if caller.sees_all else await repo.owners_of(session, [r.work_id for r in found])
    return [
        r
        for r in found
        if can_see_licence(
            caller,
            licensee_id=r.licensee_id,
            licensor_id=r.licensor_id,
            owners=owners.get(r.work_id, ()),
        )
    ]


async def licence(session: AsyncSession, caller: Caller, licence_id: UUID) -> LicenceRow:
    found = await visible_licences(session, caller, [licence_id])
    if not found:
        raise UnknownLicence(f"no licence {licence_id}", field="licence_id")
    return found[0]


@dataclass(frozen=True)
class Page:
    items: list[LicenceRow]
    next_cursor: str | None
    total_count: int


def _conditions(
    caller: Caller,
    *,
    work_ids: Sequence[UUID] | None,
    status: LicenceStatus | None,
    licensee: UUID | None = None,
) -> list[ColumnElement[bool]]:
    conditions = [] if caller.sees_all else [visible_to(caller.party_id)]
    if work_ids is not None:
        conditions.append(col(LicenceRow.work_id).in_(list(work_ids)))
    if status is not None:
        conditions.append(col(LicenceRow.status) == status.value)
    if licensee is not None:
        conditions.append(col(LicenceRow.licensee_id) == licensee)
    return conditions


_ORDER = (col(LicenceRow.created_at), col(LicenceRow.id))


async def search_licences(
    session: AsyncSession,
    caller: Caller,
    *,
    work_id: UUID | None,
    status: LicenceStatus | None,
    as_licensee: bool,
    first: int,
    after: str | None,
) -> Page:
    """A page of the licences the caller may see, in (created_at, id) order."""
    conditions = _conditions(
        caller,
        work_ids=None if work_id is None else [work_id],
        status=status,
        licensee=caller.party_id if as_licensee else None,
    )
    total = (
        await session.execute(select(func.count()).select_from(LicenceRow).where(*conditions))
    ).scalar_one()
    query = select(LicenceRow).where(*conditions)
    if after is not None:
        at, last_id = decode_cursor(after, (datetime, UUID))
        query = query.where(
            or_(
                col(LicenceRow.created_at) > at,
                (col(LicenceRow.created_at) == at) & (col(LicenceRow.id) > last_id),
            )
        )
    rows = list((await session.execute(query.order_by(*_ORDER).limit(first + 1))).scalars())
    page = rows[:first]
    more = len(rows) > first
    cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
    return Page(items=page, next_cursor=cursor, total_count=int(total))


async def licences_by_work(
    session: AsyncSession, caller: Caller, *, work_ids: Sequence[UUID], status: LicenceStatus | None
) -> dict[UUID, list[LicenceRow]]:
    query = select(LicenceRow).where(*_conditions(caller, work_ids=work_ids, status=status))
    grouped: dict[UUID, list[LicenceRow]] = defaultdict(list)
    for row in (await session.execute(query.order_by(*_ORDER))).scalars():
        grouped[row.work_id].append(row)
    return dict(grouped)


# --- availability ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """The ACTIVE licences an offer would conflict with; `shown` are those the caller may see
    (the others still block, but their ids are withheld: DOMAIN.md, Access)."""

    conflicts: list[AvailabilityConflict]
    shown: frozenset[UUID]


async def availability_of_works(
    session: AsyncSession,
    caller: Caller,
    *,
    work_ids: Sequence[UUID],
    footprint: Footprint,
    as_of: AsOf = AsOf(),
) -> dict[UUID, Availability]:
    """Availability of many works at once; works the register does not know are left out."""
    if not work_ids:
        return {}
    query = select(col(RegisterWork.id)).where(col(RegisterWork.id).in_(list(work_ids)))
    known = [w for w in work_ids if w in set((await session.execute(query)).scalars())]
    if as_of.today:
        holdings = await repo.active_holdings_of(session, known)
    else:
        snapshots = await history_repository.snapshots_known_at(
            session, known, as_of.known_at or utc_now()
        )
        holdings = {w: history.holdings(snapshots.get(w, []), as_of=as_of.day) for w in known}
    conflicts = {w: find_conflicts(footprint, holdings.get(w, [])) for w in known}
    ids = list({c.licence_id for found in conflicts.values() for c in found})
    shown = frozenset(row.id for row in await visible_licences(session, caller, ids))
    return {w: Availability(conflicts=found, shown=shown) for w, found in conflicts.items()}


async def availability(
    session: AsyncSession,
    caller: Caller,
    *,
    work_id: UUID,
    footprint: Footprint,
    as_of: AsOf = AsOf(),
) -> Availability:
    """The single-work answer: an unknown work is an error here, where a batch leaves it out."""
    found = await availability_of_works(
        session, caller, work_ids=[work_id], footprint=footprint, as_of=as_of
    )
    if work_id not in found:
        raise UnknownWork(f"no work {work_id} in the register", field="work_id")
    return found[work_id]


# --- what happened under a licence ------------------------------------------------------------


@dataclass(frozen=True)
class RowsUnderLicence(Generic[UnderLicence]):
    """A query over one table of what happened under licences: the rows under those of the
    asked licences the caller may see, grouped by licence, in time order (`by`, then id)."""

    table: type[UnderLicence]
    by: Mapped[datetime]

    async def __call__(
        self, session: AsyncSession, caller: Caller, licence_ids: Sequence[UUID]
    ) -> dict[UUID, list[UnderLicence]]:
        visible = [r.id for r in await visible_licences(session, caller, licence_ids)]
        grouped: dict[UUID, list[UnderLicence]] = defaultdict(list)
        if visible:
            licence_id = col(self.table.licence_id)
            query = (
                select(licence_id, self.table)
                .where(licence_id.in_(visible))
                .order_by(self.by, col(self.table.id))
            )
            for key, row in await session.execute(query):
                grouped[key].append(row)
        return dict(grouped)


usage_reports = RowsUnderLicence(UsageReportRow, by=col(UsageReportRow.created_at))
statements = RowsUnderLicence(StatementRow, by=col(StatementRow.issued_at))
licence_events = RowsUnderLicence(LicenceEventRow, by=col(LicenceEventRow.at))


@dataclass(frozen=True)
class Suspense:
    """A work's suspense (DOMAIN.md): whether statements issued now are held (the register
    shows it disputed), and the amounts held per currency."""

    holding: bool
    amounts: dict[str, Decimal]


async def in_suspense(
    session: AsyncSession, caller: Caller, work_ids: Sequence[UUID]
) -> dict[UUID, Suspense]:
    """The suspense of each known work, its amounts over the licences the caller may see: a
    statement, held or not, is visible exactly when its licence is."""
    rows = await session.execute(
        select(col(RegisterWork.id), col(RegisterWork.status)).where(
            col(RegisterWork.id).in_(list(work_ids))
        )
    )
    statuses = {work_id: status for work_id, status in rows}
    known = [w for w in work_ids if w in statuses]
    held = await suspense.unreleased(session, known)
    licence_ids = {hold.licence_id for holds in held.values() for hold in holds}
    seen = {r.id for r in await visible_licences(session, caller, sorted(licence_ids, key=str))}
    return {
        work_id: Suspense(
            holding=statuses[work_id] == WorkStatus.DISPUTED.value,
            amounts=suspense_rules.in_suspense([h for h in holds if h.licence_id in seen]),
        )
        for work_id, holds in held.items()
    }


# --- usage lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinePage:
    items: list[UsageLineRow]
    next_cursor: str | None
    # Whether the caller sees the lines' revenue (the licensee, examiners, societies).
    shows_revenue: bool


async def queued_lines(
    session: AsyncSession,
    caller: Caller,
    *,
    first: int,
    after: str | None,
    own: bool = False,
) -> LinePage:
    """The queue of lines waiting for a claim, oldest first (DOMAIN.md, "Usage lines and
    matching"): all of it to owners who might claim, examiners and societies; `own`, or to
    anyone else, only the caller's own lines as licensee."""
    query = select(UsageLineRow).where(col(UsageLineRow.status) == "QUEUED")
    everyone = not own and await line_usage.may_see_queue(session, caller)
    if not everyone:
        query = query.where(col(UsageLineRow.licensee_id) == caller.party_id)
    if after is not None:
        at, last_id = decode_cursor(after, (datetime, UUID))
        query = query.where(
            or_(
                col(UsageLineRow.received_at) > at,
                (col(UsageLineRow.received_at) == at) & (col(UsageLineRow.id) > last_id),
            )
        )
    order = (col(UsageLineRow.received_at), col(UsageLineRow.id))
    rows = list((await session.execute(query.order_by(*order).limit(first + 1))).scalars())
    page = rows[:first]
    cursor = encode_cursor(page[-1].received_at, page[-1].id) if len(rows) > first else None
    return LinePage(page, cursor, shows_revenue=caller.sees_all or not everyone)


async def usage_line(session: AsyncSession, caller: Caller, line_id: UUID) -> UsageLineRow:
    """One line, to its licensee, or to whoever may see the queue while it waits in it, or
    to whoever may see the licence whose statement pays for it."""
    row = await session.get(UsageLineRow, line_id)
    if row is not None and (
        row.licensee_id == caller.party_id
        or (row.status == "QUEUED" and await line_usage.may_see_queue(session, caller))
        or (row.licence_id is not None and await _sees_licence(session, caller, row.licence_id))
    ):
        return row
    raise UnknownUsageLine(f"no usage line {line_id}", field="line_id")


async def _sees_licence(session: AsyncSession, caller: Caller, licence_id: UUID) -> bool:
    return bool(await visible_licences(session, caller, [licence_id]))


async def advance_payments(
    session: AsyncSession, statement_ids: Sequence[UUID]
) -> dict[UUID, AdvancePaymentRow]:
    """The payments the given ADVANCE statements record, by statement id (the caller has
    already been shown the statements)."""
    if not statement_ids:
        return {}
    query = select(AdvancePaymentRow).where(
        col(AdvancePaymentRow.statement_id).in_(list(statement_ids))
    )
    return {row.statement_id: row for row in (await session.execute(query)).scalars()}


# --- co-owners' consent and mandates (DOMAIN.md) ---------------------------------------------


async def owner_consents(
    session: AsyncSession, caller: Caller, licence_ids: Sequence[UUID]
) -> dict[UUID, list[OwnerConsentRow]]:
    """The owners each visible licence needed and how they agreed (none: a non-exclusive
    licence, or one offered before consent was asked)."""
    visible = [r.id for r in await visible_licences(session, caller, licence_ids)]
    grouped: dict[UUID, list[OwnerConsentRow]] = defaultdict(list)
    if visible:
        query = (
            select(OwnerConsentRow)
            .where(col(OwnerConsentRow.licence_id).in_(visible))
            .order_by(col(OwnerConsentRow.licence_id), col(OwnerConsentRow.party_id))
        )
        for row in (await session.execute(query)).scalars():
            grouped[row.licence_id].append(row)
    return dict(grouped)


async def mandates_of(session: AsyncSession, caller: Caller) -> list[MandateRow]:
    """The mandates the caller granted or holds, newest first."""
    query = (
        select(MandateRow)
        .where(
            or_(
                col(MandateRow.grantor_id) == caller.party_id,
                col(MandateRow.agent_id) == caller.party_id,
            )
        )
        .order_by(col(MandateRow.granted_at).desc(), col(MandateRow.id))
    )
    return list((await session.execute(query)).scalars())
