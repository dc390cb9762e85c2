"""Suspense while a work is disputed (DOMAIN.md): holding the statements issued while the
register shows their work `DISPUTED`, and releasing them when the dispute is resolved.

Commands that issue statements ask `disputed_works` (under a share lock on the works' register
rows) and record `hold` beside the statements; the register consumer calls `release` in the
unit of work that applies the `work.dispute_resolved`, after the work's row is written. The
lock makes the two meet in one order: a statement is issued before the resolution commits
(and is then held and released by it) or after (and is not held).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.enums import WorkStatus
from contracts.money import minor_units
from contracts.times import utc_now
from runtime.uow import UnitOfWork
from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing.domain.snapshots import Stamp
from licensing.domain.suspense import RELEASE, Hold, Release, in_suspense, releases
from licensing.models import LicenceRow, RegisterWork, StatementHoldRow, StatementRow


async def disputed_works(session: AsyncSession, work_ids: Iterable[UUID]) -> dict[UUID, Stamp]:
    """The works among these that the register shows DISPUTED, with the snapshot they are
    disputed under; their rows stay share-locked until the caller's transaction ends."""
    query = (
        select(col(RegisterWork.id), col(RegisterWork.version), col(RegisterWork.last_event_at))
        .where(
            col(RegisterWork.id).in_(sorted(set(work_ids), key=str)),
            col(RegisterWork.status) == WorkStatus.DISPUTED.value,
        )
        .order_by(col(RegisterWork.id))
        .with_for_update(read=True)
    )
    return {
        work_id: Stamp(version=version, occurred_at=at)
        for work_id, version, at in await session.execute(query)
    }


async def hold(
    session: AsyncSession, statements: Iterable[StatementRow], disputed: Mapping[UUID, Stamp]
) -> None:
    """Records each statement of a disputed work as held (its lines say so already)."""
    held = [s for s in statements if s.work_id in disputed]
    if not held:
        return
    await session.flush()  # the holds' foreign keys need the statements' rows first
    session.add_all(
        StatementHoldRow(
            statement_id=s.id,
            work_id=s.work_id,
            licence_id=s.licence_id,
            held_version=disputed[s.work_id].version,
            held_event_at=disputed[s.work_id].occurred_at,
        )
        for s in held
    )


def held_lines(lines: Iterable[dict[str, str]], held: bool) -> list[dict[str, object]]:
    """A statement's lines as stored: each marked `held` when the statement is."""
    return [{**line, "held": True} if held else dict(line) for line in lines]


async def unreleased(
    session: AsyncSession, work_ids: Sequence[UUID], *, for_update: bool = False
) -> dict[UUID, list[Hold]]:
    """Each work's holds not yet released (with what their statements pay), by work."""
    query = (
        select(StatementHoldRow, StatementRow)
        .join(StatementRow, col(StatementRow.id) == col(StatementHoldRow.statement_id))
        .where(
            col(StatementHoldRow.work_id).in_(list(work_ids)),
            col(StatementHoldRow.release_id).is_(None),
        )
        .order_by(col(StatementHoldRow.statement_id))
    )
    if for_update:
        query = query.with_for_update(of=StatementHoldRow)
    found: dict[UUID, list[Hold]] = {work_id: [] for work_id in work_ids}
    for held, statement in await session.execute(query):
        found[held.work_id].append(
            Hold(
                statement_id=statement.id,
                licence_id=statement.licence_id,
                currency=statement.currency,
                payable=statement.payable,
                period_start=statement.period_start,
                period_end=statement.period_end,
                held_under=Stamp(version=held.held_version, occurred_at=held.held_event_at),
            )
        )
    return found


async def amounts_in_suspense(
    session: AsyncSession, work_ids: Sequence[UUID]
) -> dict[UUID, dict[str, Decimal]]:
    """Per work, the amount held in suspense per currency."""
    return {
        work_id: in_suspense(holds)
        for work_id, holds in (await unreleased(session, work_ids)).items()
    }


