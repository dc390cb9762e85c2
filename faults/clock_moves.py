"""The clock moves the nemesis makes (libfaketime offsets), and the largest of them: what a
moved service must still tolerate of a token the identity provider issued on the real clock."""

from __future__ import annotations

CLOCK_OFFSETS = ("+10m", "-10m", "+2h", "-2h", "+1d", "-1d", "+3d", "-3d")


def seconds(offset: str) -> int:
    """`+3d` -> 259200: the size of a move, either way."""
    unit = {"m": 60, "h": 3600, "d": 86400}[offset[-1]]
    return abs(int(offset[1:-1])) * unit


LARGEST_MOVE_SECONDS = max(seconds(o) for o in CLOCK_OFFSETS)
