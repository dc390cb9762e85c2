"""Who may see a licence (DOMAIN.md, Access): the one rule, over the caller and the licence.

Until `contracts.access` holds every service's visibility rules, this module is licensing's
only statement of it; `views.visible_to` is its SQL twin, for queries that page in the database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Caller:
    """Who acts, and whether their role lets them see every licence (examiners, societies)."""

    party_id: UUID
    sees_all: bool = False


def can_see_licence(
    caller: Caller, *, licensee_id: UUID, licensor_id: UUID, owners: Collection[UUID]
) -> bool:
    """A licence is visible to its licensee, its licensor, the work's owners, examiners and
    societies; to nobody else."""
    return (
        caller.sees_all
        or caller.party_id in (licensee_id, licensor_id)
        or caller.party_id in owners
    )
