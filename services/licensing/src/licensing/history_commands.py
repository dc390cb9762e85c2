"""The requests of licence history and amendments as the API receives them (DOMAIN.md,
"Licence history" and "Amendments and renewals"), parsed once into the domain's values, each
error naming the request field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self

from contracts.errors import InvalidInput
from contracts.money import parse_rate
from contracts.territories import countries_for_period, parse_expression
from contracts.times import utc_now
from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from licensing.commands import parse_media
from licensing.domain.history import VersionTerms
from licensing.domain.terms import parse_period


class ProposeAmendment(BaseModel):
    """`POST /licences/{id}/amendments`: new terms in force from `effective_from`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effective_from: date
    end: date | None = None
    territories: list[str]
    media: list[str]
    exclusive: bool
    royalty_rate: Any
    _terms: VersionTerms = PrivateAttr()

    @model_validator(mode="after")
    def _parse_terms(self) -> Self:
        if not self.territories:
            raise InvalidInput("at least one territory is required", field="territories")
        parse_expression(self.territories, field="territories")
        media = parse_media(self.media)
        period = parse_period(self.effective_from, self.end, start_field="effective_from")
        self._terms = VersionTerms(
            effective_from=period.start,
            end=period.end,
            territories=tuple(countries_for_period(self.territories, period.start, period.end)),
            media=media,
            exclusive=self.exclusive,
            royalty_rate=parse_rate(self.royalty_rate, field="royalty_rate"),
        )
        return self

    @property
    def terms(self) -> VersionTerms:
        return self._terms


class RenewLicence(BaseModel):
    """`POST /licences/{id}/renewals`: the licence continues to a new end."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    end: date


@dataclass(frozen=True)
class AsOf:
    """Which licences an availability answer reads (DOMAIN.md, "Licence history"): those in
    force on `day` (valid time), as recorded at `known_at` (recorded time); both None is
    today's answer from the licence table."""

    day: date | None = None
    known_at: datetime | None = None

    @property
    def today(self) -> bool:
        return self.day is None and self.known_at is None


def parse_as_of(as_of: date | None = None, known_at: datetime | None = None) -> AsOf:
    """An availability query's `as_of` and `known_at` parameters (a FastAPI dependency)."""
    if known_at is not None:
        if known_at.tzinfo is None:
            raise InvalidInput("known_at needs a time zone (UTC: a trailing Z)", field="known_at")
        if known_at > utc_now():
            raise InvalidInput(
                "known_at is in the future: the register cannot know it yet", field="known_at"
            )
    return AsOf(day=as_of, known_at=known_at)
