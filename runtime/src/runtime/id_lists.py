"""The one parser of the comma-separated id lists that every batch read takes (`?ids=a,b,c`)."""

from __future__ import annotations

from uuid import UUID

from contracts.errors import InvalidInput

MAX_IDS = 500
"""At most this many ids per call (docs/service-apis.md, Conventions)."""


def parse_ids(raw: str | None, *, field: str, limit: int = MAX_IDS) -> list[UUID]:
    """The distinct UUIDs of `raw` in their first-seen order; blanks between commas are skipped.

    A malformed entry is `InvalidInput` naming it (`work_ids[1]`) when the list has several,
    the list itself (`ids`) when it is the only one; more than `limit` names the list.
    """
    parts = [part.strip() for part in (raw or "").split(",")]
    parts = [part for part in parts if part]
    if len(parts) > limit:
        raise InvalidInput(f"{field}: at most {limit} ids per call", field=field)
    ids: list[UUID] = []
    for index, part in enumerate(parts):
        try:
            ids.append(UUID(part))
        except ValueError:
            name = field if len(parts) == 1 else f"{field}[{index}]"
            raise InvalidInput(f"{name}: {_shown(part)} is not a UUID", field=name) from None
    return list(dict.fromkeys(ids))


def _shown(part: str) -> str:
    # The message echoes the bad entry, cut short: a long or binary one is no help to read.
    return repr(part if len(part) <= 40 else part[:40] + "…")
