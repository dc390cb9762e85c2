"""The register's search terms (domain.search_index): ICU word breaks, Simplified and
Traditional Chinese, romanisation, and the same terms for a title and for a query."""

from __future__ import annotations

from typing import Any

from filing.domain.search_index import (
    country_term,
    is_composite,
    kind_term,
    party_search_columns,
    query_terms,
    search_columns,
    typo_distance,
    typo_variants,
    typos_allowed,
)
from filing.domain.titles import search_document, title_key
from hypothesis import given
from hypothesis import strategies as st


def _columns(title: str, alternates: list[str] | None = None) -> dict[str, Any]:
    return search_columns(title, alternates or [], country="TH", kind="MUSICAL_WORK")


def _words(title: str) -> set[str]:
    return set(_columns(title)["search_words"])


def _found(query: str, title: str, alternates: tuple[str, ...] = ()) -> bool:
    """Whether `query` finds the title: by its exact key, or by every one of its words."""
    columns = _columns(title, list(alternates))
    terms = query_terms(query)
    exact = bool(set(terms.keys) & set(columns["search_keys"]))
    return exact or (bool(terms.words) and set(terms.words) <= set(columns["search_words"]))


def test_unspaced_scripts_are_cut_into_words_however_a_query_is_spaced() -> None:
    for title, query in (
        ("แสงจันทร์ของฉัน", "แสง จันทร์"),  # Thai
        ("ສຽງເພງແຫ່ງຮັກ", "ເພງ"),  # Lao
        ("ចម្រៀងស្នេហ៍", "ស្នេហ៍"),  # Khmer
        ("မေတ္တာသီချင်း", "သီချင်း"),  # Burmese
    ):
        assert len(_words(title)) >= 2, title
        assert _found(query, title), (query, title)
        assert _found(query.replace(" ", ""), title), (query, title)
    assert query_terms("แสงจันทร์").words == query_terms("แสง จันทร์").words == ["แสงจันทร์"]


def test_vietnamese_is_found_with_or_without_tones() -> None:
    title = "Nối Vòng Tay Lớn"
    for query in ("noi vong tay lon", "VÒNG TAY", "Lớn", "nối vòng tay lớn"):
        assert _found(query, title), query
    assert query_terms("nối vòng tay lớn").keys == query_terms("noi vong tay lon").keys


def test_simplified_and_traditional_chinese_find_each_other() -> None:
    assert _found("愛情故事", "爱情故事") and _found("爱情故事", "愛情故事")
    assert _found("愛情", "爱情故事") and _found("故事", "愛情故事")
    assert set(query_terms("愛情故事").keys) & set(_columns("爱情故事")["search_keys"])


def test_short_chinese_and_thai_queries_are_terms_of_the_index() -> None:
    assert query_terms("爱").words == ["爱"]
    assert query_terms("雨夜").words == ["雨", "夜"]
    assert {"雨", "夜"} <= _words("雨夜的思念")
    assert query_terms("รัก").words == ["รัก"]
    assert "รัก" in _words("เพลงรัก")


def test_romanised_queries_find_native_titles() -> None:
    assert {"khwam", "rak"} <= _words("ความรัก")
    assert _found("khwam rak", "ความรัก") and _found("khwamrak", "ความรัก")
    assert _found("ai qing", "愛情") and _found("aiqing", "爱情")
    assert _found("katal", "காதல் பாடல்")  # Tamil
    # The romanised key makes it an exact title.
    assert "aiqinggushi" in _columns("愛情故事")["search_keys"]


def test_a_query_without_letters_or_digits_has_no_terms() -> None:
    assert query_terms("!!! ... ,").words == []
    assert query_terms("!!! ... ,").keys == []


def test_party_names_have_terms_in_their_script_and_romanised() -> None:
    words = set(party_search_columns("สมชาย ใจดี")["search_words"])
    assert {"สมชาย", "ใจ", "ดี"} <= words or {"สมชาย", "ใจดี"} <= words
    assert "smchay" in words  # ICU's Thai-Latin transliteration
    assert {"王", "小", "明"} <= set(party_search_columns("王小明")["search_words"])


@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                list("aáăÂđ Ǆ'-,.!ﬁ") + list("ความรักແສງចម្រៀងမေတ္တာ爱愛情காதல்") + ["\u200b", "\u0301"]
            ),
            max_size=24,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_folded_columns_are_the_titles_own(titles: list[str]) -> None:
    """The memoised pieces give exactly `titles.title_key` and `titles.search_document`."""
    columns = _columns(titles[0], titles[1:])
    assert columns["title_key"] == title_key(titles[0])
    assert columns["search_text"] == search_document(titles[0], titles[1:])
    assert columns["search_words"] == sorted(set(columns["search_words"]))
    # No real term takes a composite term's form (folding turns ':' into a space).
    real = [t for t in columns["search_words"] if not t.startswith(("c:TH:", "k:MUSICAL_WORK:"))]
    assert not any(is_composite(t) for t in real)
    assert not any(is_composite(t) for t in query_terms(" ".join(titles)).words)


def test_each_term_is_also_indexed_with_the_country_and_the_kind() -> None:
    columns = search_columns("愛情 Love: Story", ["ﾗﾌﾞ"], country="PH", kind="LITERARY")
    plain = search_columns("愛情 Love: Story", ["ﾗﾌﾞ"], country=None, kind=None)
    real = plain["search_words"]
    assert {"爱", "情", "love", "story", "ai"} <= set(real)
    assert not any(is_composite(t) for t in real)
    assert columns["search_words"] == sorted(
        [*real, *(f"c:PH:{t}" for t in real), *(f"k:LITERARY:{t}" for t in real)]
    )
    assert country_term("PH", "爱") == "c:PH:爱" and kind_term("LITERARY", "爱") == "k:LITERARY:爱"
    assert all(is_composite(t) for t in (country_term("PH", "爱"), kind_term("OTHER", "x")))
    # The keys and folded text are the same with or without them.
    assert {k: v for k, v in columns.items() if k != "search_words"} == {
        k: v for k, v in plain.items() if k != "search_words"
    }


def test_typo_distance_counts_edits_and_swaps() -> None:
    assert typo_distance("lvoe", "love") == 1  # a swap
    assert typo_distance("lov", "love") == 1
    assert typo_distance("vomg", "vong") == 1
    assert typo_distance("heait", "heart") == 1
    assert typo_distance("love", "love") == 0
    assert typo_distance("kitten", "sitting") == 3
    assert typos_allowed("love") == 1 and typos_allowed("bintang") == 2


@given(st.text(alphabet="abcdeกขค", min_size=1, max_size=8), st.data())
def test_a_word_one_edit_away_shares_a_variant(word: str, data: st.DataObject) -> None:
    """What the lexicon's `search_word_variant` relies on: one edit, one shared variant."""
    i = data.draw(st.integers(0, len(word) - 1))
    edits = {
        word[:i] + word[i + 1 :],  # deleted
        word[:i] + "x" + word[i + 1 :],  # replaced
        word[:i] + "x" + word[i:],  # inserted
        word[:i] + word[i + 1 : i + 2] + word[i] + word[i + 2 :],  # swapped with the next
    }
    for typo in edits - {""}:
        assert set(typo_variants(typo)) & set(typo_variants(word)), (typo, word)
        assert typo_distance(typo, word) <= 1
