"""Royalties: royalty per report, recoupment of advances and true-ups, the split to the cent.

- Royalty for a report = gross x rate / 100, rounded half-up to the currency's minor unit.
- Advances (and minimum-guarantee true-ups) are recouped first, cumulatively over the
  recoupment pool's reports (`recoup`): a report never pays out what an earlier one still
  owed to an advance, and a negative correction can take back what was paid.
- `payable` is split among the owners by their shares at the end of the reported period
  with the largest-remainder method: every line is the exact share rounded down (towards
  zero), and the minor units left over go one each to the largest remainders (ties: larger
  share first, then party id), so the lines sum exactly to `payable` and none is off by one
  minor unit or more from its exact share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from uuid import UUID

HUNDRED = Decimal(100)


def minor_unit(exponent: int) -> Decimal:
    return Decimal(1).scaleb(-exponent)


def royalty_for(gross: Decimal, rate: Decimal, exponent: int) -> Decimal:
    return (gross * rate / HUNDRED).quantize(minor_unit(exponent), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """One statement's money: this report's royalty, the part recouped, the part payable."""

    royalty: Decimal
    recouped: Decimal
    payable: Decimal


@dataclass(frozen=True)
class Pool:
    """A recoupment pool's sums so far (DOMAIN.md, "Advances and minimum guarantees"): a
    licence alone, or a cross-collateralised deal's accepted licences together. `royalties`
    and `payable` sum its ROYALTY statements; `credits` its advances and true-ups."""

    royalties: Decimal = Decimal(0)
    payable: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)

    def after(self, figures: Figures) -> Pool:
        """The pool once a statement of `figures` is issued in it."""
        return replace(
            self,
            royalties=self.royalties + figures.royalty,
            payable=self.payable + figures.payable,
        )


def recoup(royalty: Decimal, pool: Pool, exponent: int) -> Figures:
    """The next statement's figures in `pool`: cumulatively `max(0, R + r - C) - P`, clamped
    between 0 and `r` so that credits growing later (a deal's licence accepted, a true-up)
    never take back what a positive report paid, and a negative correction never pays."""
    owed = max(Decimal(0), pool.royalties + royalty - pool.credits) - pool.payable
    payable = min(max(owed, min(Decimal(0), royalty)), max(Decimal(0), royalty))
    quantum = minor_unit(exponent)
    return Figures(
        royalty=royalty.quantize(quantum),
        recouped=(royalty - payable).quantize(quantum),
        payable=payable.quantize(quantum),
    )


@dataclass(frozen=True)
class Line:
    party_id: UUID
    share: Decimal
    amount: Decimal


def split_payable(payable: Decimal, shares: Mapping[UUID, Decimal], exponent: int) -> list[Line]:
    """Splits `payable` by `shares` (percent, summing to 100) to the minor unit, exactly."""
    if not shares:
        raise ValueError("no owners to split among")
    total_share = sum(shares.values(), Decimal(0))
    quantum = minor_unit(exponent)
    units = int((abs(payable) / quantum).to_integral_exact())
    sign = -1 if payable < 0 else 1
    exact = {
        party: Fraction(units) * Fraction(share) / Fraction(total_share)
        for party, share in shares.items()
    }
    floors = {party: int(value) for party, value in exact.items()}
    left = units - sum(floors.values())
    by_remainder = sorted(
        shares, key=lambda p: (-(exact[p] - floors[p]), -shares[p], str(p))
    )
    for party in by_remainder[:left]:
        floors[party] += 1
    ordered = sorted(shares, key=lambda p: (-shares[p], str(p)))
    return [
        Line(
            party_id=party,
            share=shares[party],
            amount=(Decimal(sign * floors[party]) * quantum).quantize(quantum),
        )
        for party in ordered
    ]


@dataclass(frozen=True)
class ShareSnapshot:
    """The owners' shares (per party, all roles summed) from a moment on."""

    effective_from: datetime
    shares: Mapping[UUID, Decimal]


def end_of_day(day: date) -> datetime:
    """The first instant after `day` (UTC): shares in effect then are those at its end. After
    the calendar's last day there is none: its last instant stands in (a query "to 9999-12-31"
    is a question, not an error)."""
    if day == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def shares_at(history: Sequence[ShareSnapshot], moment: datetime) -> Mapping[UUID, Decimal]:
    """The shares in effect just before `moment`; the earliest known ones for earlier moments
    (a licence may cover time before the work reached the register)."""
    if not history:
        raise ValueError("the work has no known owners")
    ordered = sorted(history, key=lambda s: s.effective_from)
    current = ordered[0]
    for snapshot in ordered:
        if snapshot.effective_from < moment:
            current = snapshot
        else:
            break
    return current.shares
