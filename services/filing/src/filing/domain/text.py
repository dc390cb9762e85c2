"""Checks for the free-text fields of requests: required, bounded length, printable."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import TypeVar

from contracts.errors import InvalidInput

# Bounds that keep a register row and an event small; long enough for real titles and names.
NAME_MAX = 200
TITLE_MAX = 300
ALTERNATE_TITLES_MAX = 20
REASON_MAX = 2000

E = TypeVar("E", bound=StrEnum)


class TextTooLong(InvalidInput):
    code = "TOO_LONG"


class TextRequired(InvalidInput):
    code = "REQUIRED"


class UnknownValue(InvalidInput):
    code = "UNKNOWN_VALUE"


def _check_characters(value: str, *, field: str, multiline: bool) -> None:
    allowed = {"\n", "\t", "\r"} if multiline else set()
    for char in value:
        # Control characters (NUL above all, which Postgres refuses) are never part of a title.
        category = unicodedata.category(char)
        if category == "Cc" and char not in allowed:
            raise InvalidInput(f"{field} contains a control character", field=field)
        if category == "Cs":
            # A lone surrogate: bytes that were not UTF-8 (an imported file), never text.
            raise InvalidInput(f"{field} is not valid UTF-8 text", field=field)


def required_text(value: object, *, field: str, max_length: int, multiline: bool = False) -> str:
    """The value trimmed, or `InvalidInput` naming the field when missing, empty or too long."""
    if value is None:
        raise TextRequired(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field=field)
    text = value.strip()
    if not text:
        raise TextRequired(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise TextTooLong(f"{field} is longer than {max_length} characters", field=field)
    _check_characters(text, field=field, multiline=multiline)
    return text


def optional_text(
    value: object, *, field: str, max_length: int, multiline: bool = False
) -> str | None:
    """Like `required_text`, but None or blank means absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return required_text(value, field=field, max_length=max_length, multiline=multiline)


def parse_enum(enum: type[E], value: object, *, field: str) -> E:
    """The enum member whose value is `value`, or `InvalidInput` listing the allowed values."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value)
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in enum)
    raise UnknownValue(f"{field} must be one of {allowed}", field=field)
