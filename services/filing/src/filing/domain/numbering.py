"""Human-readable filing and registration numbers: F-YYYY-NNNNNN and R-YYYY-NNNNNN."""

from __future__ import annotations

import re
from enum import StrEnum


class NumberKind(StrEnum):
    FILING = "F"
    REGISTRATION = "R"


NUMBER_PATTERN = re.compile(r"^[FR]-\d{4}-\d{6,}$")


def format_number(kind: NumberKind, year: int, sequence: int) -> str:
    """The number of the `sequence`-th filing or registration of `year` (counting from 1)."""
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{kind.value}-{year:04d}-{sequence:06d}"


def parse_number(number: str) -> tuple[NumberKind, int, int]:
    """Kind, year and sequence of a number; the inverse of `format_number`."""
    if not NUMBER_PATTERN.match(number):
        raise ValueError(f"not a filing or registration number: {number!r}")
    kind, year, sequence = number.split("-")
    return NumberKind(kind), int(year), int(sequence)
