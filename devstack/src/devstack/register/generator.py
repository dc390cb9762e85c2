"""The generated register: parties and works, seeded and deterministic, streamed in order.

Works are as filing's commands would have left them (domain.works, domain.examination):
filed and examined at once (FILED then REGISTERED, or REVIEW_REQUESTED), some later
rejected on review or disputed; their rights holders' shares sum to 100.00, their
identifiers fit their kind, their numbers count per year without gaps, their version is
the number of their history lines, and their search columns are filing's own
(`search_columns`, memoised per word: a few thousand words make millions of titles).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from filing.domain.numbering import NumberKind, format_number
from filing.domain.search_index import search_columns

from devstack.register import identifiers
from devstack.register.names import CULTURES, person_name, publisher_name, rare_word
from devstack.register.vocabulary import CONCEPTS, VOCABULARIES, Script

# Shares of the register by script (roughly the region's population and catalogues).
SCRIPT_WEIGHTS: dict[Script, int] = {
    Script.VIETNAMESE: 15,
    Script.THAI: 14,
    Script.MALAY: 16,
    Script.FILIPINO: 10,
    Script.ENGLISH: 10,
    Script.BURMESE: 8,
    Script.KHMER: 5,
    Script.LAO: 3,
    Script.CHINESE_SIMPLIFIED: 8,
    Script.CHINESE_TRADITIONAL: 4,
    Script.TAMIL: 7,
}
KIND_WEIGHTS: dict[WorkKind, int] = {
    WorkKind.MUSICAL_WORK: 45,
    WorkKind.SOUND_RECORDING: 25,
    WorkKind.LITERARY: 15,
    WorkKind.AUDIOVISUAL: 8,
    WorkKind.VISUAL_ART: 4,
    WorkKind.SOFTWARE: 2,
    WorkKind.OTHER: 1,
}
# Mostly on the register; a few held for review, rejected on review or disputed.
STATUS_WEIGHTS: dict[WorkStatus, int] = {
    WorkStatus.REGISTERED: 940,
    WorkStatus.UNDER_REVIEW: 30,
    WorkStatus.REJECTED: 20,
    WorkStatus.DISPUTED: 10,
}
# How often a work of a kind carries its identifier (DOMAIN.md: which kinds take which).
IDENTIFIED: dict[WorkKind, tuple[str, float]] = {
    WorkKind.MUSICAL_WORK: ("iswc", 0.9),
    WorkKind.SOUND_RECORDING: ("isrc", 0.95),
    WorkKind.AUDIOVISUAL: ("isrc", 0.5),
    WorkKind.LITERARY: ("isbn", 0.85),
}
# The roles of a work's holders by kind: the first is the filer's.
ROLES: dict[WorkKind, tuple[Role, ...]] = {
    WorkKind.MUSICAL_WORK: (Role.COMPOSER, Role.LYRICIST, Role.ARRANGER),
    WorkKind.SOUND_RECORDING: (Role.PRODUCER, Role.PERFORMER),
    WorkKind.LITERARY: (Role.AUTHOR,),
    WorkKind.AUDIOVISUAL: (Role.PRODUCER, Role.AUTHOR, Role.PERFORMER),
    WorkKind.VISUAL_ART: (Role.AUTHOR,),
    WorkKind.SOFTWARE: (Role.AUTHOR, Role.OTHER),
    WorkKind.OTHER: (Role.AUTHOR, Role.OTHER),
}
TITLE_WORDS = (2, 3, 4, 5)
TITLE_WORD_WEIGHTS = (30, 35, 22, 13)
HOLDER_COUNTS = (1, 2, 3, 4)
HOLDER_COUNT_WEIGHTS = (35, 35, 20, 10)
# A title word is a rare one (a name of a place or person, from syllables) this often.
RARE_WORD_RATE = 0.12
ALTERNATE_TITLE_RATE = 0.18
ZIPF_EXPONENT = 1.0
WRITERS_PER_WORK = 1 / 6
PUBLISHERS_PER_WORK = 1 / 400
IPI_RATE = 0.4  # writers with an IPI name number (every publisher has one)
ISNI_RATE = 0.05
FIRST_FILING = datetime(2005, 1, 1, tzinfo=UTC)
LAST_FILING = datetime(2025, 12, 31, tzinfo=UTC)
T = TypeVar("T")
EXAMINERS = tuple(uuid.UUID(int=0xE0000000_0000_4000_8000_000000000000 + i) for i in range(12))
REVIEW_REJECTION = "not an original work: an arrangement of a traditional song"
DISPUTE_REASON = "the claimant wrote the melody and was left out of the filing"


@functools.lru_cache(maxsize=1 << 18)
def _party_uuid(seed: int, index: int) -> uuid.UUID:
    digest = hashlib.blake2b(f"{seed}:party:{index}".encode(), digest_size=16).digest()
    return uuid.UUID(bytes=digest, version=4)


def _chinese_table(source: Script, target: Script) -> dict[int, str]:
    """Character by character between Simplified and Traditional, for the rare words."""
    table: dict[int, str] = {}
    a, b = VOCABULARIES[source], VOCABULARIES[target]
    for x, y in zip(a.words + a.syllables, b.words + b.syllables, strict=True):
        if len(x) == len(y):
            table.update({ord(i): j for i, j in zip(x, y, strict=True) if i != j})
    return table


@functools.lru_cache(maxsize=10001)
def _share(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _zipf_cumulative(size: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank**ZIPF_EXPONENT) for rank in range(1, size + 1)))


def _cumulative(weights: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(weights))


def _weighted(rng: random.Random, items: Sequence[T], cumulative: Sequence[float]) -> T:
    """One of `items` by cumulative weights (`random.choices` for one, without its set-up)."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


