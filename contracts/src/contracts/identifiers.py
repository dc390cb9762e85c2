"""Standard identifiers of works and parties (ISWC, ISRC, ISBN-13, ISNI, IPI name number).

Each `parse_*` function normalises its input and checks the check digit as DOMAIN.md gives
it, raising `InvalidInput` that names the field; the `Annotated` types do the same inside
pydantic models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from contracts._pydantic import as_validator
from contracts.errors import InvalidInput

# re.ASCII: a bare \d also matches other scripts' digits (Arabic-Indic, Thai…), which int()
# reads but no register stores.
_ISWC_INPUT = re.compile(r"T-?(\d{3})\.?(\d{3})\.?(\d{3})-?(\d)", re.ASCII)
_ISRC_INPUT = re.compile(r"[A-Z]{2}[A-Z0-9]{3}\d{2}\d{5}", re.ASCII)
_ISNI_INPUT = re.compile(r"\d{15}[\dX]", re.ASCII)
# ISO 2108: an ISBN-13 is an EAN-13 in the "Bookland" prefixes; other EAN-13s are not books.
_ISBN_PREFIXES = ("978", "979")


class InvalidIdentifier(InvalidInput):
    """An identifier is malformed or its check digit is wrong."""

    code = "INVALID_IDENTIFIER"


def _text(value: Any, field: str, name: str) -> str:
    return InvalidIdentifier.code_text(value, field=field, must=f"an {name} must be a string")


def iswc_check_digit(nine_digits: str) -> int:
    """C = (10 − ((1 + Σ i·dᵢ, i = 1..9) mod 10)) mod 10 (CISAC ISWC rules)."""
    total = 1 + sum(i * int(d) for i, d in enumerate(nine_digits, start=1))
    return (10 - total % 10) % 10


def parse_iswc(value: Any, field: str = "iswc") -> str:
    """`T-DDD.DDD.DDD-C` or `TDDDDDDDDDC` → `T-DDD.DDD.DDD-C`."""
    text = _text(value, field, "ISWC")
    match = _ISWC_INPUT.fullmatch(text)
    if match is None:
        raise InvalidIdentifier(
            f"{field}: {value!r} is not an ISWC (T-DDD.DDD.DDD-C or TDDDDDDDDDC)", field=field
        )
    a, b, c, check = match.groups()
    expected = iswc_check_digit(a + b + c)
    if int(check) != expected:
        raise InvalidIdentifier(
            f"{field}: ISWC {value!r} has check digit {check}, expected {expected}", field=field
        )
    return f"T-{a}.{b}.{c}-{check}"


def parse_isrc(value: Any, field: str = "isrc") -> str:
    """`CC-XXX-YY-NNNNN` (hyphens optional) → `CCXXXYYNNNNN`; ISRC has no check digit."""
    text = _text(value, field, "ISRC").replace("-", "")
    if _ISRC_INPUT.fullmatch(text) is None:
        raise InvalidIdentifier(
            f"{field}: {value!r} is not an ISRC (country letters, 3-character registrant, "
            "2-digit year, 5-digit designation)",
            field=field,
        )
    return text


def ean13_check_digit(twelve_digits: str) -> int:
    """EAN-13: weights 1,3,1,3… so that the sum with the check digit is ≡ 0 mod 10."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve_digits))
    return (10 - total % 10) % 10


def parse_isbn13(value: Any, field: str = "isbn") -> str:
    """13 digits from 978 or 979 (hyphens and spaces accepted) with an EAN-13 check digit."""
    text = _text(value, field, "ISBN").replace("-", "").replace(" ", "")
    if len(text) != 13 or not text.isascii() or not text.isdigit():
        raise InvalidIdentifier(f"{field}: {value!r} is not an ISBN-13 (13 digits)", field=field)
    if not text.startswith(_ISBN_PREFIXES):
        raise InvalidIdentifier(
            f"{field}: {value!r} is not an ISBN-13 (it must start with 978 or 979)", field=field
        )
    expected = ean13_check_digit(text[:12])
    if int(text[12]) != expected:
        raise InvalidIdentifier(
            f"{field}: ISBN-13 {value!r} has check digit {text[12]}, expected {expected}",
            field=field,
        )
    return text


def isni_check_character(fifteen_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character (0–9 or X)."""
    total = 0
    for d in fifteen_digits:
        total = (total + int(d)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def parse_isni(value: Any, field: str = "isni") -> str:
    """16 characters (spaces accepted) with a MOD 11-2 check character → 16 characters."""
    text = _text(value, field, "ISNI").replace(" ", "")
    if _ISNI_INPUT.fullmatch(text) is None:
        raise InvalidIdentifier(
            f"{field}: {value!r} is not an ISNI (15 digits and a check character 0-9 or X)",
            field=field,
        )
    expected = isni_check_character(text[:15])
    if text[15] != expected:
        raise InvalidIdentifier(
            f"{field}: ISNI {value!r} has check character {text[15]}, expected {expected}",
            field=field,
        )
    return text


def ipi_check_digits(nine_digits: str) -> str:
    """t = Σ dᵢ·(10 − i), r = t mod 101; check = 0 when r = 0, else (101 − r) mod 100."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(nine_digits)) % 101
    # r = 0 must give 00, not 101 mod 100 = 01 (DOMAIN.md, as django-music-publisher checks it).
    check = 0 if remainder == 0 else (101 - remainder) % 100
    return f"{check:02d}"


def parse_ipi_name_number(value: Any, field: str = "ipi_name_number") -> str:
    """11 digits whose last two check the first nine."""
    text = _text(value, field, "IPI name number")
    if not text.isascii() or not text.isdigit() or len(text) != 11:
        raise InvalidIdentifier(
            f"{field}: {value!r} is not an IPI name number (11 digits)", field=field
        )
    expected = ipi_check_digits(text[:9])
    if text[9:] != expected:
        raise InvalidIdentifier(
            f"{field}: IPI name number {value!r} has check digits {text[9:]}, expected {expected}",
            field=field,
        )
    return text


ISWC = Annotated[
    str,
    BeforeValidator(as_validator(parse_iswc)),
    WithJsonSchema(
        {"type": "string", "pattern": r"^T-\d{3}\.\d{3}\.\d{3}-\d$", "description": "ISWC"}
    ),
]
ISRC = Annotated[
    str,
    BeforeValidator(as_validator(parse_isrc)),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$", "description": "ISRC"}
    ),
]
ISBN13 = Annotated[
    str,
    BeforeValidator(as_validator(parse_isbn13)),
    WithJsonSchema({"type": "string", "pattern": r"^\d{13}$", "description": "ISBN-13"}),
]
ISNI = Annotated[
    str,
    BeforeValidator(as_validator(parse_isni)),
    WithJsonSchema({"type": "string", "pattern": r"^\d{15}[\dX]$", "description": "ISNI"}),
]
IPINameNumber = Annotated[
    str,
    BeforeValidator(as_validator(parse_ipi_name_number)),
    WithJsonSchema({"type": "string", "pattern": r"^\d{11}$", "description": "IPI name number"}),
]
