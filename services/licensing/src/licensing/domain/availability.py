"""The availability rule: when two licences of one work overlap, and when they conflict.

Two licences overlap when their territories intersect AND their media intersect AND their
periods overlap; overlapping licences conflict when either is exclusive (DOMAIN.md).
Only ACTIVE licences block: offers are not rights yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from contracts.enums import Medium
from contracts.errors import Conflict

from licensing.domain.terms import Period


@dataclass(frozen=True)
class Footprint:
    """Where, how and when a licence (or a would-be licence) uses a work."""

    territories: frozenset[str]
    media: frozenset[Medium]
    exclusive: bool
    period: Period


@dataclass(frozen=True)
class Holding:
    """An existing licence's footprint, named by its id."""

    licence_id: UUID
    footprint: Footprint


@dataclass(frozen=True)
class AvailabilityConflict:
    """One conflicting licence and exactly where the two overlap."""

    licence_id: UUID
    territories: tuple[str, ...]
    media: tuple[Medium, ...]
    period: Period
    exclusive: bool

    def describe(self) -> str:
        return (
            f"licence {self.licence_id}{' (exclusive)' if self.exclusive else ''}: "
            f"territories {', '.join(self.territories)}; "
            f"media {', '.join(m.value for m in self.media)}; dates {self.period}"
        )


def overlap(candidate: Footprint, holding: Holding) -> AvailabilityConflict | None:
    """The overlap of two footprints, or None when they do not overlap at all."""
    existing = holding.footprint
    territories = candidate.territories & existing.territories
    media = candidate.media & existing.media
    if not territories or not media or not candidate.period.overlaps(existing.period):
        return None
    return AvailabilityConflict(
        licence_id=holding.licence_id,
        territories=tuple(sorted(territories)),
        media=tuple(sorted(media, key=lambda m: m.value)),
        period=candidate.period.intersection(existing.period),
        exclusive=existing.exclusive,
    )


def find_conflicts(
    candidate: Footprint, holdings: Iterable[Holding]
) -> list[AvailabilityConflict]:
    """Every holding that conflicts with the candidate, in licence-id order."""
    conflicts = []
    for holding in holdings:
        found = overlap(candidate, holding)
        if found is not None and (candidate.exclusive or holding.footprint.exclusive):
            conflicts.append(found)
    return sorted(conflicts, key=lambda c: str(c.licence_id))


class LicenceConflict(Conflict):
    """The terms conflict with ACTIVE licences; the message names each and the overlap."""

    code = "LICENCE_CONFLICT"

    def __init__(self, conflicts: list[AvailabilityConflict], *, field: str | None = None):
        self.conflicts = conflicts
        details = "; ".join(c.describe() for c in conflicts)
        super().__init__(f"conflicts with active {details}", field=field)


def ensure_available(candidate: Footprint, holdings: Iterable[Holding]) -> None:
    conflicts = find_conflicts(candidate, holdings)
    if conflicts:
        raise LicenceConflict(conflicts, field="territories")
