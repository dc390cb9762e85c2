"""Timestamps on the wire: timezone-aware, normalised to UTC, written as RFC 3339 with `Z`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer, WithJsonSchema

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC)


def format_rfc3339(value: datetime) -> str:
    """`2026-11-24T20:31:00.123456Z`: RFC 3339 in UTC with the `Z` designator."""
    return to_utc(value).isoformat().replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp (with a zone) → aware UTC datetime; ValueError otherwise."""
    if not _RFC3339.fullmatch(text):
        raise ValueError(f"{text!r} is not an RFC 3339 timestamp with a time zone")
    return to_utc(datetime.fromisoformat(text.upper().replace(" ", "T")))


def _not_a_number(value: Any) -> Any:
    # pydantic would read a number as Unix seconds; the wire format is RFC 3339 text only.
    if type(value) is str:
        return value  # the wire's form: no union isinstance per timestamp of every event
    if isinstance(value, int | float):
        raise ValueError("must be an RFC 3339 timestamp string, not a number")
    return value


UtcDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_not_a_number),
    AfterValidator(to_utc),
    PlainSerializer(format_rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "RFC 3339, UTC"}),
]
