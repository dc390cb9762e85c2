"""Money: ISO 4217 currencies with their minor units, amounts and royalty rates as Decimal.

Floats are refused everywhere (a JSON number in a money field is an error): money travels
as decimal strings and is computed as `Decimal`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import pycountry
from pydantic import BeforeValidator, GetPydanticSchema, PlainSerializer, WithJsonSchema

from contracts._pydantic import as_validator
from contracts.errors import InvalidInput

# ISO 4217 minor units; pycountry has the codes but not the exponents. Every ASEAN currency
# is here (Timor-Leste uses USD), plus the currencies a regional licence is likely to use.
MINOR_UNITS: dict[str, int] = {
    # ASEAN
    "BND": 2, "IDR": 2, "KHR": 2, "LAK": 2, "MMK": 2, "MYR": 2, "PHP": 2, "SGD": 2,
    "THB": 2, "VND": 0,
    # major and regional
    "USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CNY": 2, "KRW": 0, "AUD": 2, "NZD": 2,
    "INR": 2, "HKD": 2, "TWD": 2, "CHF": 2, "CAD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "HUF": 2, "ZAR": 2, "BRL": 2, "MXN": 2, "AED": 2, "SAR": 2,
    "BDT": 2, "PKR": 2, "LKR": 2, "NPR": 2, "TRY": 2, "ILS": 2, "EGP": 2, "NGN": 2,
    "KES": 2, "MOP": 2,
    # zero-decimal
    "CLP": 0, "ISK": 0, "UGX": 0, "XOF": 0, "XAF": 0, "XPF": 0, "PYG": 0, "RWF": 0,
    "VUV": 0, "KMF": 0, "GNF": 0, "DJF": 0, "BIF": 0,
    # three-decimal
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}  # fmt: skip

_DECIMAL_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")
_ISO_CURRENCIES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies)


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
            f"{field}: currency {normalised} is not supported (its minor units are unknown)",
            field=field,
        )
    return normalised


def minor_units(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, USD 2, KWD 3)."""
    return MINOR_UNITS[parse_currency(currency)]


def parse_decimal(value: Any, field: str = "amount") -> Decimal:
    """A finite Decimal from a decimal string, int or Decimal; never from a float."""
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
