"""A usage line as a licensee reports it, checked field by field (DOMAIN.md, "Usage lines
and matching"): every error names the line's field, so a file's error report can say which
cell of which line is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from contracts.enums import Medium
from contracts.errors import InvalidInput
from contracts.folding import title_key
from contracts.identifiers import parse_isrc, parse_iswc
from contracts.money import parse_amount, parse_currency
from contracts.territories import parse_country

from licensing.domain.history import Segment
from licensing.domain.terms import Period, parse_period

REQUIRED = ("title", "units", "revenue", "currency", "territory", "period_start", "period_end")
OPTIONAL = ("line_key", "isrc", "iswc", "writers", "performers", "medium")
COLUMNS = REQUIRED + OPTIONAL
NAMES_SEPARATOR = "|"
MAX_TEXT = 500
_WHOLE = re.compile(r"\d+", re.ASCII)


@dataclass(frozen=True)
class UsageLine:
    line_key: str
    isrc: str | None
    iswc: str | None
    title: str
    writers: tuple[str, ...]
    performers: tuple[str, ...]
    units: int
    revenue: Decimal
    currency: str
    territory: str
    period: Period
    medium: Medium | None

    @property
    def title_key(self) -> str:
        return title_key(self.title)


def line_id(licensee: UUID, file_key: str, line_key: str) -> UUID:
    """The line's id: the same licensee, file key and line key are the same line, so a file
    sent twice stores each line once."""
    return uuid5(NAMESPACE_URL, f"usage-line:{licensee}:{file_key}:{line_key}")


def _text(raw: Mapping[str, str | None], field: str, *, required: bool = False) -> str | None:
    value = (raw.get(field) or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{field} is required", field=field)
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters", field=field)
    return value


def _names(raw: Mapping[str, str | None], field: str) -> tuple[str, ...]:
    value = _text(raw, field) or ""
    return tuple(n.strip() for n in value.split(NAMES_SEPARATOR) if n.strip())


def _day(raw: Mapping[str, str | None], field: str) -> date:
    value = _text(raw, field, required=True)
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise InvalidInput(f"{field}: not a date (YYYY-MM-DD): {value!r}", field=field) from None


def _medium(raw: Mapping[str, str | None]) -> Medium | None:
    value = _text(raw, "medium")
    if value is None:
        return None
    try:
        return Medium(value.upper())
    except ValueError:
        raise InvalidInput(f"medium: unknown medium {value!r}", field="medium") from None


def parse_line(raw: Mapping[str, str | None], *, default_key: str) -> UsageLine:
    """A line from its raw cells (all text, as a file gives them); `default_key` is its key
    when it gives none (a file's line number)."""
    isrc = _text(raw, "isrc")
    iswc = _text(raw, "iswc")
    units_text = _text(raw, "units", required=True) or ""
    if not _WHOLE.fullmatch(units_text):
        raise InvalidInput(f"units: a whole number >= 0, got {units_text!r}", field="units")
    currency = parse_currency(_text(raw, "currency", required=True), field="currency")
    revenue = parse_amount(_text(raw, "revenue", required=True), currency, field="revenue")
    territory = parse_country(_text(raw, "territory", required=True), field="territory")
    period = parse_period(
        _day(raw, "period_start"), _day(raw, "period_end"),
        start_field="period_start", end_field="period_end",
    )  # fmt: skip
    return UsageLine(
        line_key=_text(raw, "line_key") or default_key,
        isrc=None if isrc is None else parse_isrc(isrc, field="isrc"),
        iswc=None if iswc is None else parse_iswc(iswc, field="iswc"),
        title=_text(raw, "title", required=True) or "",
        writers=_names(raw, "writers"),
        performers=_names(raw, "performers"),
        units=int(units_text),
        revenue=revenue,
        currency=currency,
        territory=territory,
        period=period,
        medium=_medium(raw),
    )


@dataclass(frozen=True)
class LicenceCover:
    """What a licence covered, as a line's royalty needs it (`usage.covered_period` done)."""

    id: UUID
    work_id: UUID
    covered: Period
    territories: frozenset[str]
    media: frozenset[Medium]
    currency: str
    royalty_rate: Decimal


def covers_by_terms(cover: LicenceCover, segments: Sequence[Segment]) -> list[LicenceCover]:
    """An amended licence as lines meet it (DOMAIN.md, "Amendments and renewals"): one cover
    per stretch of its terms, each with that stretch's territories, media and rate, within
    what the licence covered. A line spanning a change of terms fits none of them."""
    found = []
    for segment in segments:
        if not segment.period.overlaps(cover.covered):
            continue
        found.append(
            replace(
                cover,
                covered=segment.period.intersection(cover.covered),
                territories=frozenset(segment.territories),
                media=frozenset(segment.media),
                royalty_rate=segment.royalty_rate,
            )
        )
    return found


def licence_for(line: UsageLine, licences: Sequence[LicenceCover]) -> LicenceCover | None:
    """The licence a matched line's royalty is due under: in force over the line's period,
    its territory, currency and (when named) medium; the earliest start, then the smallest id."""
    fitting = [
        c
        for c in licences
        if c.covered.contains(line.period)
        and line.territory in c.territories
        and c.currency == line.currency
        and (line.medium is None or line.medium in c.media)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (c.covered.start, str(c.id)))
