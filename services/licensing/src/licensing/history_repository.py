"""The SQL of licence versions and the licence history (DOMAIN.md, "Licence history" and
"Amendments and renewals"): loading the segments a licence's agreed versions give, saving
proposals, appending history rows, and reading the history as known at an instant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.enums import LicenceStatus, Medium
from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from licensing.domain.amendments import Proposal, ProposalKind, ProposalState, Side
from licensing.domain.history import Segment, Snapshot, VersionTerms, segments
from licensing.domain.terms import Period
from licensing.models import LicenceHistoryRow, LicenceRow, LicenceVersionRow

# --- versions ----------------------------------------------------------------------------------


def to_proposal(row: LicenceVersionRow) -> Proposal:
    return Proposal(
        licence_id=row.licence_id,
        number=row.number,
        kind=ProposalKind(row.kind),
        terms=VersionTerms(
            effective_from=row.effective_from,
            end=row.end,
            territories=tuple(row.territories),
            media=tuple(Medium(m) for m in row.media),
            exclusive=row.exclusive,
            royalty_rate=row.royalty_rate,
        ),
        proposed_by=row.proposed_by,
        side=Side(row.side),
        state=ProposalState(row.state),
        decided_by=row.decided_by,
    )


def add_version(session: AsyncSession, proposal: Proposal, now: datetime) -> LicenceVersionRow:
    t = proposal.terms
    row = LicenceVersionRow(
        licence_id=proposal.licence_id,
        number=proposal.number,
        kind=proposal.kind.value,
        state=proposal.state.value,
        effective_from=t.effective_from,
        end=t.end,
        territories=list(t.territories),
        media=[m.value for m in t.media],
        exclusive=t.exclusive,
        royalty_rate=t.royalty_rate,
        proposed_by=proposal.proposed_by,
        side=proposal.side.value,
        proposed_at=now,
        decided_by=proposal.decided_by,
        decided_at=None,
    )
    session.add(row)
    return row


def save_answer(row: LicenceVersionRow, answered: Proposal, now: datetime) -> None:
    row.state = answered.state.value
    row.decided_by = answered.decided_by
    row.decided_at = now


async def versions_of(
    session: AsyncSession, licence_ids: Sequence[UUID]
) -> dict[UUID, list[LicenceVersionRow]]:
    """Every version of these licences, by number."""
    grouped: dict[UUID, list[LicenceVersionRow]] = defaultdict(list)
    if not licence_ids:
        return grouped
    query = (
        select(LicenceVersionRow)
        .where(col(LicenceVersionRow.licence_id).in_(list(licence_ids)))
        .order_by(col(LicenceVersionRow.licence_id), col(LicenceVersionRow.number))
    )
    for row in (await session.execute(query)).scalars():
        grouped[row.licence_id].append(row)
    return grouped


async def get_version(
    session: AsyncSession, licence_id: UUID, number: int, *, for_update: bool = False
) -> LicenceVersionRow | None:
    return await session.get(
        LicenceVersionRow, (licence_id, number), with_for_update=for_update,
        populate_existing=for_update,
    )  # fmt: skip


def agreed_segments(rows: Sequence[LicenceVersionRow]) -> tuple[Segment, ...]:
    return segments(
        [to_proposal(r).terms for r in rows if r.state == ProposalState.ACCEPTED.value]
    )


def row_segments(row: LicenceRow) -> tuple[Segment, ...]:
    """A never-amended licence's one segment, straight from its row."""
    return (
        Segment(
            period=Period(row.start, row.end),
            territories=tuple(row.territories),
            media=tuple(Medium(m) for m in row.media),
            exclusive=row.exclusive,
            royalty_rate=row.royalty_rate,
        ),
    )


async def segments_of(
    session: AsyncSession, rows: Sequence[LicenceRow]
) -> dict[UUID, tuple[Segment, ...]]:
    """Each licence's segments: from its row until amended, from its versions after."""
    amended = [r.id for r in rows if r.terms_version > 1]
    versions = await versions_of(session, amended)
    return {
        r.id: agreed_segments(versions[r.id]) if r.id in versions else row_segments(r)
        for r in rows
    }


# --- the history -------------------------------------------------------------------------------


def _segment_json(s: Segment) -> dict[str, Any]:
    return {
        "start": s.period.start.isoformat(),
        "end": s.period.end.isoformat() if s.period.end else None,
        "territories": list(s.territories),
        "media": [m.value for m in s.media],
        "exclusive": s.exclusive,
        "royalty_rate": format(s.royalty_rate, "f"),
    }


def _segment(found: dict[str, Any]) -> Segment:
    end = found["end"]
    return Segment(
        period=Period(date.fromisoformat(found["start"]), date.fromisoformat(end) if end else None),
        territories=tuple(found["territories"]),
        media=tuple(Medium(m) for m in found["media"]),
        exclusive=bool(found["exclusive"]),
        royalty_rate=Decimal(found["royalty_rate"]),
    )


def to_snapshot(row: LicenceHistoryRow) -> Snapshot:
    return Snapshot(
        licence_id=row.licence_id,
        status=LicenceStatus(row.status),
        segments=tuple(_segment(s) for s in row.segments),
        valid_until=row.valid_until,
    )


async def record(
    session: AsyncSession, row: LicenceRow, found: Sequence[Segment], now: datetime
) -> LicenceHistoryRow:
    """Appends the licence's state after a change, recorded at `now` (the change's moment).
    The caller holds the licence's row lock (or has just created it), so `seq` is free."""
    last = (
        await session.execute(
            select(func.max(col(LicenceHistoryRow.seq))).where(
                col(LicenceHistoryRow.licence_id) == row.id
            )
        )
    ).scalar_one()
    terminated = row.status == LicenceStatus.TERMINATED.value
    entry = LicenceHistoryRow(
        licence_id=row.id,
        seq=(last or 0) + 1,
        work_id=row.work_id,
        recorded_at=now,
        status=row.status,
        valid_until=now.astimezone(UTC).date() if terminated else None,
        segments=[_segment_json(s) for s in found],
    )
    session.add(entry)
    return entry


async def snapshots_known_at(
    session: AsyncSession, work_ids: Sequence[UUID], known_at: datetime
) -> dict[UUID, list[Snapshot]]:
    """Each licence of these works as its latest history row recorded at or before
    `known_at` says, grouped by work."""
    grouped: dict[UUID, list[Snapshot]] = defaultdict(list)
    if not work_ids:
        return grouped
    query = (
        select(LicenceHistoryRow)
        .where(
            col(LicenceHistoryRow.work_id).in_(list(work_ids)),
            col(LicenceHistoryRow.recorded_at) <= known_at,
        )
        .order_by(col(LicenceHistoryRow.licence_id), col(LicenceHistoryRow.seq).desc())
        .distinct(col(LicenceHistoryRow.licence_id))
    )
    for row in (await session.execute(query)).scalars():
        grouped[row.work_id].append(to_snapshot(row))
    return grouped


async def history_of(
    session: AsyncSession, licence_ids: Sequence[UUID]
) -> dict[UUID, list[LicenceHistoryRow]]:
    grouped: dict[UUID, list[LicenceHistoryRow]] = defaultdict(list)
    if not licence_ids:
        return grouped
    query = (
        select(LicenceHistoryRow)
        .where(col(LicenceHistoryRow.licence_id).in_(list(licence_ids)))
        .order_by(col(LicenceHistoryRow.licence_id), col(LicenceHistoryRow.seq))
    )
    for row in (await session.execute(query)).scalars():
        grouped[row.licence_id].append(row)
    return grouped