@dataclass(frozen=True)
class PartyRecord:
    id: uuid.UUID
    name: str
    kind: PartyKind
    country: str
    ipi_name_number: str | None
    isni: str | None
    created_at: datetime


@dataclass(slots=True)
class Holder:
    party_id: uuid.UUID
    role: Role
    share: Decimal


@dataclass(slots=True)
class HistoryLine:
    at: datetime
    actor_id: uuid.UUID | None
    action: str
    detail: str


@dataclass(slots=True)
class WorkRecord:
    id: uuid.UUID
    script: Script
    filing_number: str
    registration_number: str | None
    title: str
    alternate_titles: tuple[str, ...]
    kind: WorkKind
    status: WorkStatus
    status_reason: str | None
    iswc: str | None
    isrc: str | None
    isbn: str | None
    country_of_origin: str
    filed_by: uuid.UUID
    filed_at: datetime
    updated_at: datetime
    # The search columns, filing's own (domain.search_index.search_columns).
    title_key: str
    search_text: str
    search_keys: list[str]
    search_words: list[str]
    holders: tuple[Holder, ...]
    history: tuple[HistoryLine, ...]

    @property
    def version(self) -> int:
        """As filing counts it: one per event, and each history line is one event."""
        return len(self.history)


@dataclass
class Counters:
    """The last filing and registration number handed out per year, as `number_counter`."""

    last: dict[tuple[NumberKind, int], int] = field(default_factory=dict)

    def take(self, kind: NumberKind, year: int) -> str:
        number = self.last.get((kind, year), 0) + 1
        self.last[(kind, year)] = number
        return format_number(kind, year, number)


