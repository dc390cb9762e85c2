"""Deals and recoupment pools as the database holds them (DOMAIN.md, "Advances and minimum
guarantees"): the deal an offer joins, and the pools (a licence alone, or a
cross-collateralised deal's accepted licences together) with the sums
`licensing.domain.royalties.recoup` decides on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from contracts.enums import StatementKind
from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from licensing.domain.advances import ACCEPTED
from licensing.domain.deals import Deal, DealRef, check_joins, pool_key
from licensing.domain.lifecycle import Licence
from licensing.domain.royalties import Pool
from licensing.models import DealRow, LicenceRow, StatementRow


async def join_deal(
    session: AsyncSession,
    *,
    deal_id: UUID,
    cross_collateralised: bool,
    licence: Licence,
    owners: frozenset[UUID],
    now: datetime,
) -> DealRef:
    """The deal an offer names, created by the first offer naming it (on these terms), and
    locked: a later offer joins it only on the same terms (`check_joins`)."""
    await session.execute(
        insert(DealRow)
        .values(
            id=deal_id, licensor_id=licence.licensor_id, licensee_id=licence.licensee_id,
            currency=licence.terms.currency, cross_collateralised=cross_collateralised,
            owner_ids=sorted(owners, key=str), created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )  # fmt: skip
    row = await session.get(DealRow, deal_id, with_for_update=True, populate_existing=True)
    assert row is not None  # inserted above, or there already
    check_joins(
        Deal(
            id=row.id, licensor_id=row.licensor_id, licensee_id=row.licensee_id,
            currency=row.currency, cross_collateralised=row.cross_collateralised,
            owner_ids=frozenset(row.owner_ids),
        ),
        offeror=licence.licensor_id, licensee=licence.licensee_id,
        currency=licence.terms.currency, cross_collateralised=cross_collateralised,
        owners=owners,
    )  # fmt: skip
    return DealRef(row.id, row.cross_collateralised)


def _cross_deals(licences: Iterable[Licence]) -> set[UUID]:
    return {
        licence.deal.id
        for licence in licences
        if licence.deal is not None and licence.deal.cross_collateralised
    }


async def lock_pools(session: AsyncSession, licences: Iterable[Licence]) -> None:
    """Locks the cross-collateralised deals of `licences` (their licences are locked
    already: the lock order is licences, then deals, each in id order), so statements of one
    pool are serialised."""
    deal_ids = sorted(_cross_deals(licences), key=str)
    if deal_ids:
        await session.execute(
            select(col(DealRow.id))
            .where(col(DealRow.id).in_(deal_ids))
            .order_by(col(DealRow.id))
            .with_for_update()
        )


async def pools_of(session: AsyncSession, licences: Sequence[Licence]) -> dict[UUID, Pool]:
    """The pools of `licences`, by `pool_key`: ROYALTY statements' royalties and payable,
    and credits = the members' advances and their TRUE_UP statements' payable."""
    deal_ids = _cross_deals(licences)
    singles = [lic.id for lic in licences if pool_key(lic.id, lic.deal) == lic.id]
    accepted = [status.value for status in ACCEPTED]
    members = await session.execute(
        select(
            col(LicenceRow.id), col(LicenceRow.advance), col(LicenceRow.deal_id),
            col(LicenceRow.cross_collateralised),
        ).where(
            col(LicenceRow.status).in_(accepted),
            or_(
                col(LicenceRow.id).in_(singles),
                and_(
                    col(LicenceRow.deal_id).in_(list(deal_ids)),
                    col(LicenceRow.cross_collateralised),
                ),
            ),
        )
    )  # fmt: skip
    key_of: dict[UUID, UUID] = {}
    sums: dict[UUID, dict[str, Decimal]] = {}
    for licence_id, advance, deal_id, cross in members:
        key = deal_id if cross and deal_id is not None else licence_id
        key_of[licence_id] = key
        pool = sums.setdefault(key, {"royalties": Decimal(0), "payable": Decimal(0)})
        pool["credits"] = pool.get("credits", Decimal(0)) + advance
    stated = await session.execute(
        select(
            col(StatementRow.licence_id), col(StatementRow.kind),
            func.sum(col(StatementRow.royalty)), func.sum(col(StatementRow.payable)),
        )
        .where(
            col(StatementRow.licence_id).in_(list(key_of)),
            col(StatementRow.kind).in_([StatementKind.ROYALTY, StatementKind.TRUE_UP]),
        )
        .group_by(col(StatementRow.licence_id), col(StatementRow.kind))
    )  # fmt: skip
    for licence_id, kind, royalty, payable in stated:
        pool = sums[key_of[licence_id]]
        if kind == StatementKind.TRUE_UP:
            pool["credits"] += payable
        else:
            pool["royalties"] += royalty
            pool["payable"] += payable
    found = {key: Pool(**values) for key, values in sums.items()}
    return {
        pool_key(lic.id, lic.deal): found.get(pool_key(lic.id, lic.deal), Pool())
        for lic in licences
    }


async def royalties_of(session: AsyncSession, licence_id: UUID) -> Decimal:
    """The licence's own royalties stated so far (its ROYALTY statements)."""
    total = await session.execute(
        select(func.coalesce(func.sum(col(StatementRow.royalty)), 0)).where(
            col(StatementRow.licence_id) == licence_id,
            col(StatementRow.kind) == StatementKind.ROYALTY,
        )
    )
    return Decimal(total.scalar_one())
