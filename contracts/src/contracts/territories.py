"""Territories as societies write them (DOMAIN.md, Territories): ISO 3166-1 alpha-2 country
codes (from pycountry) and groups whose memberships are valid over time, combined by an
expression of inclusions and exclusions read in order (`["WORLD", "-JP"]`).

Licences store the countries an expression covers over their period, so stored terms and
events list countries only; `countries_for_period` refuses a period across a membership change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from contracts._pydantic import as_validator
from contracts.errors import InvalidInput

COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)


@dataclass(frozen=True)
class Membership:
    """A country or group in a group from `since` to `until` (both days included)."""

    member: str
    since: date | None = None
    until: date | None = None

    def valid_on(self, day: date | None) -> bool:
        """`day=None` asks for the membership as it now stands: any without a last day."""
        if day is None:
            return self.until is None
        return (self.since is None or self.since <= day) and (
            self.until is None or day <= self.until
        )


def _joined(since: date, *members: str) -> tuple[Membership, ...]:
    return tuple(Membership(m, since) for m in members)


# Accession dates: ASEAN's Secretariat and the EU's treaties of accession (the EU's line
# starts with the founding communities, 1958); the UK left the EU after 2020-01-31.
GROUPS: Mapping[str, tuple[Membership, ...]] = {
    "WORLD": tuple(Membership(c) for c in sorted(COUNTRIES)),
    "ASEAN": (
        *_joined(date(1967, 8, 8), "ID", "MY", "PH", "SG", "TH"),
        *_joined(date(1984, 1, 7), "BN"),
        *_joined(date(1995, 7, 28), "VN"),
        *_joined(date(1997, 7, 23), "LA", "MM"),
        *_joined(date(1999, 4, 30), "KH"),
        *_joined(date(2025, 10, 26), "TL"),
    ),
    "EU": (
        *_joined(date(1958, 1, 1), "BE", "DE", "FR", "IT", "LU", "NL"),
        *_joined(date(1973, 1, 1), "DK", "IE"),
        Membership("GB", date(1973, 1, 1), date(2020, 1, 31)),
        *_joined(date(1981, 1, 1), "GR"),
        *_joined(date(1986, 1, 1), "ES", "PT"),
        *_joined(date(1995, 1, 1), "AT", "FI", "SE"),
        *_joined(date(2004, 5, 1), "CY", "CZ", "EE", "HU", "LT", "LV", "MT", "PL", "SI", "SK"),
        *_joined(date(2007, 1, 1), "BG", "RO"),
        *_joined(date(2013, 7, 1), "HR"),
    ),
    "EEA": (
        Membership("EU", date(1994, 1, 1)),
        *_joined(date(1994, 1, 1), "IS", "NO"),
        *_joined(date(1995, 5, 1), "LI"),
    ),
}


class InvalidTerritory(InvalidInput):
    """Not an ISO 3166-1 alpha-2 code nor a known group, or an expression that covers nothing."""

    code = "INVALID_TERRITORY"


def parse_country(code: Any, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased (`th` → `TH`)."""
    if type(code) is str and code in COUNTRIES:
        return code  # already a code as written on the wire (every event's countries)
    must = "a country must be a string code"
    normalised = InvalidTerritory.code_text(code, field=field, must=must)
    if normalised not in COUNTRIES:
        raise InvalidTerritory(
            f"{field}: {code!r} is not an ISO 3166-1 alpha-2 country code", field=field
        )
    return normalised


@dataclass(frozen=True)
class Term:
    """One step of an expression: add (`include`) or remove a country's or group's countries."""

    code: str
    include: bool

    def __str__(self) -> str:
        return self.code if self.include else f"-{self.code}"


