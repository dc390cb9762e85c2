"""Suspense while a work is disputed (DOMAIN.md): which statements a resolution releases, the
`RELEASE` statement of each licence, and the amount a work holds in suspense.

A statement issued while the register shows its work `DISPUTED` is held under that snapshot
of the work (its `Stamp`); a resolution releases the holds of earlier snapshots only, so a
replayed older resolution never releases what a later dispute held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from licensing.domain.royalties import Line, split_payable
from licensing.domain.snapshots import Stamp, supersedes

RELEASE = "RELEASE"


@dataclass(frozen=True)
class Hold:
    """A held statement not yet released: what it pays, and the work's snapshot it was held
    under."""

    statement_id: UUID
    licence_id: UUID
    currency: str
    payable: Decimal
    period_start: date
    period_end: date
    held_under: Stamp


@dataclass(frozen=True)
class Release:
    """One licence's `RELEASE` statement: the held total, split among the resolution's owners."""

    licence_id: UUID
    currency: str
    payable: Decimal
    period_start: date
    period_end: date
    releases: tuple[UUID, ...]
    lines: list[Line]


def released_by(holds: Sequence[Hold], resolution: Stamp) -> list[Hold]:
    """The holds a resolution of this snapshot of the work releases: those held under an
    earlier one."""
    return [hold for hold in holds if supersedes(resolution, hold.held_under)]


def releases(
    holds: Sequence[Hold],
    *,
    resolution: Stamp,
    owners: Mapping[UUID, Decimal],
    exponent_of: Callable[[str], int],
) -> list[Release]:
    """Per licence (ordered by id), the release of its holds that `resolution` releases,
    split by the `owners`' shares (percent, each party's roles summed) to the minor unit."""
    by_licence: dict[UUID, list[Hold]] = defaultdict(list)
    for hold in released_by(holds, resolution):
        by_licence[hold.licence_id].append(hold)
    made = []
    for licence_id in sorted(by_licence, key=str):
        held = sorted(by_licence[licence_id], key=lambda h: str(h.statement_id))
        currencies = {hold.currency for hold in held}
        if len(currencies) != 1:  # pragma: no cover - a licence has one currency
            raise ValueError(f"licence {licence_id} holds statements in {sorted(currencies)}")
        currency = currencies.pop()
        payable = sum((hold.payable for hold in held), Decimal(0))
        made.append(
            Release(
                licence_id=licence_id,
                currency=currency,
                payable=payable,
                period_start=min(hold.period_start for hold in held),
                period_end=max(hold.period_end for hold in held),
                releases=tuple(hold.statement_id for hold in held),
                lines=split_payable(payable, owners, exponent_of(currency)),
            )
        )
    return made


def in_suspense(holds: Sequence[Hold]) -> dict[str, Decimal]:
    """The amount held per currency (the payable of holds not yet released, summed)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for hold in holds:
        totals[hold.currency] += hold.payable
    return dict(sorted(totals.items()))
