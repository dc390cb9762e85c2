"""Ownership shares: percentages with at most 2 places in (0, 100] that sum to exactly 100.00."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from contracts.errors import InvalidInput
from contracts.money import PERCENT_PATTERN, decimal_wire, parse_decimal, places

HUNDRED = Decimal("100.00")
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_SHARE_TEXT = re.compile(r"\d{1,3}\.\d{2}")


class InvalidShare(InvalidInput):
    """A share is malformed, out of range, or the shares do not sum to 100.00."""

    code = "INVALID_SHARE"


def parse_share(value: Any, field: str = "share") -> Decimal:
    """A percentage in (0, 100] with at most 2 places, quantized to 2 places."""
    if type(value) is str and _SHARE_TEXT.fullmatch(value):
        # The wire's own form (every event's holders): already 2 places, nothing to check
        # but the range; anything else takes the general path and its messages.
        share = Decimal(value)
        if _ZERO < share <= HUNDRED:
            return share
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


# --- shares by right (DOMAIN.md, "Shares by right, societies and territories") -------------

RIGHTS = ("performing", "mechanical", "sync")


def parse_right_share(value: Any, field: str) -> Decimal:
    """A share of one right: a percentage in [0, 100] with at most 2 places (a holder may
    hold none of a right, as a writer often holds none of the mechanical right)."""
    try:
        share = parse_decimal(value, field)
    except InvalidInput as exc:
        raise InvalidShare(exc.message, field=field) from None
    if places(share) > 2:
        raise InvalidShare(f"{field}: at most 2 decimal places, got {value!r}", field=field)
    if not Decimal(0) <= share <= HUNDRED:
        raise InvalidShare(f"{field}: must be between 0 and 100, got {value!r}", field=field)
    return share.quantize(_CENT)


class InvalidSociety(InvalidInput):
    """Not a CISAC society code."""

    code = "INVALID_SOCIETY"


def parse_society(value: Any, field: str) -> str:
    """A CISAC society code: 1 to 3 ASCII digits, zero-padded to 3 (`"21"` → `"021"`)."""
    text = value.strip() if isinstance(value, str) else None
    if not text or len(text) > 3 or not (text.isascii() and text.isdigit()):
        raise InvalidSociety(
            f"{field}: a society is its CISAC code, 1 to 3 digits, got {value!r}", field=field
        )
    return text.zfill(3)


RightShare = Annotated[
    Decimal,
    decimal_wire(
        lambda v: parse_right_share(v, "share"),
        pattern=PERCENT_PATTERN,
        description="percentage in [0, 100] with 2 places",
    ),
]
SocietyCode = Annotated[
    str,
    Field(pattern=r"^\d{3}$", description="CISAC society code, 3 digits", examples=["021"]),
]


def check_right_totals(
    holders: Sequence[Any], field: str = "rights_holders"
) -> None:
    """Per right, the holders' shares of it sum to 100.00, and per territory any holder
    lists, per right the collection shares there do (each defaulting as DOMAIN.md says).
    `holders` have `share`, `mechanical_share`, `sync_share` and `territory_shares` whose
    items have `territory` and `<right>_share`."""
    for right in RIGHTS[1:]:
        total = sum((_right_share(h, right) for h in holders), Decimal(0))
        if total != HUNDRED:
            raise InvalidShare(
                f"{field}: {right} shares must sum to 100.00, got {total:.2f}",
                field=f"{field}.{right}_share",
            )
    territories = {t.territory for h in holders for t in (h.territory_shares or ())}
    for territory in sorted(territories):
        for right in RIGHTS:
            total = sum((collection_share(h, territory, right) for h in holders), Decimal(0))
            if total != HUNDRED:
                raise InvalidShare(
                    f"{field}: {right} shares collected in {territory} must sum to 100.00, "
                    f"got {total:.2f}",
                    field=f"{field}.territory_shares",
                )


def _right_share(holder: Any, right: str) -> Decimal:
    if right == "performing":
        return Decimal(holder.share)
    stated = getattr(holder, f"{right}_share")
    return Decimal(holder.share) if stated is None else Decimal(stated)


def ownership_share(holder: Any, right: str) -> Decimal:
    """The holder's ownership share of `right` (`share` where it states none)."""
    return _right_share(holder, right)


def collection_share(holder: Any, territory: str, right: str) -> Decimal:
    """What the holder collects of `right` in `territory`: its territory share where it
    lists one, else its ownership share of that right."""
    for item in holder.territory_shares or ():
        if item.territory == territory:
            stated = getattr(item, f"{right}_share")
            if stated is not None:
                return Decimal(stated)
    return ownership_share(holder, right)
