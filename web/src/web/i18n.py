"""The page's language and everything shown in it: gettext catalogues compiled in memory from
the committed .po files, locale negotiation, and CLDR formatting of dates and numbers (Babel)."""

from __future__ import annotations

import functools
import gettext
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE = "en"
# The language's own name, as the switcher shows it.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "ms": "Bahasa Melayu",
}
CATALOGUES = Path(__file__).parent / "translations"


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The switcher's choice (the `lang` cookie), else the browser's best match, else English."""
    if chosen in LANGUAGES:
        return chosen
    wanted: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(wanted):
        language = tag.replace("_", "-").split("-")[0].lower()
        # Malay is also tagged by its macrolanguage's older code ("zsm"); Indonesian by "in".
        language = {"in": "id", "zsm": "ms"}.get(language, language)
        if language in LANGUAGES:
            return language
    return SOURCE


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's catalogue, compiled from its .po file the first time it is asked for."""
    if language == SOURCE:
        return gettext.NullTranslations()
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def parse_time(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Formats:
    """One page's formatting: every number and date a template shows goes through here."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)

    def number(self, value: int | Decimal | str) -> str:
        return numbers.format_decimal(Decimal(str(value)), locale=self.locale)

    def share(self, value: Decimal | str) -> str:
        """A holder's share, given in percent by the API ("50.00"), as the locale writes it."""
        fraction = Decimal(str(value)) / 100
        return numbers.format_percent(fraction, "#,##0.##%", locale=self.locale)

    def money(self, value: Decimal | str, currency: str) -> str:
        """An amount of the API (a decimal string) in its currency, as the locale writes it,
        with every place the amount has (a statement's cents are never rounded away)."""
        amount = Decimal(str(value))
        return numbers.format_currency(amount, currency, locale=self.locale,
                                       decimal_quantization=False)

    def moment(self, value: str | datetime) -> str:
        """A time of the API (UTC) in the locale's medium form, in UTC, saying so."""
        return dates.format_datetime(
            parse_time(value), "medium", tzinfo=UTC, locale=self.locale
        ) + " UTC"

    def day(self, value: str | date) -> str:
        day = value if isinstance(value, date) else date.fromisoformat(value)
        return dates.format_date(day, "medium", locale=self.locale)

    def country(self, code: str) -> str:
        """A country's name in the page's language (CLDR), the code itself if it has none."""
        return str(self.locale.territories.get(code.upper(), code))
