"""A licence's countries in words (DOMAIN.md, Territories: "Shown to people"): the shortest
expression that gives exactly them on the licence's first day, a group's name with the
countries it leaves out or adds, or else the countries themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.territories import describe

from web.labels import N_

GROUP = {
    "WORLD": N_("The world"),
    "ASEAN": N_("ASEAN"),
    "EU": N_("The European Union"),
    "EEA": N_("The European Economic Area"),
}


@dataclass(frozen=True)
class Described:
    """`group` (None: just `added`, the countries themselves), less `excluded`, plus `added`."""

    group: str | None
    excluded: tuple[str, ...]
    added: tuple[str, ...]


def described(countries: Iterable[str], day: str) -> Described:
    """`countries` as the expression `describe` writes on `day` (an ISO date, as the API
    gives it)."""
    terms = describe(countries, date.fromisoformat(day))
    group = terms[0].code if terms and terms[0].code in GROUP else None
    rest = terms[1:] if group else terms
    return Described(group, tuple(t.code for t in rest if not t.include),
                     tuple(t.code for t in rest if t.include))
