"""The identity provider's pages in the web app's languages (WEB.md, "The identity provider's
pages"): the realm's login theme lists exactly the web app's languages, and the languages
Keycloak does not ship carry the same messages, each with the placeholders of its English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from web.i18n import LANGUAGES

INFRA = Path(__file__).resolve().parents[3] / "infra" / "keycloak"
THEME = INFRA / "themes" / "rights" / "login"
ADDED = ("vi", "id", "ms")  # Keycloak 26.4 ships en and th


def messages(language: str) -> dict[str, str]:
    lines = (THEME / "messages" / f"messages_{language}.properties").read_text("utf-8")
    pairs = (line.split("=", 1) for line in lines.splitlines()
             if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_realm_and_its_theme_offer_the_web_apps_languages() -> None:
    realm = json.loads((INFRA / "realm-rights.json").read_text())
    properties = (THEME / "theme.properties").read_text()
    locales = re.search(r"^locales=(.*)$", properties, re.MULTILINE)
    assert locales is not None
    assert locales.group(1).split(",") == realm["supportedLocales"] == list(LANGUAGES)
    assert realm["loginTheme"] == "rights" and realm["internationalizationEnabled"]


@pytest.mark.parametrize("language", ADDED)
def test_each_added_language_has_every_message_with_its_placeholders(language: str) -> None:
    reference, mine = messages("vi"), messages(language)
    assert set(mine) == set(reference)
    for key in ("emailVerifyInstruction1", "loginTitle", "invalidPasswordMinLengthMessage",
                "error-invalid-length"):
        assert re.findall(r"\{\d\}", mine[key]) == re.findall(r"\{\d\}", reference[key]), key
    assert all(value for value in mine.values())


def test_the_sign_up_words_are_the_registers_in_every_language() -> None:
    for language in LANGUAGES:
        assert {"registerTitle", "doRegister", "noAccount"} <= set(messages(language))
