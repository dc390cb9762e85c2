"""Matching a usage line to a work (DOMAIN.md, "Usage lines and matching"): exact
identifiers first, then title and writers with a confidence, and the thresholds that decide
between a match, the queue with a candidate, and the queue without one. Pure: the service
hands it the works its set-based lookups found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from uuid import UUID

from contracts.enums import MatchMethod
from contracts.folding import search_text

TITLE_WEIGHT = Decimal("0.7")
WRITERS_WEIGHT = Decimal("0.3")
# A line naming no writers reaches the automatic threshold (0.85) only when its folded title
# is exactly a work's; any typo then sends it to review.
TITLE_ONLY_WEIGHT = Decimal("0.85")
CONFIDENCE_PLACES = Decimal("0.001")
CERTAIN = Decimal("1.000")


@dataclass(frozen=True)
class Thresholds:
    """`auto`: at or above, a fuzzy candidate is matched; `review`: at or above (below
    `auto`), the line is queued with it as candidate; below, queued unmatched."""

    auto: Decimal = Decimal("0.85")
    review: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.review <= self.auto <= Decimal(1):
            raise ValueError("thresholds: 0 <= review <= auto <= 1")


@dataclass(frozen=True)
class Candidate:
    """A work the title lookup found: its folded title keys and its holders' names."""

    work_id: UUID
    title_keys: tuple[str, ...]
    holder_names: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """The outcome for one line: matched (`method` set), or queued with an optional
    candidate and its confidence."""

    work_id: UUID | None
    method: MatchMethod | None
    confidence: Decimal | None
    # The recording an ISRC matched, when the line went to the musical work it records.
    recording_id: UUID | None = None

    @property
    def matched(self) -> bool:
        return self.method is not None


def name_key(name: str) -> str:
    """A person's name folded, its words in order: "Nguyễn Văn An" and "An Nguyen Van" meet."""
    return " ".join(sorted(search_text(name).split()))


def title_score(line_key: str, title_keys: Sequence[str]) -> Decimal:
    """The best similarity (difflib's ratio, 0..1) between the line's key and a title key."""
    best = 0.0
    for key in title_keys:
        if key == line_key:
            return Decimal(1)
        best = max(best, SequenceMatcher(None, line_key, key, autojunk=False).ratio())
    return Decimal(str(round(best, 6)))


def writers_score(writers: Sequence[str], holder_names: Sequence[str]) -> Decimal | None:
    """The part of the line's writers found among the holders' names; None when it names none."""
    named = {name_key(w) for w in writers if name_key(w)}
    if not named:
        return None
    holders = {name_key(h) for h in holder_names}
    return Decimal(len(named & holders)) / Decimal(len(named))


def confidence(title: Decimal, writers: Decimal | None) -> Decimal:
    raw = title * TITLE_ONLY_WEIGHT if writers is None else (
        title * TITLE_WEIGHT + writers * WRITERS_WEIGHT
    )
    return raw.quantize(CONFIDENCE_PLACES, rounding=ROUND_HALF_UP)


def best_candidate(
    line_key: str, writers: Sequence[str], candidates: Sequence[Candidate]
) -> tuple[UUID, Decimal] | None:
    """The highest-confidence candidate (ties: the smaller work id), or None."""
    scored = [
        (confidence(title_score(line_key, c.title_keys), writers_score(writers, c.holder_names)),
         c.work_id)
        for c in candidates
    ]  # fmt: skip
    if not scored:
        return None
    best = min(scored, key=lambda s: (-s[0], str(s[1])))
    return best[1], best[0]


def by_recording(recording: UUID, licensed_work: UUID | None) -> Decision:
    """A line an ISRC matched to `recording`: the musical work it records when the licensee's
    licence of that work covers the line (`licensed_work`, None otherwise), else the
    recording itself (DOMAIN.md, "Usage lines and matching")."""
    if licensed_work is not None and licensed_work != recording:
        return Decision(licensed_work, MatchMethod.ISRC, CERTAIN, recording_id=recording)
    return Decision(recording, MatchMethod.ISRC, CERTAIN)


def match_line(
    *,
    isrc_work: UUID | None,
    iswc_work: UUID | None,
    line_key: str,
    writers: Sequence[str],
    candidates: Sequence[Candidate],
    thresholds: Thresholds,
    recorded_work: UUID | None = None,
) -> Decision:
    """ISRC (to the recording, or to the musical work it records that the licensee licenses
    for the line: `recorded_work`), then ISWC, then title and writers against the thresholds."""
    if isrc_work is not None:
        return by_recording(isrc_work, recorded_work)
    if iswc_work is not None:
        return Decision(iswc_work, MatchMethod.ISWC, CERTAIN)
    best = best_candidate(line_key, writers, candidates)
    if best is None:
        return Decision(None, None, None)
    work_id, score = best
    if score >= thresholds.auto:
        return Decision(work_id, MatchMethod.FUZZY, score)
    if score >= thresholds.review:
        return Decision(work_id, None, score)
    return Decision(None, None, None)
