"""Royalties: royalty per report, cumulative recoupment of the advance, the split to the cent.

- Royalty for a report = gross x rate / 100, rounded half-up to the currency's minor unit.
- The advance is recouped first, cumulatively over all the licence's reports:
  `payable = max(0, sum of royalties - advance) - sum of payable already stated`, so a
  report never pays out what an earlier one still owed to the advance, and a negative
  correction can take back what was paid (a negative payable).
- `payable` is split among the owners by their shares at the end of the reported period
  with the largest-remainder method: every line is the exact share rounded down (towards
  zero), and the minor units left over go one each to the largest remainders (ties: larger
  share first, then party id), so the lines sum exactly to `payable` and none is off by one
  minor unit or more from its exact share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def _recouped_total(royalties: Decimal, advance: Decimal) -> Decimal:
    return min(advance, max(Decimal(0), royalties))


def statement_figures(
    *,
    gross: Decimal,
    rate: Decimal,
    advance: Decimal,
    exponent: int,
    royalties_before: Decimal,
    payable_before: Decimal,
) -> Figures:
    """The figures of the next statement given the sums of the licence's earlier ones."""
    return figures_of_royalty(
        royalty=royalty_for(gross, rate, exponent),
        advance=advance,
        exponent=exponent,
        royalties_before=royalties_before,
        payable_before=payable_before,
    )


def figures_of_royalty(
    *,
    royalty: Decimal,
    advance: Decimal,
    exponent: int,
    royalties_before: Decimal,
    payable_before: Decimal,
) -> Figures:
    """The same figures from a royalty already computed (a line report's: the sum of its
    lines' royalties, each rounded on its own)."""
    royalties_after = royalties_before + royalty
    payable = max(Decimal(0), royalties_after - advance) - payable_before
    recouped = _recouped_total(royalties_after, advance) - _recouped_total(
        royalties_before, advance
    )
    quantum = minor_unit(exponent)
    return Figures(
        royalty=royalty.quantize(quantum),
        recouped=recouped.quantize(quantum),
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
    """The first instant after `day` (UTC): shares in effect then are those at its end."""
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
