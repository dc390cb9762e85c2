"""Deals: licences grouped by one offeror with one licensee in one currency, and whether
their royalties recoup their advances together (DOMAIN.md, "Advances and minimum
guarantees": cross-collateralisation is explicit, never implied)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from licensing.domain.errors import DealMismatch


@dataclass(frozen=True)
class DealRef:
    """What a licence knows of its deal."""

    id: UUID
    cross_collateralised: bool


@dataclass(frozen=True)
class Deal:
    id: UUID
    licensor_id: UUID
    licensee_id: UUID
    currency: str
    cross_collateralised: bool
    # The owners of the first licence's work: a cross-collateralised deal's works all have them.
    owner_ids: frozenset[UUID]


def check_joins(
    deal: Deal,
    *,
    offeror: UUID,
    licensee: UUID,
    currency: str,
    cross_collateralised: bool,
    owners: frozenset[UUID],
) -> None:
    """Refuses an offer that would join `deal` on other terms than the deal's own."""
    if deal.licensor_id != offeror or deal.licensee_id != licensee:
        raise DealMismatch(
            f"deal {deal.id} is another offeror's or another licensee's", field="deal_id"
        )
    if deal.currency != currency:
        raise DealMismatch(f"deal {deal.id} is in {deal.currency}", field="deal_id")
    if deal.cross_collateralised != cross_collateralised:
        stated = "is" if deal.cross_collateralised else "is not"
        raise DealMismatch(
            f"deal {deal.id} {stated} cross-collateralised; every offer in it says so",
            field="cross_collateralised",
        )
    if deal.cross_collateralised and owners != deal.owner_ids:
        raise DealMismatch(
            f"deal {deal.id} is cross-collateralised: its works must all have the same owners",
            field="deal_id",
        )


def pool_key(licence_id: UUID, deal: DealRef | None) -> UUID:
    """The recoupment pool a licence's royalties go to: its cross-collateralised deal's, or
    its own."""
    return deal.id if deal is not None and deal.cross_collateralised else licence_id
