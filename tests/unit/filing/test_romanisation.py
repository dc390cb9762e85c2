"""Romanisation of the scripts ICU cannot romanise (domain.romanisation): Khmer by the
UNGEGN system, Lao by its Thai twin letters; and that romanised queries find such titles."""

from __future__ import annotations

import pytest
from filing.domain.romanisation import latin
from filing.domain.search_index import party_search_columns, query_terms, search_columns
from filing.domain.titles import search_text


# The oracle: Cambodia's place names as the UN gazetteer spells them by UNGEGN's 1972
# system (UNGEGN Working Group on Romanization Systems, "Khmer", and the names' entries).
@pytest.mark.parametrize(
    ("khmer", "ungegn"),
    [
        ("ភ្នំពេញ", "phnumpenh"),  # Phnum Penh
        ("សៀមរាប", "siemreab"),  # Siem Reab
        ("បាត់ដំបង", "batdambang"),  # Batdambang
        ("កំពត", "kampot"),  # Kampot
        ("តាកែវ", "takaev"),  # Takaev
        ("កម្ពុជា", "kampuchea"),  # Kampuchea
    ],
)
def test_khmer_is_spelt_as_ungegn_spells_cambodias_place_names(khmer: str, ungegn: str) -> None:
    assert latin(search_text(khmer)) == ungegn


def test_lao_is_spelt_as_its_thai_twin_letters_are() -> None:
    # ລາວ / ลาว, ຄົນ (mai kon: a short o) / คน, ເພງ / เพง: the same word in either script.
    assert latin("ລາວ") == latin("ลาว") == "law"
    assert latin(search_text("ຄົນ")) == latin("โคน") == "khon"
    assert latin("ເພງ") == latin("เพง") == "pheng"
    # Letters the Thai block has no place for: the cluster's l, nyo, and hm.
    assert latin(search_text("ຫຼວງ")) == latin("หลวง")
    assert latin(search_text("ໝາກ")) == latin("หมาก")


def test_every_other_script_is_romanised_by_icu_unchanged() -> None:
    assert latin("ความรัก") == "khwam rak"
    assert latin("爱情") == "ai qing"
    assert latin("tình") == "tinh"


def _found(query: str, title: str) -> bool:
    words = set(search_columns(title, [], country="KH", kind="MUSICAL_WORK")["search_words"])
    return set(query_terms(query).words) <= words


def test_romanised_queries_find_khmer_and_lao_titles() -> None:
    assert _found("phnumpenh", "ភ្នំពេញ")
    assert _found("siemreab", "ចម្រៀង សៀមរាប")
    assert _found("law", "ເພງ ລາວ") and _found("pheng", "ເພງ ລາວ")
    assert "kampot" in set(party_search_columns("កំពត")["search_words"])
