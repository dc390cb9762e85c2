"""The corrected titles of a misspelt query (filing.register_search.corrected_keys): the
query's exact key with each misspelt term replaced, nearest replacement first."""

from __future__ import annotations

from filing.domain.search_index import query_terms
from filing.register_search import CORRECTED_KEYS_MAX, corrected_keys


def test_each_misspelt_term_is_replaced_in_the_querys_key() -> None:
    keys = corrected_keys("Amihan Sonatta Forever", ["sonatta"], [["sonata", "sonatas"]])
    assert keys == [
        query_terms("amihan sonata forever").keys[0],
        query_terms("amihan sonatas forever").keys[0],
    ]


def test_two_misspelt_terms_give_every_pair_of_replacements() -> None:
    keys = corrected_keys("lvoe sogn", ["lvoe", "sogn"], [["love"], ["song", "son"]])
    assert keys == ["lovesong", "loveson"]


def test_a_term_inside_an_unspaced_word_is_replaced_in_place() -> None:
    # Thai is written without spaces: the misspelt term is part of a longer token.
    keys = corrected_keys("ความรักในสายผน", ["สายผน"], [["สายฝน"]])
    assert keys == query_terms("ความรักในสายฝน").keys


def test_the_keys_are_bounded() -> None:
    options = [f"word{i}" for i in range(10)]
    keys = corrected_keys("aaaa bbbb cccc", ["aaaa", "bbbb", "cccc"], [options] * 3)
    assert len(keys) == CORRECTED_KEYS_MAX
    assert keys[0] == "word0word0word0"
