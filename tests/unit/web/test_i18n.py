"""The page's language and its formats (WEB.md, "Languages")."""

from __future__ import annotations

import pytest
from web.catalogues import TEMPLATE, extract, missing
from web.i18n import LANGUAGES, SOURCE, Formats, negotiate, translations


def test_the_switchers_choice_wins_over_the_browsers() -> None:
    assert negotiate("vi", "th-TH,th;q=0.9") == "vi"


@pytest.mark.parametrize(("header", "language"), [
    ("th-TH,th;q=0.9,en;q=0.5", "th"),
    ("fr-FR, ms;q=0.8, en;q=0.7", "ms"),
    ("en;q=0.2, id;q=0.9", "id"),
    ("in", "id"),
    ("vi_VN", "vi"),
    ("de, fr", SOURCE),
    ("", SOURCE),
    ("th;q=0, vi;q=bad, id", "id"),
])
def test_the_browsers_best_supported_language_is_chosen(header: str, language: str) -> None:
    assert negotiate(None, header) == language


def test_an_unknown_choice_falls_back_to_the_browser() -> None:
    assert negotiate("xx", "vi") == "vi"


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != SOURCE])
def test_every_message_of_the_code_and_templates_is_translated(language: str) -> None:
    assert missing(extract(), language) == []


def test_the_committed_template_holds_exactly_the_extracted_messages() -> None:
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as pot:
        committed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    assert committed == extracted, "run `python -m web.catalogues` and translate what is new"


def test_catalogues_are_compiled_in_memory_and_translate() -> None:
    assert translations("th").gettext("Search the register") == "ค้นหาในทะเบียน"
    assert translations("vi").ngettext("%(count)s work", "%(count)s works", 2) == "%(count)s tác phẩm"
    assert translations("en").gettext("Search the register") == "Search the register"


def test_numbers_follow_the_locales_separators() -> None:
    assert Formats("en").number(1234567) == "1,234,567"
    assert Formats("vi").number(1234567) == "1.234.567"
    assert Formats("id").number("1234.5") == "1.234,5"


def test_shares_are_percentages_written_the_locales_way() -> None:
    assert Formats("en").share("33.33") == "33.33%"
    assert Formats("vi").share("33.33") == "33,33%"
    assert Formats("th").share("100.00") == "100%"


def test_times_are_shown_in_utc_in_the_locales_form() -> None:
    assert Formats("en").moment("2026-12-06T14:00:05Z") == "Dec 6, 2026, 2:00:05\u202fPM UTC"
    assert Formats("th").moment("2026-12-06T21:00:05+07:00") == "6 ธ.ค. 2026 14:00:05 UTC"


def test_countries_are_named_in_the_page_language() -> None:
    assert Formats("th").country("VN") == "เวียดนาม"
    assert Formats("vi").country("TH") == "Thái Lan"
    assert Formats("en").country("ZZZ") == "ZZZ"