async def release(uow: UnitOfWork, resolution: events.WorkDisputeResolved) -> None:
    """Releases what the work held before this resolution: one RELEASE statement per licence,
    split among the owners it names, each hold linked to its release, each release
    published; in the caller's unit of work, so it happens once with the event's claim."""
    session = uow.session
    work = resolution.work
    holds = (await unreleased(session, [work.id], for_update=True))[work.id]
    if not holds:
        return
    owners: dict[UUID, Decimal] = {}
    for holder in work.rights_holders:
        owners[holder.party_id] = owners.get(holder.party_id, Decimal(0)) + holder.share
    made = releases(
        holds,
        resolution=Stamp(version=resolution.version, occurred_at=resolution.occurred_at),
        owners=owners,
        exponent_of=minor_units,
    )
    if not made:
        return
    now = utc_now()
    licences = {
        row.id: row
        for row in (
            await session.execute(
                select(LicenceRow).where(col(LicenceRow.id).in_([r.licence_id for r in made]))
            )
        ).scalars()
    }
    held_parties = await _held_parties(session, [s for r in made for s in r.releases])
    rows = [_release_row(r, work.id, now) for r in made]
    session.add_all(rows)
    await session.flush()
    for row, made_release in zip(rows, made, strict=True):
        await session.execute(
            update(StatementHoldRow)
            .where(
                col(StatementHoldRow.statement_id).in_(list(made_release.releases)),
                col(StatementHoldRow.release_id).is_(None),
            )
            .values(release_id=row.id, released_at=now)
        )
        uow.emit(
            events.RoyaltyStatementReleased(
                occurred_at=now,
                statement=events.ReleaseStatement.model_validate(
                    {**row.model_dump(), "releases": list(made_release.releases)}
                ),
                licensee_id=licences[row.licence_id].licensee_id,
                held_party_ids=sorted(
                    {p for s in made_release.releases for p in held_parties[s]}, key=str
                ),
            )
        )


def _release_row(made: Release, work_id: UUID, now: datetime) -> StatementRow:
    zero = Decimal(0)
    return StatementRow.model_validate(
        {
            "id": uuid.uuid4(), "licence_id": made.licence_id, "work_id": work_id,
            "kind": RELEASE, "report_id": None, "period_start": made.period_start,
            "period_end": made.period_end, "gross": zero, "royalty": zero, "recouped": zero,
            "payable": made.payable, "currency": made.currency,
            "lines": [
                {"party_id": str(line.party_id), "share": str(line.share),
                 "amount": str(line.amount)}
                for line in made.lines
            ],
            "issued_at": now,
        }
    )  # fmt: skip


async def _held_parties(
    session: AsyncSession, statement_ids: Sequence[UUID]
) -> dict[UUID, set[UUID]]:
    """The parties on each held statement's lines."""
    rows = await session.execute(
        select(col(StatementRow.id), col(StatementRow.lines)).where(
            col(StatementRow.id).in_(list(statement_ids))
        )
    )
    return {sid: {UUID(line["party_id"]) for line in lines} for sid, lines in rows}


async def releases_of(
    session: AsyncSession, statement_ids: Sequence[UUID]
) -> dict[UUID, tuple[UUID | None, list[UUID]]]:
    """For each statement: the release that released it (when it was held and released), and
    the statements it releases (when it is a release)."""
    released_by: dict[UUID, UUID | None] = {}
    released: dict[UUID, list[UUID]] = {sid: [] for sid in statement_ids}
    ids = list(statement_ids)
    rows = await session.execute(
        select(col(StatementHoldRow.statement_id), col(StatementHoldRow.release_id)).where(
            col(StatementHoldRow.statement_id).in_(ids) | col(StatementHoldRow.release_id).in_(ids)
        )
    )
    for statement_id, release_id in rows:
        if statement_id in released:
            released_by[statement_id] = release_id
        if release_id in released:
            released[release_id].append(statement_id)
    return {sid: (released_by.get(sid), sorted(released[sid], key=str)) for sid in ids}