def parse_expression(codes: Iterable[Any], field: str = "territories") -> tuple[Term, ...]:
    """A list of `CODE`, `+CODE` and `-CODE` terms; the first must add."""
    if isinstance(codes, str):
        raise InvalidTerritory(f"{field}: territories must be a list of codes", field=field)
    terms: list[Term] = []
    for index, raw in enumerate(codes):
        at = f"{field}[{index}]"
        text = raw.strip() if isinstance(raw, str) else raw
        include = True
        if isinstance(text, str) and text[:1] in ("+", "-"):
            include, text = text[0] == "+", text[1:]
        if isinstance(text, str) and text.upper() in GROUPS:
            code = text.upper()
        else:
            try:
                code = parse_country(text, field=at)
            except InvalidTerritory:
                raise InvalidTerritory(
                    f"{at}: {raw!r} is neither an ISO 3166-1 alpha-2 country code nor a "
                    f"group ({', '.join(GROUPS)})",
                    field=at,
                ) from None
        if not terms and not include:
            raise InvalidTerritory(
                f"{at}: an expression starts with what it includes, not with {raw!r}", field=at
            )
        terms.append(Term(code, include))
    if not terms:
        raise InvalidTerritory(f"{field}: at least one territory is required", field=field)
    return tuple(terms)


def members(code: str, day: date | None) -> frozenset[str]:
    """The countries a country or group stands for on `day` (nested groups resolved)."""
    if code not in GROUPS:
        return frozenset({code})
    found: set[str] = set()
    for membership in GROUPS[code]:
        if membership.valid_on(day):
            found |= members(membership.member, day)
    return frozenset(found)


def evaluate(terms: Iterable[Term], day: date | None) -> frozenset[str]:
    """The countries an expression covers on `day`, its terms applied in order."""
    covered: frozenset[str] = frozenset()
    for term in terms:
        countries = members(term.code, day)
        covered = covered | countries if term.include else covered - countries
    return covered


def _changes(code: str) -> set[date]:
    """The days on which a group's membership can change (first days, days after last days)."""
    days: set[date] = set()
    for membership in GROUPS.get(code, ()):
        if membership.since is not None:
            days.add(membership.since)
        if membership.until is not None:
            days.add(membership.until + timedelta(days=1))
        days |= _changes(membership.member)
    return days


def countries_for_period(
    codes: Iterable[Any], start: date, end: date | None, field: str = "territories"
) -> tuple[str, ...]:
    """The sorted countries an expression covers on every day of `[start, end]` (`end=None`:
    open); refused when they change within the period (DOMAIN.md, Territories), naming the
    day to split at, or when they are none."""
    terms = parse_expression(codes, field)
    covered = evaluate(terms, start)
    for day in sorted(d for t in terms for d in _changes(t.code)):
        if start < day and (end is None or day <= end) and evaluate(terms, day) != covered:
            raise InvalidTerritory(
                f"{field}: {' '.join(map(str, terms))} covers other countries from "
                f"{day.isoformat()} than before, within the period; offer the days before "
                f"{day.isoformat()} and those from it separately, or list the countries",
                field=field,
            )
    if not covered:
        raise InvalidTerritory(
            f"{field}: {' '.join(map(str, terms))} covers no country on {start.isoformat()}",
            field=field,
        )
    return tuple(sorted(covered))


def expand_territories(codes: Iterable[Any], field: str = "territories") -> tuple[str, ...]:
    """An expression → sorted countries, with groups as they now stand (no date applies)."""
    covered = evaluate(parse_expression(codes, field), None)
    if not covered:
        raise InvalidTerritory(f"{field}: the territories cover no country", field=field)
    return tuple(sorted(covered))


def describe(countries: Iterable[str], day: date | None) -> tuple[Term, ...]:
    """The shortest expression covering exactly `countries` on `day` (DOMAIN.md,
    Territories): a group with the countries it lacks added and those it has but `countries`
    do not excluded, or the countries themselves; a tie keeps the countries, then the group
    listed first. Its exclusions come before its additions, so reading it back in order on
    `day` gives `countries` again."""
    wanted = frozenset(countries)
    best = tuple(Term(code, True) for code in sorted(wanted))
    for group in GROUPS:
        has = members(group, day)
        if not has & wanted:
            continue
        candidate = (
            Term(group, True),
            *(Term(code, False) for code in sorted(has - wanted)),
            *(Term(code, True) for code in sorted(wanted - has)),
        )
        if len(candidate) < len(best):
            best = candidate
    return best


# Groups as they now stand, for callers that name them (tests, the web app's hints).
ASEAN: tuple[str, ...] = tuple(sorted(members("ASEAN", None)))
WORLD: tuple[str, ...] = tuple(sorted(COUNTRIES))


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
