"""The searchable columns of register rows, and the terms of a query (docs/design/DOMAIN.md,
"Register search").

`search_columns` is the one function every writer of `work` rows uses (a filing, the bulk
import, the generated register's loader), and `party_search_columns` the one for `party`
rows, so no writer can forget a column the register's search relies on. `query_terms` cuts a
query into the same terms, so a query finds a title exactly when their terms meet.

Terms come from text folded as titles are (`domain.titles`), Traditional Chinese turned into
Simplified, cut at ICU's word breaks (Thai, Lao, Khmer, Burmese and Chinese are written
without spaces), each Chinese character a term of its own, and, for words not written in
Latin letters, their romanisation too (`domain.romanisation`: ICU's, and Lao and Khmer's,
which ICU lacks).

Everything is memoised per whitespace-separated piece of text: folding, word breaks and
transliteration never cross a space, so a title's terms are the union of its pieces' terms,
and a register of millions of titles made of a few thousand words costs a few thousand ICU
calls (the generated register relies on it: devstack.register.generator).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from icu import BreakIterator, Locale, Transliterator, UnicodeString

from filing.domain.romanisation import latin
from filing.domain.titles import SEARCH_SEPARATOR, search_text

# The most terms a query is searched by (a longer query is still searched, by its first ones).
QUERY_TERMS_MAX = 16
_HAN = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Han): a space
# between two of their pieces is a filer's or a searcher's choice, so such pieces are joined
# before ICU cuts them, and "แสง จันทร์" is cut as "แสงจันทร์" is.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f]"
)

# ICU objects are not thread-safe; filing runs one event loop per process, and the loader's
# generator is a process of its own.
_BREAKS = BreakIterator.createWordInstance(Locale.getRoot())
_SIMPLIFIED = Transliterator.createInstance("Traditional-Simplified")


@dataclass(frozen=True, slots=True)
class _Piece:
    """A folded piece of text (no spaces): its Simplified form, romanised key and terms."""

    key: str
    simplified: str
    romanised: str
    terms: tuple[str, ...]  # as a title's (with romanisations)
    query_terms: tuple[str, ...]  # as a query's (native only, Chinese by character)


def _segments(text: str) -> list[str]:
    """ICU's words of `text` (no punctuation: the text is folded)."""
    unicode = UnicodeString(text)
    _BREAKS.setText(unicode)
    out: list[str] = []
    start = _BREAKS.first()
    for end in _BREAKS:
        segment = str(unicode[start:end])
        start = end
        if any(c.isalnum() for c in segment):
            out.append(segment)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _romanised(word: str) -> tuple[str, ...]:
    """A non-Latin word's romanisation, folded, as its words (empty when there is none)."""
    if _ASCII_WORD.match(word):
        return ()
    words = tuple(search_text(latin(word)).split())
    if not words or not all(_ASCII_WORD.match(w) for w in words):
        return ()
    return words


@functools.lru_cache(maxsize=1 << 18)
def _piece(folded: str) -> _Piece:
    simplified = _SIMPLIFIED.transliterate(folded) if _HAN.search(folded) else folded
    terms: list[str] = []
    query: list[str] = []
    romanised_key: list[str] = []
    for segment in _segments(simplified):
        roman = _romanised(segment)
        romanised_key.append("".join(roman) or segment)
        han = _HAN.findall(segment)
        if han:
            terms += han
            query += han
            rest = _HAN.sub("", segment)
            if rest:
                terms.append(rest)
                query.append(rest)
        else:
            terms.append(segment)
            query.append(segment)
        if roman:
            terms += roman
            if len(roman) > 1:
                terms.append("".join(roman))
    # The whole piece romanised is a key (`search_keys`), not a term: nearly every
    # unspaced title would add a word of its own to the lexicon.
    romanised = "".join(romanised_key)
    return _Piece(
        key=folded,
        simplified=simplified,
        romanised=romanised,
        terms=tuple(dict.fromkeys(terms)),
        query_terms=tuple(dict.fromkeys(query)),
    )


@functools.lru_cache(maxsize=1 << 16)
def _folded_chunk(chunk: str) -> tuple[str, ...]:
    """A whitespace-free chunk of raw text, folded (`titles.search_text`), as its pieces."""
    return tuple(search_text(chunk).split())


