"""The write side's SQL: loading and saving licences, usage and statements, and reading the
register facts a command decides on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.attributes import from_attributes
from contracts.enums import LicenceStatus, Medium, OwnerConsentStatus, WorkStatus
from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import events
from licensing import history_repository
from licensing.domain.availability import Holding
from licensing.domain.consent import HolderShares, OwnerConsent
from licensing.domain.deals import DealRef
from licensing.domain.lifecycle import Licence, WorkView
from licensing.domain.mandates import MandateTerms
from licensing.domain.royalties import Figures, Line, ShareSnapshot
from licensing.domain.terms import Period, Terms, terms_fields
from licensing.domain.usage import ReportedUsage
from licensing.models import (
    LicenceEventRow,
    LicenceRow,
    MandateRow,
    OwnerConsentRow,
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
    # populate_existing: the row read under the lock replaces any copy read before it.
    return await session.get(
        RegisterWork, work_id, with_for_update=for_update, populate_existing=for_update
    )


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
    return (await share_histories(session, {work_id}))[work_id]


async def share_histories(
    session: AsyncSession, work_ids: Iterable[UUID]
) -> dict[UUID, list[ShareSnapshot]]:
    """Each work's share history, oldest first, in one query."""
    rows = (
        await session.execute(
            select(RegisterShares)
            .where(col(RegisterShares.work_id).in_(list(work_ids)))
            .order_by(col(RegisterShares.work_id), col(RegisterShares.effective_from))
        )
    ).scalars()
    histories: dict[UUID, list[ShareSnapshot]] = defaultdict(list)
    for row in rows:
        histories[row.work_id].append(
            ShareSnapshot(
                effective_from=row.effective_from,
                shares={UUID(party): Decimal(share) for party, share in row.shares.items()},
            )
        )
    return histories


async def holds_matchable_share(session: AsyncSession, party_id: UUID) -> bool:
    """Whether the party holds a share of a REGISTERED or DISPUTED work."""
    found = await session.execute(
        select(col(RegisterHolder.work_id))
        .join(RegisterWork, col(RegisterWork.id) == col(RegisterHolder.work_id))
        .where(
            col(RegisterHolder.party_id) == party_id,
            col(RegisterWork.status).in_([WorkStatus.REGISTERED.value, WorkStatus.DISPUTED.value]),
        )
        .limit(1)
    )
    return found.first() is not None


# --- licences --------------------------------------------------------------------------------


def to_licence(row: LicenceRow) -> Licence:
    terms = from_attributes(
        Terms,
        row,
        territories=tuple(row.territories),
        media=tuple(Medium(m) for m in row.media),
        period=Period(row.start, row.end),
    )
    deal = None if row.deal_id is None else DealRef(row.deal_id, row.cross_collateralised)
    return from_attributes(
        Licence, row, status=LicenceStatus(row.status), terms=terms, deal=deal
    )


async def get_licence(
    session: AsyncSession, licence_id: UUID, *, for_update: bool = False
) -> LicenceRow | None:
    return await session.get(
        LicenceRow, licence_id, with_for_update=for_update, populate_existing=for_update
    )