class Register:
    """The register of `works` works made from `seed`: `parties()` then `works()` stream it.

    Parties are indexed: writers of each script occupy a contiguous range (sized by the
    script's weight), publishers follow; a party's id is a hash of the seed and its index,
    so works name their holders without keeping the parties in memory.
    """

    def __init__(self, works: int, *, seed: int = 16) -> None:
        if works < 1:
            raise ValueError("a register has at least one work")
        self.size, self.seed = works, seed
        self.scripts = list(SCRIPT_WEIGHTS)
        self._script_cw = _cumulative(list(SCRIPT_WEIGHTS.values()))
        self._title_words_cw = _cumulative(TITLE_WORD_WEIGHTS)
        self._holder_count_cw = _cumulative(HOLDER_COUNT_WEIGHTS)
        self.writers = max(len(self.scripts) * 8, int(works * WRITERS_PER_WORK))
        self.publishers = max(len(self.scripts) * 2, int(works * PUBLISHERS_PER_WORK))
        self._writer_ranges = self._ranges(self.writers, 0)
        self._publisher_ranges = self._ranges(self.publishers, self.writers)
        self._word_cw = {s: _zipf_cumulative(len(VOCABULARIES[s].words)) for s in self.scripts}
        self._concept_of = {
            s: {w: i for i, w in enumerate(VOCABULARIES[s].words[: len(CONCEPTS)])}
            for s in self.scripts
        }
        self.counters = Counters()
        self._chinese = {
            (Script.CHINESE_SIMPLIFIED, Script.CHINESE_TRADITIONAL): _chinese_table(
                Script.CHINESE_SIMPLIFIED, Script.CHINESE_TRADITIONAL
            ),
            (Script.CHINESE_TRADITIONAL, Script.CHINESE_SIMPLIFIED): _chinese_table(
                Script.CHINESE_TRADITIONAL, Script.CHINESE_SIMPLIFIED
            ),
        }

    # --- parties --------------------------------------------------------------------------

    def _ranges(self, total: int, offset: int) -> dict[Script, tuple[int, int]]:
        weights = list(SCRIPT_WEIGHTS.values())
        bounds = [offset + total * c // sum(weights) for c in [0, *_cumulative(weights)]]
        return {s: (bounds[i], bounds[i + 1]) for i, s in enumerate(self.scripts)}

    @property
    def party_count(self) -> int:
        return self.writers + self.publishers

    def party_id(self, index: int) -> uuid.UUID:
        return _party_uuid(self.seed, index)

    def _script_of_party(self, index: int) -> Script:
        ranges = self._writer_ranges if index < self.writers else self._publisher_ranges
        for script, (lo, hi) in ranges.items():
            if lo <= index < hi:
                return script
        raise ValueError(f"no party {index}")

    def parties(self) -> Iterator[PartyRecord]:
        rng = random.Random(f"{self.seed}:parties")
        for index in range(self.party_count):
            script = self._script_of_party(index)
            countries = CULTURES[script].countries
            country = countries[0] if rng.random() < 0.7 else rng.choice(countries)
            created = FIRST_FILING - timedelta(days=rng.randrange(1, 365))
            if index < self.writers:
                name, kind = person_name(script, rng), PartyKind.PERSON
                ipi = identifiers.ipi_name_number(index) if rng.random() < IPI_RATE else None
                isni = identifiers.isni(index) if rng.random() < ISNI_RATE else None
            else:
                name, kind = publisher_name(script, rng), PartyKind.ORGANIZATION
                ipi, isni = identifiers.ipi_name_number(index), None
            yield PartyRecord(self.party_id(index), name, kind, country, ipi, isni, created)

    def _pick(self, rng: random.Random, lo: int, hi: int) -> int:
        """A party of [lo, hi): a few prolific, most with a handful of works."""
        return lo + int((hi - lo) * rng.random() ** 3)

    # --- works ----------------------------------------------------------------------------

    def _words(self, rng: random.Random, script: Script) -> list[str]:
        vocabulary = VOCABULARIES[script]
        count = _weighted(rng, TITLE_WORDS, self._title_words_cw)
        words: list[str] = []
        while len(words) < count:  # distinct words: "Love Love" is no title
            for _ in range(count):
                word = _weighted(rng, vocabulary.words, self._word_cw[script])
                if rng.random() < RARE_WORD_RATE:
                    word = rare_word(script, rng, rng.choice((2, 3)))
                if word not in words and len(words) < count:
                    words.append(word)
        return words

    def _translated(self, words: list[str], source: Script, target: Script) -> list[str]:
        """The title's words in another script, word by word where they mean the same."""
        chinese = self._chinese.get((source, target))
        if chinese is not None:
            return [w.translate(chinese) for w in words]
        concept_of = self._concept_of[source]
        target_words = VOCABULARIES[target].words
        return [target_words[concept_of[w]] if w in concept_of else w for w in words]

    def _alternates(
        self, rng: random.Random, script: Script, words: list[str]
    ) -> list[tuple[Script, list[str]]]:
        """Alternate titles as (script, words): translations, Simplified <-> Traditional."""
        if script is Script.CHINESE_SIMPLIFIED and rng.random() < 0.5:
            target = Script.CHINESE_TRADITIONAL
            return [(target, self._translated(words, script, target))]
        if script is Script.CHINESE_TRADITIONAL and rng.random() < 0.5:
            target = Script.CHINESE_SIMPLIFIED
            return [(target, self._translated(words, script, target))]
        if rng.random() >= ALTERNATE_TITLE_RATE:
            return []
        target = Script.ENGLISH if script is not Script.ENGLISH else Script.MALAY
        alternates = [(target, self._translated(words, script, target))]
        if rng.random() < 0.15:
            other = rng.choice([s for s in self.scripts if s not in (script, target)])
            alternates.append((other, self._translated(words, script, other)))
        return alternates

    def _shares(self, rng: random.Random, count: int) -> list[Decimal]:
        """`count` positive shares of 100.00 with two decimals: often equal, else round cuts."""
        if count == 1:
            return [Decimal("100.00")]
        if rng.random() < 0.6:
            cents = [10000 // count] * count
            cents[0] += 10000 - sum(cents)
        else:
            cuts = sorted(rng.sample(range(1, 20), count - 1))
            cents = [(b - a) * 500 for a, b in itertools.pairwise([0, *cuts, 20])]
        return [_share(c) for c in cents]

    def _holders(
        self, rng: random.Random, script: Script, kind: WorkKind
    ) -> tuple[Holder, ...]:
        count = _weighted(rng, HOLDER_COUNTS, self._holder_count_cw)
        lo, hi = self._writer_ranges[script]
        publisher = kind in (WorkKind.MUSICAL_WORK, WorkKind.LITERARY) and count > 1
        people: list[int] = []
        while len(people) < count - (1 if publisher else 0):
            candidate = self._pick(rng, lo, hi)
            if candidate not in people or hi - lo <= len(people):
                people.append(candidate)
        roles = ROLES[kind]
        assigned = [(p, roles[0] if i == 0 else rng.choice(roles)) for i, p in enumerate(people)]
        if publisher:
            plo, phi = self._publisher_ranges[script]
            assigned.append((self._pick(rng, plo, phi), Role.PUBLISHER))
        unique = list(dict.fromkeys(assigned))  # a party holds each role at most once
        shares = self._shares(rng, len(unique))
        return tuple(
            Holder(self.party_id(p), role, share)
            for (p, role), share in zip(unique, shares, strict=True)
        )

    def works(self) -> Iterator[WorkRecord]:
        """The works in filing order (their `seq`), the counters advanced as they go."""
        rng = random.Random(f"{self.seed}:works")
        step = (LAST_FILING - FIRST_FILING) / self.size
        kinds, kind_cw = list(KIND_WEIGHTS), _cumulative(list(KIND_WEIGHTS.values()))
        statuses, status_cw = list(STATUS_WEIGHTS), _cumulative(list(STATUS_WEIGHTS.values()))
        numbered = {"iswc": 0, "isrc": 0, "isbn": 0}
        last_registered: tuple[str, uuid.UUID] | None = None
        for index in range(self.size):
            script = _weighted(rng, self.scripts, self._script_cw)
            vocabulary = VOCABULARIES[script]
            kind = _weighted(rng, kinds, kind_cw)
            status = _weighted(rng, statuses, status_cw)
            if status is WorkStatus.UNDER_REVIEW and last_registered is None:
                status = WorkStatus.REGISTERED
            words = self._words(rng, script)
            title = vocabulary.title(words)
            alternate_words = self._alternates(rng, script, words)
            alternates = tuple(VOCABULARIES[s].title(w) for s, w in alternate_words)
            countries = CULTURES[script].countries
            country = countries[0] if rng.random() < 0.7 else rng.choice(countries)
            filed_at = FIRST_FILING + step * (index + rng.random() * 0.9)
            year = filed_at.year
            ids: dict[str, str | None] = {"iswc": None, "isrc": None, "isbn": None}
            if kind in IDENTIFIED:
                name, rate = IDENTIFIED[kind]
                if rng.random() < rate:
                    n = numbered[name]
                    numbered[name] = n + 1
                    if name == "iswc":
                        ids[name] = identifiers.iswc(n)
                    elif name == "isbn":
                        ids[name] = identifiers.isbn13(n)
                    else:
                        ids[name] = identifiers.isrc(n, country=country, year=year)
            holders = self._holders(rng, script, kind)
            filer = holders[0].party_id
            filing_number = self.counters.take(NumberKind.FILING, year)
            work_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            history = [HistoryLine(filed_at, filer, "FILED", f"filed as {filing_number}")]
            registration_number = reason = None
            updated_at = filed_at
            if status in (WorkStatus.REGISTERED, WorkStatus.DISPUTED):
                registration_number = self.counters.take(NumberKind.REGISTRATION, year)
                registered = f"registered as {registration_number}"
                history.append(HistoryLine(filed_at, None, "REGISTERED", registered))
                if status is WorkStatus.DISPUTED:
                    updated_at = filed_at + timedelta(days=rng.randrange(1, 400))
                    lo, hi = self._writer_ranges[script]
                    owners = {h.party_id for h in holders}
                    claimant = self.party_id(self._pick(rng, lo, hi))
                    while claimant in owners:  # only a non-owner disputes (DOMAIN.md)
                        claimant = self.party_id(rng.randrange(self.writers))
                    reason = DISPUTE_REASON
                    history.append(
                        HistoryLine(
                            updated_at, claimant, "DISPUTED", f"disputed (gives evidence): {reason}"
                        )
                    )
                else:
                    last_registered = (filing_number, work_id)
            else:
                assert last_registered is not None
                other_number, other_id = last_registered
                reason = (
                    f"likely duplicate of work {other_number} ({other_id}): same title "
                    "and a rights holder in common"
                )
                history.append(
                    HistoryLine(filed_at, None, "REVIEW_REQUESTED", f"sent for review: {reason}")
                )
                if status is WorkStatus.REJECTED:
                    updated_at = filed_at + timedelta(days=rng.randrange(1, 60))
                    reason = REVIEW_REJECTION
                    history.append(
                        HistoryLine(
                            updated_at,
                            rng.choice(EXAMINERS),
                            "REJECTED",
                            f"rejected on review: {reason}",
                        )
                    )
            columns = search_columns(title, alternates, country=country, kind=kind.value)
            yield WorkRecord(
                id=work_id,
                script=script,
                filing_number=filing_number,
                registration_number=registration_number,
                title=title,
                alternate_titles=alternates,
                kind=kind,
                status=status,
                status_reason=reason,
                iswc=ids["iswc"],
                isrc=ids["isrc"],
                isbn=ids["isbn"],
                country_of_origin=country,
                filed_by=filer,
                filed_at=filed_at,
                updated_at=updated_at,
                title_key=columns["title_key"],
                search_text=columns["search_text"],
                search_keys=columns["search_keys"],
                search_words=columns["search_words"],
                holders=holders,
                history=tuple(history),
            )
