"""Money: ISO 4217 currencies with their minor units, amounts and royalty rates as Decimal.

Floats are refused everywhere (a JSON number in a money field is an error): money travels
as decimal strings and is computed as `Decimal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Annotated, Any

import iso4217
from pydantic import BeforeValidator, GetPydanticSchema, PlainSerializer, WithJsonSchema

from contracts._pydantic import as_validator
from contracts.errors import InvalidInput

# ISO 4217 minor units from the maintained `iso4217` package (DOMAIN.md, Licences): every
# active code with a minor unit; gold, the SDR and the no-currency codes have none ("N.A.").
MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {c.code: c.exponent for c in iso4217.Currency if c.exponent is not None}
)

_DECIMAL_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")
# Digits before the point of any amount, rate or share (DOMAIN.md, Licences: money): a
# thousand million million is beyond any deal, and it keeps every product and sum of amounts
# exact in Decimal's arithmetic, where 40 digits would end in an error instead of an answer.
MAX_WHOLE_DIGITS = 15
_ISO_CURRENCIES: frozenset[str] = frozenset(c.code for c in iso4217.Currency)


class InvalidMoney(InvalidInput):
    """A currency, amount or rate is malformed or out of range."""

    code = "INVALID_MONEY"


def parse_currency(code: Any, field: str = "currency") -> str:
    """An ISO 4217 code whose minor units this platform knows, upper-cased."""
    must = "a currency must be an ISO 4217 code string"
    normalised = InvalidMoney.code_text(code, field=field, must=must)
    if normalised not in _ISO_CURRENCIES:
        raise InvalidMoney(f"{field}: {code!r} is not an ISO 4217 currency code", field=field)
    if normalised not in MINOR_UNITS:
        raise InvalidMoney(
            f"{field}: {normalised} has no minor unit in ISO 4217, so no amount is written in it",
            field=field,
        )
    return normalised


def minor_units(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, USD 2, KWD 3)."""
    return MINOR_UNITS[parse_currency(currency)]


def parse_decimal(value: Any, field: str = "amount") -> Decimal:
    """A finite Decimal of at most MAX_WHOLE_DIGITS digits before the point, from a decimal
    string, int or Decimal; never from a float."""
    found = _parse_decimal(value, field)
    if found and found.adjusted() >= MAX_WHOLE_DIGITS:
        raise InvalidMoney(
            f"{field}: at most {MAX_WHOLE_DIGITS} digits before the decimal point", field=field
        )
    return found


def _parse_decimal(value: Any, field: str) -> Decimal:
    if type(value) is str and _DECIMAL_TEXT.fullmatch(value):  # the wire's form, first
        return Decimal(value)
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidMoney(
            f'{field}: must be a decimal string such as "12.50", not a {type(value).__name__}',
            field=field,
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidMoney(f"{field}: must be a finite number", field=field)
        return value
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid text
            pass
    raise InvalidMoney(f'{field}: {value!r} is not a decimal string such as "12.50"', field=field)


def places(value: Decimal) -> int:
    """Digits after the decimal point as written (`12.50` → 2, `12` → 0)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def parse_amount(
    value: Any, currency: str, field: str = "amount", *, allow_negative: bool = False
) -> Decimal:
    """An amount in `currency`, at most its minor units in places, quantized to them."""
    units = MINOR_UNITS[parse_currency(currency)]
    amount = parse_decimal(value, field)
    if places(amount) > units:
        raise InvalidMoney(
            f"{field}: {currency} amounts have at most {units} decimal places, got {value!r}",
            field=field,
        )
    if amount < 0 and not allow_negative:
        raise InvalidMoney(f"{field}: must not be negative, got {value!r}", field=field)
    return amount.quantize(Decimal(1).scaleb(-units))


def parse_rate(value: Any, field: str = "royalty_rate") -> Decimal:
    """A percentage in [0, 100] with at most 2 places, quantized to 2 places."""
    rate = parse_decimal(value, field)
    if places(rate) > 2:
        raise InvalidMoney(f"{field}: at most 2 decimal places, got {value!r}", field=field)
    if not Decimal(0) <= rate <= Decimal(100):
        raise InvalidMoney(f"{field}: must be between 0 and 100, got {value!r}", field=field)
    return rate.quantize(Decimal("0.01"))


def decimal_text(value: Decimal) -> str:
    """Plain positional notation, never an exponent (`1E+2` → `100`)."""
    return format(value, "f")


PERCENT_PATTERN = r"^\d{1,3}\.\d{2}$"


def decimal_wire(
    parse: Callable[[Any], Decimal], *, pattern: str, description: str
) -> GetPydanticSchema:
    """How a `Decimal` field travels, as one `Annotated` marker: text in, read by `parse`
    (whose coded message pydantic reports), plain positional text out (`decimal_text`), and
    described in JSON Schema as a string matching `pattern`."""
    markers = (
        BeforeValidator(as_validator(parse)),
        PlainSerializer(decimal_text, return_type=str, when_used="json"),
        WithJsonSchema({"type": "string", "pattern": pattern, "description": description}),
    )
    return GetPydanticSchema(
        lambda source, handler: handler.generate_schema(Annotated[(source, *markers)])
    )


# A signed decimal amount; its places are checked against the currency by the model.
DecimalString = Annotated[
    Decimal,
    decimal_wire(
        parse_decimal, pattern=r"^-?\d+(\.\d+)?$", description='decimal string, e.g. "1234.50"'
    ),
]
Rate = Annotated[
    Decimal,
    decimal_wire(
        parse_rate, pattern=PERCENT_PATTERN, description="percent of gross revenue, 0.00-100.00"
    ),
]
Currency = Annotated[
    str,
    BeforeValidator(as_validator(parse_currency)),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"}),
]


def check_places(amount: Decimal, currency: str, field: str) -> None:
    """Raise when `amount` has more places than `currency`'s minor units."""
    units = minor_units(currency)
    if places(amount) > units:
        raise InvalidMoney(
            f"{field}: {currency} amounts have at most {units} decimal places, got {amount}",
            field=field,
        )
