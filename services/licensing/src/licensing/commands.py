"""The licensing commands as the API receives them, parsed once into the domain's values.

Each model checks its JSON types first (pydantic: a 400 naming the field), then builds the
value objects the service hands to the domain; a rule broken there raises the domain's own
coded error, naming the request field. Money arrives raw so that a JSON number is refused
(`contracts.money`): floats never become amounts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Self
from uuid import UUID

from contracts.enums import LicenceStatus, Medium
from contracts.errors import InvalidInput
from contracts.money import parse_amount, parse_currency, parse_decimal, parse_rate
from contracts.territories import countries_for_period, parse_expression
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from licensing.domain.availability import Footprint
from licensing.domain.terms import Terms, parse_period


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
    minimum_guarantee: object = None,
) -> Terms:
    """An offer's terms from its raw fields; each error names the request field at fault, and
    they are checked in the order the fields are written."""
    territory_codes = list(territories)
    if not territory_codes:
        raise InvalidInput("at least one territory is required", field="territories")
    parse_expression(territory_codes, field="territories")  # its errors first, in field order
    parsed_media = parse_media(media)
    period = parse_period(start, end)
    expanded = countries_for_period(territory_codes, period.start, period.end)
    code = parse_currency(currency, field="currency")
    rate = parse_rate(royalty_rate, field="royalty_rate")
    money = parse_amount(
        "0" if advance is None else advance, code, field="advance", allow_negative=False
    )
    guarantee = parse_amount(
        "0" if minimum_guarantee is None else minimum_guarantee, code,
        field="minimum_guarantee", allow_negative=False,
    )  # fmt: skip
    if guarantee and guarantee < money:
        raise InvalidInput(
            f"minimum_guarantee {guarantee} is below the advance {money}: 0 (none) or at "
            "least the advance",
            field="minimum_guarantee",
        )
    return Terms(
        territories=tuple(expanded),
        media=parsed_media,
        exclusive=exclusive,
        period=period,
        royalty_rate=rate,
        advance=money,
        currency=code,
        minimum_guarantee=guarantee,
    )


def parse_footprint(
    *, territories: str, media: str, start: date, end: date | None = None, exclusive: bool = False
) -> Footprint:
    """An availability query's footprint from its comma-separated query parameters (the
    routes take it as a FastAPI dependency, so these are the parameters' names)."""
    codes = _codes(territories)
    parse_expression(codes, field="territories")
    parsed_media = frozenset(parse_media(_codes(media)))
    period = parse_period(start, end)
    return Footprint(
        territories=frozenset(countries_for_period(codes, period.start, period.end)),
        media=parsed_media,
        exclusive=exclusive,
        period=period,
    )


