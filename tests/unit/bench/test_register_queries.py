"""The register benchmark's search mix (bench.register_queries): drawn from the generated
register itself, the same for the same seed, every shape present in equal parts, at least
as many queries as asked, and each shape what it says (a typo is one edit away, a short
query one or two characters, a romanised one ICU's Latin of a native title)."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from functools import cache

import icu
import pytest
from devstack.register.generator import Register, WorkRecord

from bench.register_queries import (
    SHAPES,
    RegisterSample,
    SearchQuery,
    Shape,
    _typo,
    query_mix,
    segments,
)

WORKS = 3000


@cache
def sample(seed: int = 16) -> RegisterSample:
    register = Register(WORKS, seed=seed)
    drawn = RegisterSample(size=600, seed=seed)
    for work in register.works():
        drawn.add_work(work)
    drawn.add_parties(register.parties())
    return drawn


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def _work(query: SearchQuery) -> WorkRecord:
    return next(w for w in sample().works if w.id == query.target)


def test_the_same_seed_draws_the_same_mix_and_another_seed_another() -> None:
    first = query_mix(sample(), 400, seed=3)
    assert first == query_mix(sample(), 400, seed=3)
    assert first != query_mix(sample(), 400, seed=4)
    assert query_mix(sample(16), 100, seed=3) != query_mix(sample(17), 100, seed=3)


@pytest.mark.parametrize("count", [1, 8, 999, 1000, 1001])
def test_every_shape_is_drawn_equally_and_at_least_as_many_as_asked(count: int) -> None:
    mix = query_mix(sample(), count)
    shapes = Counter(q.shape for q in mix)
    assert len(mix) >= count
    assert set(shapes) == set(SHAPES)
    assert len(set(shapes.values())) == 1
    assert len(mix) - count < len(SHAPES)


def test_the_sample_is_a_seeded_part_of_the_register_with_its_holders_names() -> None:
    drawn = sample()
    assert drawn.seen == WORKS and len(drawn.works) == 600
    assert len({w.id for w in drawn.works}) == 600
    assert drawn.holders() == set(drawn.names)
    assert drawn.holders() == {h.party_id for w in drawn.works for h in w.holders[1:]}
    assert [w.id for w in drawn.works] == [w.id for w in sample.__wrapped__(16).works]


def test_each_shape_is_what_it_says() -> None:
    mix = query_mix(sample(), 800)
    latin = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
    names = set(sample().names.values())
    common = {w for work in sample().works for w, rank in segments(work)
              if rank is not None and rank < 12}
    for query in mix:
        text = query.params["text"]
        assert text.strip() == text and text
        if query.shape is Shape.COMMON:
            assert text in common
        elif query.shape is Shape.RARE:
            assert len(text) >= 3
        elif query.shape is Shape.SHORT:
            assert 1 <= len(text) <= 2
        elif query.shape is Shape.IDENTIFIER:
            work = _work(query)
            assert text in (work.iswc, work.isrc, work.isbn)
        elif query.shape is Shape.ROMANISED:
            work = _work(query)
            assert text.isascii()
            assert text == " ".join(latin.transliterate(work.title).split())
        elif query.shape is Shape.TYPO:
            title = _work(query).title.casefold()
            assert _edits(text, title) == 1
        elif query.shape is Shape.NAME:
            assert text in names
        else:
            assert set(query.params) - {"text"} or query.holder is not None
            if query.holder is not None:
                assert query.holder in sample().holders()


def test_short_queries_come_from_scripts_without_spaces() -> None:
    short = [q for q in query_mix(sample(), 400) if q.shape is Shape.SHORT]
    chinese = [q for q in short if any("\u4e00" <= c <= "\u9fff" for c in q.params["text"])]
    thai = [q for q in short if any("\u0e00" <= c <= "\u0e7f" for c in q.params["text"])]
    assert chinese and thai
    assert all(q.target is None for q in short)


def test_titles_split_into_their_vocabulary_words_and_rare_pieces() -> None:
    for work in sample().works:
        pieces = segments(work)
        joined = "".join(w for w, _ in pieces).replace(" ", "")
        assert joined == work.title.casefold().replace(" ", "")


def test_a_typo_is_one_edit_and_never_starts_with_a_combining_mark() -> None:
    rng = random.Random(1)
    for word in ("ความรัก", "ស្នេហា", "နှလုံးသား", "love", "ngôi", "aaaa"):
        for _ in range(200):
            typo = _typo(rng, word, word)
            assert typo is not None and typo != word
            assert not unicodedata.category(typo[0]).startswith("M")
            assert _edits(typo, word) == 1
