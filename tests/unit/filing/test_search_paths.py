"""How the register's search chooses a tier's access path from the term statistics
(filing.register_search._path): the lookup when it reads few works, else a walk that could
find a page."""

from __future__ import annotations

import uuid

from contracts.enums import WorkStatus
from filing.register_search import (
    HEAD_MIN,
    LOOKUP_CHEAP,
    WALK_MAX,
    TermStats,
    WorkFilter,
    _path,
    _Tier,
)

REGISTER = 7_300_000.0
STATS = TermStats(
    rows=REGISTER,
    terms={"love": 0.036, "heart": 0.03, "bintang": 0.004, "pag": 0.05, "ibig": 0.05},
    floor=0.00004,
    values={"status": {"REGISTERED": 0.94, "DISPUTED": 0.01}},
)


def _words(*words: str) -> _Tier:
    return _Tier("words", "…", groups=[[w] for w in words])


def test_a_common_word_is_walked_and_a_rare_one_looked_up() -> None:
    assert _path(STATS, _words("love"), WorkFilter(), HEAD_MIN)[0] == "walk"
    rare, _ = _path(STATS, _words("morefieldley"), WorkFilter(), HEAD_MIN)
    assert rare == "lookup" and STATS.floor * REGISTER <= LOOKUP_CHEAP


def test_common_words_are_walked_though_independence_would_make_them_rare_together() -> None:
    # A title's words are of one script: "pag", "ibig" and "love" meet far more often than
    # their frequencies multiplied say.
    path, expected = _path(STATS, _words("pag", "ibig", "love"), WorkFilter(), HEAD_MIN)
    assert path == "walk"
    assert expected < HEAD_MIN * REGISTER / WALK_MAX  # independence says: hopeless


def test_a_term_no_walk_could_find_a_page_of_is_looked_up() -> None:
    # 0.004 of 7.3 M: 29,200 works, a page in ~5,000 walked — walked; at 0.0005, no walk of
    # WALK_MAX finds a page, so the (bounded) lookup reads its 3,650 works.
    assert _path(STATS, _words("bintang"), WorkFilter(), HEAD_MIN)[0] == "walk"
    sparse = TermStats(REGISTER, {"sparse": 0.0005}, 0.00004, {})
    assert _path(sparse, _words("sparse"), WorkFilter(), HEAD_MIN)[0] == "lookup"


def test_filters_narrow_the_walk_and_holders_are_left_to_the_planner() -> None:
    disputed = WorkFilter(status=WorkStatus.DISPUTED)
    # A 1% status leaves 73,000 works to walk: "love" is still found within them.
    assert _path(STATS, _words("love"), disputed, HEAD_MIN)[0] == "walk"
    holder = WorkFilter(holder_id=uuid.uuid4())
    assert _path(STATS, _words("love"), holder, HEAD_MIN) == (None, -1.0)
    assert _path(None, _words("love"), WorkFilter(), HEAD_MIN) == (None, -1.0)
    assert _path(STATS, _Tier("names", "…"), WorkFilter(), HEAD_MIN) == (None, -1.0)