def add_licence(session: AsyncSession, licence: Licence, now: datetime) -> LicenceRow:
    row = LicenceRow.model_validate(
        {
            "id": licence.id,
            "work_id": licence.work_id,
            "licensor_id": licence.licensor_id,
            "licensee_id": licence.licensee_id,
            "status": licence.status.value,
            "status_reason": licence.status_reason,
            **terms_fields(licence.terms),
            "deal_id": None if licence.deal is None else licence.deal.id,
            "cross_collateralised": licence.deal is not None and licence.deal.cross_collateralised,
            "created_at": now,
            "updated_at": now,
        }
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
    rows = list((await session.execute(query)).scalars())
    # An amended licence holds each of its segments (DOMAIN.md, "Licence history").
    found = await history_repository.segments_of(session, rows)
    for row in rows:
        grouped[row.work_id].extend(Holding(row.id, s.footprint) for s in found[row.id])
    return grouped


async def active_holdings(
    session: AsyncSession, work_id: UUID, *, excluding: UUID | None = None
) -> list[Holding]:
    return (await active_holdings_of(session, [work_id], excluding=excluding))[work_id]


async def licences_of_licensee(
    session: AsyncSession, licensee: UUID, work_ids: Iterable[UUID], *, statuses: Sequence[str]
) -> list[LicenceRow]:
    query = select(LicenceRow).where(
        col(LicenceRow.licensee_id) == licensee,
        col(LicenceRow.work_id).in_(list(work_ids)),
        col(LicenceRow.status).in_(list(statuses)),
    )
    return list((await session.execute(query)).scalars())


async def lock_licences(session: AsyncSession, licence_ids: Sequence[UUID]) -> list[LicenceRow]:
    """The licences, locked in the order given (callers sort, so lockers never deadlock)."""
    query = (
        select(LicenceRow)
        .where(col(LicenceRow.id).in_(list(licence_ids)))
        .order_by(col(LicenceRow.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


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
            line_report=row.usage_file is not None,
        )
        for row in (await session.execute(query)).scalars()
    ]


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
    held: bool = False,
) -> tuple[UsageReportRow, StatementRow]:
    """The report and its statement; both immutable from here on (a trigger refuses changes)."""
    report, statement = usage_rows(
        licence=licence, usage=usage, reported_by=reported_by, figures=figures, lines=lines,
        statement_id=statement_id, now=now, held=held,
    )  # fmt: skip
    session.add(report)
    await session.flush()  # the statement's foreign key needs the report row first
    session.add(statement)
    return report, statement


async def add_usages(
    session: AsyncSession, rows: Sequence[tuple[UsageReportRow, StatementRow]]
) -> None:
    """Several reports and their statements: the reports in one flush, then the statements."""
    session.add_all(report for report, _ in rows)
    await session.flush()
    session.add_all(statement for _, statement in rows)


def usage_rows(
    *,
    licence: Licence,
    usage: ReportedUsage,
    reported_by: UUID,
    figures: Figures,
    lines: Sequence[Line],
    statement_id: UUID,
    now: datetime,
    usage_file: str | None = None,
    usage_lines: list[dict[str, Any]] | None = None,
    held: bool = False,
) -> tuple[UsageReportRow, StatementRow]:
    """A report's row and its statement's row, not yet added to a session. A line report
    names its `usage_file`, and its statement lists the `usage_lines`; a `held` statement's
    lines are marked held (DOMAIN.md, "Suspense while a work is disputed")."""
    assert usage.period.end is not None  # a report always covers whole dates
    covers = {
        "licence_id": licence.id,
        "period_start": usage.period.start,
        "period_end": usage.period.end,
    }
    report = UsageReportRow.model_validate(
        {
            "id": usage.id, **covers, "units": usage.units, "gross_revenue": usage.gross,
            "corrects_report_id": usage.corrects, "reported_by": reported_by, "created_at": now,
            "usage_file": usage_file,
        }
    )  # fmt: skip
    statement = StatementRow.model_validate(
        {
            "id": statement_id, **covers, "work_id": licence.work_id, "report_id": usage.id,
            "gross": usage.gross, "royalty": figures.royalty, "recouped": figures.recouped,
            "payable": figures.payable, "currency": licence.terms.currency,
            "lines": lines_json(lines, held=held), "issued_at": now, "usage_lines": usage_lines,
        }
    )  # fmt: skip
    return report, statement


def lines_json(lines: Sequence[Line], *, held: bool = False) -> list[dict[str, Any]]:
    """A statement's lines as its `lines` column holds them: `{party_id, share, amount}`, and
    `held` on each while its work is disputed (DOMAIN.md, "Suspense while a work is
    disputed")."""
    return [
        {"party_id": str(line.party_id), "share": str(line.share), "amount": str(line.amount),
         **({"held": True} if held else {})}
        for line in lines
    ]  # fmt: skip


# --- co-owners' consent and mandates (DOMAIN.md) ---------------------------------------------


async def holder_shares(session: AsyncSession, work_id: UUID) -> list[HolderShares]:
    query = select(RegisterHolder).where(col(RegisterHolder.work_id) == work_id)
    return [
        HolderShares(h.party_id, h.share, h.mechanical_share, h.sync_share)
        for h in (await session.execute(query)).scalars()
    ]


def to_mandate(row: MandateRow) -> MandateTerms:
    return from_attributes(MandateTerms, row, media=frozenset(Medium(m) for m in row.media))


async def mandates_held_by(session: AsyncSession, agent: UUID) -> list[MandateTerms]:
    """The unrevoked mandates `agent` holds (whether in force on a date is the domain's)."""
    query = select(MandateRow).where(
        col(MandateRow.agent_id) == agent, col(MandateRow.revoked_at).is_(None)
    )
    return [to_mandate(row) for row in (await session.execute(query)).scalars()]


async def get_mandate(
    session: AsyncSession, mandate_id: UUID, *, for_update: bool = False
) -> MandateRow | None:
    return await session.get(
        MandateRow, mandate_id, with_for_update=for_update, populate_existing=for_update
    )


def add_mandate(session: AsyncSession, mandate: MandateTerms, now: datetime) -> MandateRow:
    row = MandateRow.model_validate(
        {
            "id": mandate.id, "grantor_id": mandate.grantor_id, "agent_id": mandate.agent_id,
            "work_id": mandate.work_id, "media": sorted(m.value for m in mandate.media),
            "valid_from": mandate.valid_from, "valid_until": mandate.valid_until,
            "granted_at": now, "revoked_at": mandate.revoked_at,
        }
    )  # fmt: skip
    session.add(row)
    return row


def add_consents(
    session: AsyncSession,
    licence_id: UUID,
    consents: Sequence[OwnerConsent],
    *,
    due_at: datetime,
    now: datetime,
) -> None:
    """An offer's owners as decided when it is made (the offeror's and mandated ones are
    decided then; the others wait)."""
    session.add_all(
        OwnerConsentRow(
            licence_id=licence_id, party_id=c.party_id, share=c.share, status=c.status.value,
            reason=c.reason, mandate_id=c.mandate_id, due_at=due_at,
            decided_at=None if c.status == OwnerConsentStatus.PENDING else now,
        )
        for c in consents
    )  # fmt: skip


def to_consent(row: OwnerConsentRow) -> OwnerConsent:
    return from_attributes(OwnerConsent, row, status=OwnerConsentStatus(row.status))


async def consent_rows(session: AsyncSession, licence_id: UUID) -> list[OwnerConsentRow]:
    query = (
        select(OwnerConsentRow)
        .where(col(OwnerConsentRow.licence_id) == licence_id)
        .order_by(col(OwnerConsentRow.party_id))
    )
    return list((await session.execute(query)).scalars())


async def lapsed_offers(session: AsyncSession, now: datetime) -> list[UUID]:
    """AWAITING_OWNERS licences whose owners' consent is past due."""
    query = (
        select(col(LicenceRow.id))
        .join(OwnerConsentRow, col(OwnerConsentRow.licence_id) == col(LicenceRow.id))
        .where(
            col(LicenceRow.status) == LicenceStatus.AWAITING_OWNERS.value,
            col(OwnerConsentRow.due_at) < now,
        )
        .distinct()
    )
    return list((await session.execute(query)).scalars())