def _pieces(text: str) -> list[_Piece]:
    joined: list[str] = []
    for chunk in text.split():
        for folded in _folded_chunk(chunk):
            if joined and _UNSPACED.match(folded) and _UNSPACED.match(joined[-1][-1]):
                joined[-1] += folded
            else:
                joined.append(folded)
    return [_piece(p) for p in joined]


def _keys(pieces: Sequence[_Piece]) -> list[str]:
    """The exact keys of a text: folded (= `titles.title_key`), Simplified, romanised."""
    keys = (
        "".join(p.key for p in pieces),
        "".join(p.simplified for p in pieces),
        "".join(p.romanised for p in pieces),
    )
    return [k for k in dict.fromkeys(keys) if k]


def _document_terms(texts: Iterable[str]) -> list[str]:
    terms: dict[str, None] = {}
    for text in texts:
        for piece in _pieces(text):
            terms.update(dict.fromkeys(piece.terms))
    return sorted(terms)


def country_term(country: str, term: str) -> str:
    """The composite term of a term in works of this country of origin (`c:PH:爱`)."""
    return f"c:{country}:{term}"


def kind_term(kind: str, term: str) -> str:
    """The composite term of a term in works of this kind (`k:LITERARY:爱`)."""
    return f"k:{kind}:{term}"


def is_composite(term: str) -> bool:
    """Whether a term is a composite one: real terms are folded text, where ':' is
    punctuation (`titles.search_text` turns it into a space)."""
    return ":" in term


def search_columns(
    title: str, alternate_titles: Sequence[str], *, country: str | None, kind: str | None
) -> dict[str, Any]:
    """The `work` row's search columns for a work with these titles, country of origin and
    kind (both fixed at filing).

    `title_key` and `search_text` are `titles.title_key` and `titles.search_document`, made
    of the memoised pieces (the unit tests compare them). `search_words` holds each term, and
    each prefixed with the country and with the kind (`country_term`, `kind_term`); None
    leaves them out (only migration 0006, before composite terms, passes None).
    """
    keys: set[str] = set()
    terms: set[str] = set()
    folded: list[str] = []
    for text in (title, *alternate_titles):
        pieces = _pieces(text)
        folded.append("".join([p.key for p in pieces]))
        keys.update(_keys(pieces))
        for piece in pieces:
            terms.update(piece.terms)
    return {
        "title_key": folded[0],
        "search_text": SEARCH_SEPARATOR.join(folded),
        "search_keys": sorted(keys),
        "search_words": sorted(
            [
                *terms,
                *([country_term(country, t) for t in terms] if country is not None else []),
                *([kind_term(kind, t) for t in terms] if kind is not None else []),
            ]
        ),
    }


def party_search_columns(name: str) -> dict[str, Any]:
    """The `party` row's search columns for a party of this name."""
    return {"search_words": _document_terms((name,))}


@dataclass(frozen=True)
class QueryTerms:
    keys: list[str]  # a work whose `search_keys` has one of these is an exact match
    words: list[str]  # a work whose `search_words` has all of these matches every word


def query_terms(text: str) -> QueryTerms:
    """The terms a text query is searched by (empty when it has no letter or digit)."""
    pieces = _pieces(text)
    words: dict[str, None] = {}
    for piece in pieces:
        words.update(dict.fromkeys(piece.query_terms))
    # A query is not romanised: its Latin letters meet the titles' romanised keys and terms.
    keys = ("".join(p.key for p in pieces), "".join(p.simplified for p in pieces))
    return QueryTerms(
        keys=[k for k in dict.fromkeys(keys) if k], words=list(words)[:QUERY_TERMS_MAX]
    )


def typo_distance(a: str, b: str) -> int:
    """Edits between two terms: insertions, deletions, substitutions and swaps of two
    neighbouring characters ("lvoe" is one edit from "love")."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def typos_allowed(term: str) -> int:
    """How many edits a misspelt term may be from the word it meant: 1, and 2 from 6
    characters on."""
    return 1 if len(term) < 6 else 2


def typo_variants(term: str) -> list[str]:
    """The term and each of it less one character: the lexicon's `search_word_variant`
    holds the same of every word, so a word one edit away shares one of them."""
    return list(dict.fromkeys([term, *(term[:i] + term[i + 1 :] for i in range(len(term)))]))
