"""A licence's terms (territories, media, exclusivity, period, money) and the period rule;
`licensing.commands` builds them from a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from contracts.enums import Medium

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
    # DOMAIN.md, "Advances and minimum guarantees": 0 is none.
    minimum_guarantee: Decimal = Decimal(0)


def terms_fields(terms: Terms) -> dict[str, object]:
    """The terms as the flat fields the licence table and the licence events both spell."""
    return {
        "territories": list(terms.territories),
        "media": [m.value for m in terms.media],
        "exclusive": terms.exclusive,
        "start": terms.period.start,
        "end": terms.period.end,
        "royalty_rate": terms.royalty_rate,
        "advance": terms.advance,
        "currency": terms.currency,
        "minimum_guarantee": terms.minimum_guarantee,
    }
