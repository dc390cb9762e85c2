"""The custom scalars: Decimal as a string only, so money never passes through a float."""

from __future__ import annotations

import datetime
import decimal
import re

import strawberry
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

# No currency has more than four minor-unit places (ISO 4217: CLF, UYW); each field then
# applies its own rule (shares and rates 2 places, amounts the currency's minor units).
MAX_PLACES = 4
MAX_DIGITS = 20


def parse_decimal(value: object) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, str):
        raise StrawberryInputCoercionError(
            f"Decimal must be a string such as \"12.50\", not {type(value).__name__} {value!r}"
        )
    text = value.strip()
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise StrawberryInputCoercionError(f"{value!r} is not a decimal number") from None
    if not number.is_finite() or "e" in text.lower():
        raise StrawberryInputCoercionError(f"{value!r} is not a plain decimal number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_PLACES:
        raise StrawberryInputCoercionError(
            f"{value!r} has too many decimal places (at most {MAX_PLACES})"
        )
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise StrawberryInputCoercionError(f"{value!r} has too many digits")
    return number


def serialize_decimal(value: decimal.Decimal | float) -> str:
    if isinstance(value, float):
        # A float here is a bug upstream: refuse rather than print a rounded amount.
        raise TypeError("Decimal fields never carry floats")
    return format(decimal.Decimal(value), "f")


DecimalScalar: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='Decimal string, e.g. "12.50": never a float',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {decimal.Decimal: DecimalScalar}


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object) -> datetime.date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise StrawberryInputCoercionError(f"Date must be a string YYYY-MM-DD, not {value!r}")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(f"{value!r} is not a calendar date") from None


def parse_datetime(value: object) -> datetime.datetime:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError(f"DateTime must be an RFC 3339 string, not {value!r}")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(f"{value!r} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise StrawberryInputCoercionError(f"{value!r} has no time zone offset")
    return parsed.astimezone(datetime.UTC)


def serialize_datetime(value: datetime.datetime | str) -> str:
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


DateScalar: ScalarDefinition = strawberry.scalar(
    name="Date",
    description="ISO 8601 date, YYYY-MM-DD",
    serialize=lambda value: value.isoformat(),
    parse_value=parse_date,
)
DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="RFC 3339 date-time, UTC",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

SCALAR_MAP.update({datetime.date: DateScalar, datetime.datetime: DateTimeScalar})
