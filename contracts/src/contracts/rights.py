"""Which rights of a work each licence medium uses (DOMAIN.md, "Co-owners' consent to
licences, and mandates"): the one table that says whose shares a licence needs."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.enums import Medium
from contracts.shares import RIGHTS

PERFORMING, MECHANICAL, SYNC = RIGHTS

# Streaming is both a communication to the public (performing) and a reproduction
# (mechanical), as societies license it; OTHER uses rights nobody can name, so all of them.
RIGHTS_OF_MEDIUM: dict[Medium, frozenset[str]] = {
    Medium.STREAMING: frozenset({PERFORMING, MECHANICAL}),
    Medium.DOWNLOAD: frozenset({MECHANICAL}),
    Medium.PRINT: frozenset({MECHANICAL}),
    Medium.BROADCAST: frozenset({PERFORMING}),
    Medium.PUBLIC_PERFORMANCE: frozenset({PERFORMING}),
    Medium.THEATRICAL: frozenset({PERFORMING}),
    Medium.SYNC: frozenset({SYNC}),
    Medium.MERCHANDISE: frozenset({SYNC}),
    Medium.OTHER: frozenset(RIGHTS),
}


def rights_used(media: Iterable[Medium]) -> frozenset[str]:
    """The rights a licence for these media uses."""
    return frozenset().union(*(RIGHTS_OF_MEDIUM[m] for m in media))
