"""A licence's countries in words (DOMAIN.md, Territories: "Shown to people"): the shortest
expression that gives exactly them on the licence's first day, written as a group's name with
the countries it leaves out or adds, or else as the countries' names. The pages (through
`templates/territory.html`) and the statement's PDF say it the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from contracts.territories import describe

from web.i18n import Formats
from web.labels import N_

GROUP = {
    "WORLD": N_("The world"),
    "ASEAN": N_("ASEAN"),
    "EU": N_("The European Union"),
    "EEA": N_("The European Economic Area"),
}


def in_words(countries: Iterable[str], day: str, _: Callable[[str], str], fmt: Formats) -> str:
    """`countries` as `describe` writes them on `day` (an ISO date, as the API gives it), in
    the page's language (`_`, its catalogue; `fmt`, its country names)."""
    terms = describe(countries, date.fromisoformat(day))
    if not terms or terms[0].code not in GROUP:
        return ", ".join(fmt.country(t.code) for t in terms)
    words = _(GROUP[terms[0].code])
    excluded = [fmt.country(t.code) for t in terms[1:] if not t.include]
    added = [fmt.country(t.code) for t in terms[1:] if t.include]
    if excluded:
        words = _("%(territory)s excluding %(countries)s") % {
            "territory": words, "countries": ", ".join(excluded)}
    if added:
        words = _("%(territory)s, plus %(countries)s") % {
            "territory": words, "countries": ", ".join(added)}
    return words
