"""What this service knows of other services' works and licences, learnt from their events."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class KnownWorkState:
    """A work as the last event about it left it: what recipients and messages need."""

    id: UUID
    title: str
    filing_number: str
    registration_number: str | None
    status: str
    owner_ids: tuple[UUID, ...]
    # Who opened the current dispute, so its resolution reaches them too; None when none is open.
    disputant_id: UUID | None


@dataclass(frozen=True)
class KnownLicenceState:
    """A licence's parties as the last event about it left them."""

    id: UUID
    work_id: UUID
    licensor_id: UUID
    licensee_id: UUID
    status: str
