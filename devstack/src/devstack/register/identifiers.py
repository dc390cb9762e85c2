"""Identifiers of the generated register, each unique and with a valid check digit.

The n-th identifier of a kind is a bijective scramble of n (an affine map modulo the
number space), so they look random yet never repeat; the check digits come from
`contracts.identifiers`, and the tests verify them with python-stdnum and
django-music-publisher, implementations this project did not write.
"""

from __future__ import annotations

from contracts.identifiers import (
    ean13_check_digit,
    ipi_check_digits,
    isni_check_character,
    iswc_check_digit,
)

_BILLION = 10**9
# Multipliers prime to 10: n -> (a·n + b) mod 10^k is then a bijection of 0..10^k-1.
_A, _B = 387_420_489, 104_729
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# ISRC registrants: the n-th recording gets registrant n mod this, designation n div this.
ISRC_REGISTRANTS = 5000


def _scramble(n: int, digits: int) -> str:
    space = 10**digits
    if not 0 <= n < space:
        raise ValueError(f"identifier number {n} is outside 0..{space - 1}")
    return f"{(_A * n + _B) % space:0{digits}d}"


def iswc(n: int) -> str:
    """The n-th ISWC, `T-DDD.DDD.DDD-C`."""
    nine = _scramble(n, 9)
    return f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{iswc_check_digit(nine)}"


def isbn13(n: int) -> str:
    """The n-th ISBN-13 (978 prefix)."""
    twelve = "978" + _scramble(n, 9)
    return f"{twelve}{ean13_check_digit(twelve)}"


def isrc(n: int, *, country: str, year: int) -> str:
    """The n-th ISRC: the country's code, a registrant, the year and a designation."""
    registrant_number, designation = n % ISRC_REGISTRANTS, n // ISRC_REGISTRANTS
    if designation >= 100_000:
        raise ValueError(f"ISRC number {n} is beyond the generator's space")
    code = (registrant_number * 7 + 1296) % (36**3)  # three characters, not all digits
    registrant = "".join(_BASE36[(code // 36**i) % 36] for i in (2, 1, 0))
    return f"{country}{registrant}{year % 100:02d}{designation:05d}"


def ipi_name_number(n: int) -> str:
    nine = _scramble(n, 9)
    return nine + ipi_check_digits(nine)


def isni(n: int) -> str:
    fifteen = "0000" + _scramble(n, 11)
    return fifteen + isni_check_character(fifteen)
