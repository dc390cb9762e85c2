"""What this service knows of other services' works and licences, learnt from their events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar
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


Known = TypeVar("Known", KnownWorkState, KnownLicenceState)


def known(state: type[Known], source: object, **values: object) -> Known:
    """A known state read off anything that carries its fields by name (a stored row, an
    event's state), with `values` in place of the fields it carries in another form."""
    # The dataclass checks nothing at run time: the fields' types are the caller's promise.
    merged: dict[str, Any] = {
        f.name: values[f.name] if f.name in values else getattr(source, f.name)
        for f in fields(state)
    }
    return state(**merged)
