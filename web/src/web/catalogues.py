"""Keeps the message catalogues in step with the code. `python -m web.catalogues` extracts
every message of the web app's code and templates into `translations/messages.pot` and merges
it into each language's `.po` (a new message arrives untranslated, a gone one is dropped);
`missing()` lists what a catalogue lacks (the unit tests fail on it). The `.po` files are the
only committed form: `web.i18n` compiles them in memory."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from web.i18n import CATALOGUES, LANGUAGES, SOURCE

PACKAGE = Path(__file__).resolve().parent
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
TEMPLATE = CATALOGUES / "messages.pot"


def extract() -> Catalog:
    """Every message the code and the templates show, with where each is."""
    template = Catalog(project="rights-web", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, METHODS, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def po_path(language: str) -> Path:
    return CATALOGUES / language / "LC_MESSAGES" / "messages.po"


def read(language: str) -> Catalog:
    """The language's catalogue; a new, empty one for a language not yet translated."""
    if not po_path(language).exists():
        return Catalog(locale=language, project="rights-web", fuzzy=False)
    with po_path(language).open("rb") as po:
        return read_po(po, locale=language)


def missing(template: Catalog, language: str) -> list[str]:
    """The template's messages the language's catalogue lacks, leaves empty, or marks fuzzy."""
    catalogue = read(language)
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        strings = found.string if found is not None else None
        translated = (all(strings) if isinstance(strings, tuple | list) else bool(strings))
        if found is None or found.fuzzy or not translated:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def update() -> None:
    template = extract()
    with TEMPLATE.open("wb") as out:
        write_po(out, template, width=100, omit_header=True, sort_output=True)
    for language in LANGUAGES:
        if language == SOURCE:
            continue
        catalogue = read(language)
        catalogue.update(template, no_fuzzy_matching=True)
        po_path(language).parent.mkdir(parents=True, exist_ok=True)
        with po_path(language).open("wb") as out:
            write_po(out, catalogue, width=100, sort_output=True, ignore_obsolete=True)
        gaps = missing(template, language)
        if gaps:
            print(f"{language}: {len(gaps)} messages to translate", file=sys.stderr)


if __name__ == "__main__":
    update()
