"""Advances recorded as paid and minimum-guarantee true-ups (DOMAIN.md, "Advances and
minimum guarantees"): who may record a payment, when, and what a licence's end owes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from contracts.enums import LicenceStatus
from contracts.errors import InvalidInput

from licensing.domain.errors import LicenceStateError, NoAdvance, NotTheLicensee
from licensing.domain.lifecycle import Licence

ACCEPTED = frozenset({LicenceStatus.ACTIVE, LicenceStatus.EXPIRED, LicenceStatus.TERMINATED})


def check_advance_payment(
    licence: Licence, *, actor: UUID, paid_on: date, today: date, offered_on: date | None = None
) -> None:
    """Only the licensee, of an accepted licence with an advance, paid on a day not ahead and
    not before the licence was offered (`offered_on`, UTC: no contract to pay under before)."""
    if actor != licence.licensee_id:
        raise NotTheLicensee("only the licensee records the advance as paid", field="licence_id")
    if licence.status not in ACCEPTED:
        raise LicenceStateError(
            f"licence {licence.id} is {licence.status.value}; an advance is paid on an "
            "accepted licence",
            field="status",
        )
    if not licence.terms.advance:
        raise NoAdvance(f"licence {licence.id} has no advance to pay", field="licence_id")
    if paid_on > today:
        raise InvalidInput(
            f"paid_on {paid_on.isoformat()} is after today ({today.isoformat()})",
            field="paid_on",
        )
    if offered_on is not None and paid_on < offered_on:
        raise InvalidInput(
            f"paid_on {paid_on.isoformat()} is before the licence was offered "
            f"({offered_on.isoformat()})",
            field="paid_on",
        )


def true_up_shortfall(licence: Licence, *, royalties: Decimal) -> Decimal:
    """What the licensee still owes at the licence's end to meet its minimum guarantee: the
    guarantee less the larger of the advance and the licence's own `royalties` (0: none)."""
    terms = licence.terms
    if not terms.minimum_guarantee:
        return Decimal(0)
    return max(Decimal(0), terms.minimum_guarantee - max(terms.advance, royalties))
