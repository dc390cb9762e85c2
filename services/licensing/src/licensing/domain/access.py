"""Licensing's caller, and who may see a licence: `contracts.access` decides (DOMAIN.md,
Access); `views.visible_to` is the same rule as an SQL condition, built from the same table."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from contracts import access


@dataclass(frozen=True)
class Caller:
    """Who acts, and whether their role lets them see every licence (examiners, societies)."""

    party_id: UUID
    sees_all: bool = False


def can_see_licence(
    caller: Caller, *, licensee_id: UUID, licensor_id: UUID, owners: Collection[UUID]
) -> bool:
    if caller.sees_all:
        return True
    facts = access.LicenceFacts(
        licensor_id=licensor_id, licensee_id=licensee_id, owner_ids=frozenset(owners)
    )
    return access.may_see_licence(access.Caller(party_id=caller.party_id), facts)
