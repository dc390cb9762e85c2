"""Territories: ISO 3166-1 alpha-2 country codes (from pycountry) and the shorthands
`WORLD` and `ASEAN`, which are expanded on input so stored terms list countries only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from contracts._pydantic import as_validator
from contracts.errors import InvalidInput

# Timor-Leste became the eleventh member in 2025 (DOMAIN.md, Licences).
ASEAN: tuple[str, ...] = ("BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "TL", "VN")

COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)
WORLD: tuple[str, ...] = tuple(sorted(COUNTRIES))

SHORTHANDS: dict[str, tuple[str, ...]] = {"WORLD": WORLD, "ASEAN": ASEAN}


class InvalidTerritory(InvalidInput):
    """Not an ISO 3166-1 alpha-2 code nor a known shorthand."""

    code = "INVALID_TERRITORY"


def parse_country(code: Any, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased (`th` → `TH`)."""
    must = "a country must be a string code"
    normalised = InvalidTerritory.code_text(code, field=field, must=must)
    if normalised not in COUNTRIES:
        raise InvalidTerritory(
            f"{field}: {code!r} is not an ISO 3166-1 alpha-2 country code", field=field
        )
    return normalised


def expand_territories(codes: Iterable[Any], field: str = "territories") -> tuple[str, ...]:
    """Country codes and shorthands → sorted unique country codes; at least one required."""
    if isinstance(codes, str):
        raise InvalidTerritory(f"{field}: territories must be a list of codes", field=field)
    expanded: set[str] = set()
    for index, code in enumerate(codes):
        if isinstance(code, str) and code.strip().upper() in SHORTHANDS:
            expanded.update(SHORTHANDS[code.strip().upper()])
        else:
            expanded.add(parse_country(code, field=f"{field}[{index}]"))
    if not expanded:
        raise InvalidTerritory(f"{field}: at least one territory is required", field=field)
    return tuple(sorted(expanded))


def _expanded_list(codes: Any) -> list[str]:
    return list(expand_territories(codes))


def _require_expanded(codes: list[str]) -> list[str]:
    if codes != sorted(set(codes)):
        raise ValueError("territories must be sorted and unique")
    return codes


CountryCode = Annotated[
    str,
    BeforeValidator(as_validator(parse_country)),
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2 code"}
    ),
]

# On the wire territories are always expanded: sorted, unique country codes.
Territories = Annotated[
    list[str],
    BeforeValidator(as_validator(_expanded_list)),
    AfterValidator(_require_expanded),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "minItems": 1,
            "uniqueItems": True,
            "description": "ISO 3166-1 alpha-2 codes, expanded, sorted and unique",
        }
    ),
]
