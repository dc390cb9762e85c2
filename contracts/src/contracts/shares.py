"""Ownership shares: percentages with at most 2 places in (0, 100] that sum to exactly 100.00."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from contracts.errors import InvalidInput
from contracts.money import PERCENT_PATTERN, decimal_wire, parse_decimal, places

HUNDRED = Decimal("100.00")
_CENT = Decimal("0.01")


class InvalidShare(InvalidInput):
    """A share is malformed, out of range, or the shares do not sum to 100.00."""

    code = "INVALID_SHARE"


def parse_share(value: Any, field: str = "share") -> Decimal:
    """A percentage in (0, 100] with at most 2 places, quantized to 2 places."""
    try:
        share = parse_decimal(value, field)
    except InvalidInput as exc:
        raise InvalidShare(exc.message, field=field) from None
    if places(share) > 2:
        raise InvalidShare(f"{field}: at most 2 decimal places, got {value!r}", field=field)
    if not Decimal(0) < share <= HUNDRED:
        raise InvalidShare(f"{field}: must be above 0 and at most 100, got {value!r}", field=field)
    return share.quantize(_CENT)


def check_total(shares: Iterable[Decimal], field: str = "rights_holders") -> None:
    """Raise unless the shares sum to exactly 100.00."""
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise InvalidShare(f"{field}: shares must sum to 100.00, got {total:.2f}", field=field)


Share = Annotated[
    Decimal,
    decimal_wire(
        parse_share, pattern=PERCENT_PATTERN, description="percentage in (0, 100] with 2 places"
    ),
]
