"""A licence's terms over valid time (its segments) and which licences block availability
as of a date (DOMAIN.md, "Licence history: valid time and recorded time").

Recorded time is the caller's business: it picks the history rows known at an instant and
hands their snapshots here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from contracts.enums import LicenceStatus, Medium

from licensing.domain.availability import Footprint, Holding
from licensing.domain.errors import SpansAmendment
from licensing.domain.terms import Period

# Statuses of a licence that was accepted: it granted rights over its valid time.
ACCEPTED = frozenset({LicenceStatus.ACTIVE, LicenceStatus.EXPIRED, LicenceStatus.TERMINATED})
DAY = timedelta(days=1)


@dataclass(frozen=True)
class VersionTerms:
    """One agreed version of the terms, in force from `effective_from` to `end` (the
    licence's end from then on) unless a later version cuts in."""

    effective_from: date
    end: date | None
    territories: tuple[str, ...]
    media: tuple[Medium, ...]
    exclusive: bool
    royalty_rate: Decimal


@dataclass(frozen=True)
class Segment:
    """A stretch of valid time and the terms in force over it."""

    period: Period
    territories: tuple[str, ...]
    media: tuple[Medium, ...]
    exclusive: bool
    royalty_rate: Decimal

    @property
    def footprint(self) -> Footprint:
        return Footprint(
            territories=frozenset(self.territories),
            media=frozenset(self.media),
            exclusive=self.exclusive,
            period=self.period,
        )


def segments(versions: Sequence[VersionTerms]) -> tuple[Segment, ...]:
    """The segments of the agreed versions, oldest version first: each version holds from its
    effective date on, cutting whatever earlier versions said from that date."""
    found: list[Segment] = []
    for v in versions:
        kept = []
        for s in found:
            if s.period.start >= v.effective_from:
                continue
            if s.period.end is None or s.period.end >= v.effective_from:
                s = replace(s, period=Period(s.period.start, v.effective_from - DAY))
            kept.append(s)
        found = [
            *kept,
            Segment(
                period=Period(v.effective_from, v.end),
                territories=v.territories,
                media=v.media,
                exclusive=v.exclusive,
                royalty_rate=v.royalty_rate,
            ),
        ]
    return tuple(found)


def cut(found: Iterable[Segment], last_day: date | None) -> tuple[Segment, ...]:
    """The segments up to `last_day` inclusive (a termination's day); None cuts nothing."""
    if last_day is None:
        return tuple(found)
    kept = []
    for s in found:
        if s.period.start > last_day:
            continue
        if s.period.end is None or s.period.end > last_day:
            s = replace(s, period=Period(s.period.start, last_day))
        kept.append(s)
    return tuple(kept)


@dataclass(frozen=True)
class Snapshot:
    """A licence's state as one history row recorded it."""

    licence_id: UUID
    status: LicenceStatus
    segments: tuple[Segment, ...]
    # The last day of valid time when the licence was terminated before its end.
    valid_until: date | None = None

    @property
    def in_force(self) -> tuple[Segment, ...]:
        return cut(self.segments, self.valid_until)

    def in_force_on(self, day: date) -> bool:
        return self.status in ACCEPTED and any(
            s.period.overlaps(Period(day, day)) for s in self.in_force
        )


def holdings(snapshots: Iterable[Snapshot], *, as_of: date | None) -> list[Holding]:
    """What blocks availability: without `as_of`, the ACTIVE licences (today's rule); with
    it, the licences in force that day. One holding per segment."""
    blocking = [
        s
        for s in snapshots
        if (s.status == LicenceStatus.ACTIVE if as_of is None else s.in_force_on(as_of))
    ]
    return [Holding(s.licence_id, seg.footprint) for s in blocking for seg in s.in_force]


def segment_for(found: Sequence[Segment], period: Period) -> Segment:
    """The one segment whose terms hold over all of `period` (a usage report's); a period
    spanning a change of terms is refused with the day to split at."""
    for s in found:
        if s.period.contains(period):
            return s
    for s in found:
        if period.start < s.period.start and (period.end is None or period.end >= s.period.start):
            raise SpansAmendment(
                f"the terms change on {s.period.start.isoformat()}: report the periods "
                f"before and from that day separately",
                field="period_end",
            )
    # Not inside the licence at all: the usage rules name that case themselves.
    return found[-1]
