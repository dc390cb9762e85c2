"""The one codec of the opaque page cursors (`after`) that every paginated list hands out."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.errors import InvalidInput

CursorPart = int | datetime | UUID
"""What a cursor may hold: the keyset of the last row of a page (a sequence, a time, an id)."""

MAX_CURSOR_LENGTH = 512


def encode_cursor(*parts: CursorPart) -> str:
    """An opaque, URL-safe token for `parts` (times must be timezone-aware)."""
    values = [_plain(part) for part in parts]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    token: str, kinds: Sequence[type[CursorPart]], *, field: str = "after"
) -> tuple[Any, ...]:
    """The parts `encode_cursor` was given, checked against `kinds`, or `InvalidInput` on
    `field`: a forged, truncated or foreign cursor must be a 400, never a query that fails."""
    refused = InvalidInput(f"{field} is not a cursor this service gave out", field=field)
    if not token or len(token) > MAX_CURSOR_LENGTH:
        raise refused
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, RecursionError):
        raise refused from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise refused
    parsed = tuple(_parsed(kind, value) for kind, value in zip(kinds, values, strict=True))
    if any(part is None for part in parsed):
        raise refused
    return parsed


def _plain(part: CursorPart) -> int | str:
    if isinstance(part, datetime):
        if part.utcoffset() is None:
            raise ValueError("a cursor's time must be timezone-aware")
        return part.isoformat()
    if isinstance(part, UUID):
        return str(part)
    return part


def _parsed(kind: type[CursorPart], value: Any) -> CursorPart | None:
    if kind is int:
        # bool is an int to Python, and a sequence past bigint would fail in the database.
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
        return value if ok else None
    if not isinstance(value, str):
        return None
    try:
        if kind is UUID:
            return UUID(value)
        if kind is datetime:
            at = datetime.fromisoformat(value)
            return at if at.utcoffset() is not None else None
    except ValueError:
        return None
    raise TypeError(f"cursor parts are int, datetime or UUID, not {kind}")
