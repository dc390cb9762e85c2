"""The register benchmark's search mix: queries drawn, seeded, from the generated register.

`RegisterSample` keeps a seeded reservoir of the works (and the names of their holders) as
the register streams past; `query_mix` draws from it an equal part of each shape, shuffled:
common words, rare words, 1-2 character queries (Thai, Lao, Khmer, Burmese, Chinese),
identifiers typed in the search box, romanised titles (ICU Any-Latin of a native title),
titles with a typo (one edit of one word), co-holders' names, and text combined with
filters (status, kind, holder, country). Each query carries the parameters of filing's
`GET /works/search` and, where one work is meant, that work's generated id.
"""

from __future__ import annotations

import functools
import math
import random
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from contracts.enums import WorkStatus
from devstack.register.generator import PartyRecord, WorkRecord
from devstack.register.vocabulary import VOCABULARIES, Script


class Shape(StrEnum):
    COMMON = "common_word"
    RARE = "rare_word"
    SHORT = "short"
    IDENTIFIER = "identifier"
    ROMANISED = "romanised"
    TYPO = "typo"
    NAME = "name"
    FILTERED = "filtered"


SHAPES = tuple(Shape)
# A common word is among the first of its script's words (Zipf: in a large part of titles).
COMMON_RANK = 12
SHORT_SCRIPTS = frozenset({
    Script.THAI, Script.LAO, Script.KHMER, Script.BURMESE,
    Script.CHINESE_SIMPLIFIED, Script.CHINESE_TRADITIONAL,
})  # fmt: skip
CHINESE = frozenset({Script.CHINESE_SIMPLIFIED, Script.CHINESE_TRADITIONAL})
LATIN = frozenset({Script.ENGLISH, Script.MALAY, Script.FILIPINO, Script.VIETNAMESE})
# A typo goes into a word at least this long (a one-letter change of "sa" is another word).
TYPO_MIN_LENGTH = 4
# Tries at drawing a shape from random works before the sample is found wanting.
DRAWS_PER_QUERY = 200
ICU_ROMANISATION = "Any-Latin; Latin-ASCII"


@dataclass(frozen=True)
class SearchQuery:
    shape: Shape
    params: dict[str, str]  # GET /works/search's query parameters, holder_id excepted
    holder: uuid.UUID | None = None  # a generated party id: the holder_id filter, once mapped
    target: uuid.UUID | None = None  # the generated work the query means, if one


def co_holders(work: WorkRecord) -> list[uuid.UUID]:
    """The work's holders but the first: in a bulk import of the register, an import's
    filer takes the first one's place (devstack.register.csv_files), so only these are the
    work's own parties in the register whichever way it was filled."""
    return [h.party_id for h in work.holders[1:]]


@dataclass
class RegisterSample:
    """A seeded reservoir of `size` works of the register (Algorithm R), and the names of
    their co-holders (`add_parties` keeps only those, so the parties may stream past after
    the works, in a second pass of the generator)."""

    size: int = 2_000
    seed: int = 16
    works: list[WorkRecord] = field(default_factory=list)
    names: dict[uuid.UUID, str] = field(default_factory=dict)
    seen: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}:sample")

    def add_work(self, work: WorkRecord) -> None:
        self.seen += 1
        if len(self.works) < self.size:
            self.works.append(work)
            return
        slot = self._rng.randrange(self.seen)
        if slot < self.size:
            self.works[slot] = work

    def holders(self) -> set[uuid.UUID]:
        return {party for w in self.works for party in co_holders(w)}

    def add_parties(self, parties: Iterable[PartyRecord]) -> None:
        wanted = self.holders()
        for party in parties:
            if party.id in wanted:
                self.names[party.id] = party.name


def segments(work: WorkRecord) -> list[tuple[str, int | None]]:
    """The title's words, case-folded, each with its rank in the script's vocabulary; what
    no vocabulary word covers (the rare words, made of syllables) comes as one piece per run,
    ranked None. Scripts without spaces are split by the longest vocabulary word first."""
    vocabulary = VOCABULARIES[work.script]
    words = _ranked(work.script)
    text = work.title.casefold()
    spaced = vocabulary.joiner == " "
    found: list[tuple[str, int | None]] = []
    rest: list[str] = []

    def flush() -> None:
        piece = "".join(rest).strip()
        if piece:
            found.append((piece, None))
        rest.clear()

    i = 0
    while i < len(text):
        if spaced and text[i] == " ":
            rest.append(" ")
            i += 1
            continue
        for word, rank in words:
            end = i + len(word)
            if text.startswith(word, i) and (not spaced or end == len(text) or text[end] == " "):
                flush()
                found.append((word, rank))
                i = end
                break
        else:
            end = text.find(" ", i) if spaced else i + 1
            end = len(text) if end < 0 else end
            rest.append(text[i:end])
            i = end
    flush()
    return found


@functools.cache
def _ranked(script: Script) -> list[tuple[str, int]]:
    words = [(w.casefold(), rank) for rank, w in enumerate(VOCABULARIES[script].words)]
    return sorted(words, key=lambda item: -len(item[0]))


@functools.cache
def icu_romaniser() -> Callable[[str], str]:
    """ICU's Any-Latin, then plain ASCII letters: what a reader without the script types."""
    import icu  # PyICU, as filing's search (filing.domain.search_index)

    transliterator = icu.Transliterator.createInstance(ICU_ROMANISATION)
    return lambda text: str(transliterator.transliterate(text))