def _codes(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


class OfferLicence(BaseModel):
    """`POST /licences`: an owner offers a licence of a work to a licensee."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_id: UUID
    licensee_id: UUID
    territories: list[str]
    media: list[str]
    exclusive: bool
    start: date
    end: date | None = None
    royalty_rate: Any
    advance: Any = None
    currency: str
    minimum_guarantee: Any = None
    # DOMAIN.md, "Advances and minimum guarantees": the deal, and whether it is
    # cross-collateralised (explicit: never implied by the deal alone).
    deal_id: UUID | None = None
    cross_collateralised: bool = False
    _terms: Terms = PrivateAttr()

    @model_validator(mode="after")
    def _parse_terms(self) -> Self:
        self._terms = parse_terms(
            **self.model_dump(
                exclude={"work_id", "licensee_id", "deal_id", "cross_collateralised"}
            )
        )
        if self.cross_collateralised and self.deal_id is None:
            raise InvalidInput(
                "cross_collateralised needs a deal_id: it is a deal's term",
                field="cross_collateralised",
            )
        return self

    @property
    def terms(self) -> Terms:
        return self._terms


class GiveReason(BaseModel):
    """The optional body of `decline`, `terminate` and `refuse`: why (the domain decides if
    required), at most REASON_MAX characters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Self:
        # A reason travels in events and notifications: bounded as filing bounds its reasons.
        if self.reason is not None and len(self.reason.strip()) > REASON_MAX:
            raise InvalidInput(f"reason: at most {REASON_MAX} characters", field="reason")
        return self


REASON_MAX = 2000


class ReportUsage(BaseModel):
    """`POST /licences/{id}/usage-reports`: the licensee reports usage, or corrects a report.

    The gross's decimal places are checked against the licence's currency by the service,
    which alone knows it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    period_start: date | None = None
    period_end: date | None = None
    units: Any
    gross_revenue: Any
    currency: str | None = None
    corrects_report_id: UUID | None = None
    _units: int = PrivateAttr()
    _gross: Decimal = PrivateAttr()
    _currency: str | None = PrivateAttr()

    @model_validator(mode="after")
    def _parse_amounts(self) -> Self:
        self._currency = (
            None if self.currency is None else parse_currency(self.currency, field="currency")
        )
        if isinstance(self.units, bool) or not isinstance(self.units, int):
            raise InvalidInput("units must be a whole number", field="units")
        self._units = self.units
        self._gross = parse_decimal(self.gross_revenue, field="gross_revenue")
        return self

    @property
    def unit_count(self) -> int:
        return self._units

    @property
    def gross(self) -> Decimal:
        """Signed: a correction may take revenue back; a normal report's sign is a rule."""
        return self._gross

    @property
    def currency_code(self) -> str | None:
        return self._currency


def parse_status(raw: str | None) -> LicenceStatus | None:
    """A query's `status` filter: a licence status by name, or none."""
    if raw is None:
        return None
    try:
        return LicenceStatus(raw)
    except ValueError:
        raise InvalidInput(f"unknown licence status {raw!r}", field="status") from None


# A file's or batch's key: 1 to 255 visible ASCII characters, like an idempotency key.
_FILE_KEY = re.compile(r"[\x21-\x7e]{1,255}")
MAX_API_LINES = 1000


def parse_file_key(raw: str | None, *, field: str = "file_key") -> str | None:
    if raw is None:
        return None
    if not _FILE_KEY.fullmatch(raw):
        raise InvalidInput(f"{field}: 1 to 255 visible ASCII characters", field=field)
    return raw


class ReportUsageLines(BaseModel):
    """`POST /usage-lines`: a batch of usage lines by API (DOMAIN.md, "Usage lines and
    matching"); each line's cells as a file gives them: text, or whole numbers for `units`
    (never JSON floats for money)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usage_file: str
    lines: list[dict[str, str | int | None]]

    @model_validator(mode="after")
    def _check(self) -> Self:
        parse_file_key(self.usage_file, field="usage_file")
        if not 1 <= len(self.lines) <= MAX_API_LINES:
            raise InvalidInput(f"lines: 1 to {MAX_API_LINES} lines", field="lines")
        return self

    def cells(self) -> list[dict[str, str | None]]:
        return [
            {name: None if value is None else str(value) for name, value in line.items()}
            for line in self.lines
        ]


class ClaimUsageLine(BaseModel):
    """`POST /usage-lines/{id}/claim`: an owner claims a queued line for its work."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_id: UUID


class RecordAdvancePayment(BaseModel):
    """`POST /licences/{id}/advance-payment`: the licensee records the advance as paid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paid_on: date
    reference: str

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not 1 <= len(self.reference.strip()) <= MAX_REFERENCE:
            raise InvalidInput(
                f"reference: 1 to {MAX_REFERENCE} characters", field="reference"
            )
        return self

    @property
    def stripped_reference(self) -> str:
        return self.reference.strip()


MAX_REFERENCE = 200


class GrantMandate(BaseModel):
    """`POST /mandates`: an owner gives an agent its consent in advance (DOMAIN.md,
    "Co-owners' consent to licences, and mandates"); no work is all the grantor's works, no
    media every medium."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent_id: UUID
    work_id: UUID | None = None
    media: list[str] = []
    valid_from: date
    valid_until: date | None = None
    _media: tuple[Medium, ...] = PrivateAttr()

    @model_validator(mode="after")
    def _parse_media(self) -> Self:
        self._media = parse_media(self.media) if self.media else ()
        return self

    @property
    def parsed_media(self) -> tuple[Medium, ...]:
        return self._media
