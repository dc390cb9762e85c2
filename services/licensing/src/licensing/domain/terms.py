"""A licence's terms (territories, media, exclusivity, period, money) and their validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from contracts.enums import Medium
from contracts.errors import InvalidInput
from contracts.money import parse_amount, parse_currency, parse_rate
from contracts.territories import expand_territories

from licensing.domain.errors import InvalidPeriod


@dataclass(frozen=True)
class Period:
    """Dates, both inclusive; an open end (`None`) runs forever."""

    start: date
    end: date | None = None

    def overlaps(self, other: Period) -> bool:
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )

    def intersection(self, other: Period) -> Period:
        start = max(self.start, other.start)
        ends = [e for e in (self.end, other.end) if e is not None]
        return Period(start, min(ends) if ends else None)

    def contains(self, other: Period) -> bool:
        if other.start < self.start:
            return False
        if self.end is None:
            return True
        return other.end is not None and other.end <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat() if self.end else 'open'}"


def parse_period(
    start: date, end: date | None, *, start_field: str = "start", end_field: str = "end"
) -> Period:
    if end is not None and end < start:
        raise InvalidPeriod(
            f"{end_field} {end.isoformat()} is before {start_field} {start.isoformat()}",
            field=end_field,
        )
    return Period(start, end)


@dataclass(frozen=True)
class Terms:
    territories: tuple[str, ...]
    media: tuple[Medium, ...]
    exclusive: bool
    period: Period
    royalty_rate: Decimal
    advance: Decimal
    currency: str


def parse_media(values: Iterable[str], *, field: str = "media") -> tuple[Medium, ...]:
    media: set[Medium] = set()
    for i, value in enumerate(values):
        try:
            media.add(Medium(value))
        except ValueError:
            raise InvalidInput(
                f"unknown medium {value!r}; expected one of {', '.join(m.value for m in Medium)}",
                field=f"{field}[{i}]",
                code="UNKNOWN_MEDIUM",
            ) from None
    if not media:
        raise InvalidInput("at least one medium is required", field=field)
    return tuple(sorted(media, key=lambda m: m.value))


def parse_terms(
    *,
    territories: Iterable[str],
    media: Iterable[str],
    exclusive: bool,
    start: date,
    end: date | None,
    royalty_rate: object,
    advance: object,
    currency: str,
) -> Terms:
    """Validates raw offer input; each error names the request field at fault."""
    territory_codes = list(territories)
    if not territory_codes:
        raise InvalidInput("at least one territory is required", field="territories")
    expanded = expand_territories(territory_codes, field="territories")
    parsed_media = parse_media(media)
    period = parse_period(start, end)
    code = parse_currency(currency, field="currency")
    rate = parse_rate(royalty_rate, field="royalty_rate")
    money = parse_amount(
        "0" if advance is None else advance, code, field="advance", allow_negative=False
    )
    return Terms(
        territories=tuple(expanded),
        media=parsed_media,
        exclusive=exclusive,
        period=period,
        royalty_rate=rate,
        advance=money,
        currency=code,
    )