def _edit(rng: random.Random, word: str, letters: str) -> str:
    """One edit of `word`: a deletion, a swap of neighbours, a substitution or an insertion
    (of one of `letters`)."""
    i = rng.randrange(len(word))
    edit = rng.randrange(4)
    if edit == 0:
        return word[:i] + word[i + 1 :]
    if edit == 1:
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letter = rng.choice(letters)
    return word[:i] + letter + word[i + 1 :] if edit == 2 else word[:i] + letter + word[i:]


def _typo(rng: random.Random, word: str, title: str) -> str | None:
    """`word` with one edit, as a hand slips: never the word itself, never starting with a
    combining mark (a Thai vowel or a Khmer subscript alone); None if no try gives one."""
    letters = "".join(sorted({c for c in title if c != " " and not _combining(c)}))
    for _ in range(20):
        changed = _edit(rng, word, letters)
        if changed != word and changed and not _combining(changed[0]):
            return changed
    return None


def _combining(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


class _Drawer:
    def __init__(self, sample: RegisterSample, rng: random.Random,
                 romanise: Callable[[str], str]) -> None:
        self.sample, self.rng, self.romanise = sample, rng, romanise

    def draw(self, shape: Shape) -> SearchQuery:
        make = getattr(self, f"_{shape.value}")
        for _ in range(DRAWS_PER_QUERY):
            work = self.rng.choice(self.sample.works)
            query: SearchQuery | None = make(work)
            if query is not None:
                return query
        raise ValueError(f"the sample of {len(self.sample.works)} works gives no {shape} query")

    def _common_word(self, work: WorkRecord) -> SearchQuery | None:
        ranked = [(rank, w) for w, rank in segments(work) if rank is not None]
        if not ranked or min(ranked)[0] >= COMMON_RANK:
            return None
        return SearchQuery(Shape.COMMON, {"text": min(ranked)[1]})

    def _rare_word(self, work: WorkRecord) -> SearchQuery | None:
        rare = [w for w, rank in segments(work) if rank is None and len(w) >= 3]
        return SearchQuery(Shape.RARE, {"text": self.rng.choice(rare)}) if rare else None

    def _short(self, work: WorkRecord) -> SearchQuery | None:
        if work.script not in SHORT_SCRIPTS:
            return None
        candidates = [w for w, rank in segments(work) if rank is not None and len(w) <= 2]
        if work.script in CHINESE:
            candidates += list(work.title)
        return SearchQuery(Shape.SHORT, {"text": self.rng.choice(candidates)}) if candidates \
            else None

    def _identifier(self, work: WorkRecord) -> SearchQuery | None:
        identifier = work.iswc or work.isrc or work.isbn
        if identifier is None:
            return None
        return SearchQuery(Shape.IDENTIFIER, {"text": identifier}, target=work.id)

    def _romanised(self, work: WorkRecord) -> SearchQuery | None:
        if work.script in LATIN:
            return None
        # ICU has no Latin for some scripts (Khmer): such a title gives no romanised query.
        text = " ".join(self.romanise(work.title).split())
        if not text or not text.isascii():
            return None
        return SearchQuery(Shape.ROMANISED, {"text": text}, target=work.id)

    def _typo(self, work: WorkRecord) -> SearchQuery | None:
        words = [w for w, _ in segments(work) if len(w) >= TYPO_MIN_LENGTH and " " not in w]
        if not words:
            return None
        word = self.rng.choice(words)
        title = work.title.casefold()
        typo = _typo(self.rng, word, title)
        if typo is None:
            return None
        return SearchQuery(Shape.TYPO, {"text": title.replace(word, typo, 1)}, target=work.id)

    def _name(self, work: WorkRecord) -> SearchQuery | None:
        named = [p for p in co_holders(work) if p in self.sample.names]
        if not named:
            return None
        return SearchQuery(Shape.NAME, {"text": self.sample.names[self.rng.choice(named)]})

    def _filtered(self, work: WorkRecord) -> SearchQuery | None:
        common = self._common_word(work)
        if common is None:
            return None
        params = dict(common.params)
        holder = None
        choices = ("status", "kind", "country", "holder") if co_holders(work) else (
            "status", "kind", "country")
        filters = self.rng.sample(choices, self.rng.choice((1, 2)))
        for name in filters:
            if name == "status":
                params["status"] = WorkStatus.REGISTERED.value
            elif name == "kind":
                params["kind"] = work.kind.value
            elif name == "country":
                params["country"] = work.country_of_origin
            else:
                holder = self.rng.choice(co_holders(work))
        return SearchQuery(Shape.FILTERED, params, holder=holder)


def query_mix(
    sample: RegisterSample,
    count: int,
    *,
    seed: int = 16,
    romanise: Callable[[str], str] | None = None,
) -> list[SearchQuery]:
    """At least `count` queries, the same number of each shape, in a seeded random order;
    `romanise` defaults to ICU's (`icu_romaniser`)."""
    if not sample.works:
        raise ValueError("an empty sample gives no queries")
    per_shape = math.ceil(count / len(SHAPES))
    rng = random.Random(f"{seed}:queries")
    drawer = _Drawer(sample, rng, romanise or icu_romaniser())
    queries = [drawer.draw(shape) for shape in SHAPES for _ in range(per_shape)]
    rng.shuffle(queries)
    return queries
