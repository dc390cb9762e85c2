"""The ordering rule of the register read model: which snapshot of a party or work is newer,
and from when the shares of a newer work snapshot are in effect.

Filing numbers each aggregate's events (`version`, counted in the transaction that changes
it), so the order never depends on the clocks of the filing instances that wrote them.
Events from before versions existed carry none: they are older than every versioned one and
are ordered among themselves by their recorded time, as they always were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Stamp:
    """Where a snapshot stands in its aggregate's history."""

    version: int | None
    occurred_at: datetime


def supersedes(new: Stamp, held: Stamp | None) -> bool:
    """Whether `new` replaces the snapshot the read model `held`: a higher version wins;
    equal versions are the same snapshot again; unversioned ones fall back to time (a tie
    is applied, since records of one key arrive in the order they were written)."""
    if held is None:
        return True
    if new.version is not None:
        return held.version is None or held.version < new.version
    return held.version is None and held.occurred_at <= new.occurred_at


def shares_effective_from(occurred_at: datetime, latest: datetime | None) -> datetime:
    """When a newer snapshot's shares take effect: the time filing recorded the change, but
    never before the shares it replaces (a filing instance whose clock runs behind must not
    slide a later change under an earlier one; at the same instant the later one wins)."""
    return occurred_at if latest is None or latest < occurred_at else latest
