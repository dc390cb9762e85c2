"""The matching rule of usage lines (DOMAIN.md, "Usage lines and matching"), and the line's
identifiers checked against implementations this project did not write: python-stdnum (ISRC)
and django-music-publisher (ISWC: python-stdnum has no ISWC module)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from contracts.enums import MatchMethod, Medium
from contracts.errors import InvalidInput
from contracts.folding import title_key
from licensing.domain.matching import (
    Candidate,
    Thresholds,
    confidence,
    match_line,
    name_key,
    title_score,
)
from licensing.domain.terms import Period
from licensing.domain.usage_lines import LicenceCover, licence_for, line_id, parse_line
from stdnum import isrc as std_isrc

from tests.oracles import music_publisher_accepts

WORK_A, WORK_B = uuid.UUID(int=1), uuid.UUID(int=2)
RULES = Thresholds()


def _candidate(work: uuid.UUID, *titles: str, holders: tuple[str, ...] = ()) -> Candidate:
    return Candidate(work, tuple(title_key(t) for t in titles), holders)


def _match(title: str, writers: tuple[str, ...] = (), *cands: Candidate, **ids: uuid.UUID):
    return match_line(
        isrc_work=ids.get("isrc"), iswc_work=ids.get("iswc"), line_key=title_key(title),
        writers=writers, candidates=cands, thresholds=RULES,
    )  # fmt: skip


def test_isrc_wins_over_iswc_and_title_with_full_confidence() -> None:
    decision = _match("Other", (), _candidate(WORK_B, "Other"), isrc=WORK_A, iswc=WORK_B)
    assert (decision.work_id, decision.method, decision.confidence) == (
        WORK_A, MatchMethod.ISRC, Decimal("1.000"))


def test_isrc_goes_to_the_musical_work_the_recording_records_when_it_is_licensed() -> None:
    recording, musical = WORK_A, WORK_B
    decision = match_line(
        isrc_work=recording, iswc_work=None, line_key=title_key("Song"), writers=(),
        candidates=(), thresholds=RULES, recorded_work=musical,
    )  # fmt: skip
    assert (decision.work_id, decision.method, decision.confidence, decision.recording_id) == (
        musical, MatchMethod.ISRC, Decimal("1.000"), recording)


def test_isrc_stays_on_the_recording_when_its_musical_work_is_not_licensed() -> None:
    decision = match_line(
        isrc_work=WORK_A, iswc_work=WORK_B, line_key=title_key("Song"), writers=(),
        candidates=(), thresholds=RULES, recorded_work=None,
    )  # fmt: skip
    assert (decision.work_id, decision.method, decision.recording_id) == (
        WORK_A, MatchMethod.ISRC, None)


def test_iswc_matches_when_no_recording_holds_the_isrc() -> None:
    decision = _match("Other", (), _candidate(WORK_B, "Other"), iswc=WORK_A)
    assert (decision.work_id, decision.method) == (WORK_A, MatchMethod.ISWC)


def test_folded_title_with_its_writer_matches_fuzzy_with_full_confidence() -> None:
    work = _candidate(WORK_A, "Ánh Trăng Lẻ Loi", holders=("Nguyễn Văn An",))
    decision = _match("anh trang le loi", ("An Nguyen Van",), work)
    assert (decision.work_id, decision.method, decision.confidence) == (
        WORK_A, MatchMethod.FUZZY, Decimal("1.000"))


def test_exact_title_without_writers_just_reaches_the_threshold() -> None:
    decision = _match("Moonlight Serenade", (), _candidate(WORK_A, "Moonlight Serenade"))
    assert decision.method is MatchMethod.FUZZY and decision.confidence == Decimal("0.850")


def test_a_typo_without_writers_is_queued_with_its_candidate() -> None:
    decision = _match("Moonlight Serenada", (), _candidate(WORK_A, "Moonlight Serenade"))
    assert decision.method is None and decision.work_id == WORK_A
    assert RULES.review <= decision.confidence < RULES.auto  # type: ignore[operator]


def test_a_typo_with_the_right_writer_is_matched() -> None:
    work = _candidate(WORK_A, "Moonlight Serenade", holders=("Glenn Miller",))
    decision = _match("Moonlight Serenada", ("miller glenn",), work)
    assert decision.method is MatchMethod.FUZZY
    # 0.7 × ratio + 0.3 × 1, the ratio of two 17-letter keys one letter apart: 32/34.
    assert decision.confidence == confidence(Decimal(32) / Decimal(34), Decimal(1))


def test_the_wrong_writer_keeps_a_typo_in_the_queue() -> None:
    work = _candidate(WORK_A, "Moonlight Serenade", holders=("Glenn Miller",))
    decision = _match("Moonlight Serenada", ("Someone Else",), work)
    assert decision.method is None and decision.work_id == WORK_A


def test_an_alternate_title_counts_as_the_title() -> None:
    work = _candidate(WORK_A, "Original", "Alternate Title", holders=("W",))
    assert _match("alternate title", ("W",), work).confidence == Decimal("1.000")


def test_a_poor_candidate_leaves_the_line_unmatched_without_candidate() -> None:
    decision = _match("Completely Different", ("X",), _candidate(WORK_A, "Moonlight"))
    assert (decision.work_id, decision.method, decision.confidence) == (None, None, None)


def test_the_best_candidate_wins_and_ties_go_to_the_smaller_id() -> None:
    near = _candidate(WORK_B, "Moonlight Serenade")
    far = _candidate(WORK_A, "Moonlight Sonata")
    assert _match("Moonlight Serenade", (), far, near).work_id == WORK_B
    twin = _candidate(WORK_A, "Moonlight Serenade")
    assert _match("Moonlight Serenade", (), near, twin).work_id == WORK_A


def test_thresholds_move_the_decision() -> None:
    work = _candidate(WORK_A, "Moonlight Serenade")
    strict = match_line(isrc_work=None, iswc_work=None, line_key=title_key("Moonlight Serenade"),
                        writers=(), candidates=[work], thresholds=Thresholds(auto=Decimal("0.9")))
    assert strict.method is None and strict.work_id == WORK_A
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(auto=Decimal("0.4"), review=Decimal("0.5"))


def test_title_score_and_name_key() -> None:
    assert title_score("abc", ["xyz", "abc"]) == 1
    assert title_score("abcd", ["abce"]) == Decimal("0.75")
    assert name_key("Nguyễn  Văn An") == name_key("an nguyen van") == "an nguyen van"


def _raw(**cells: str) -> dict[str, str]:
    base = {"title": "Song", "units": "10", "revenue": "12.50", "currency": "USD",
            "territory": "th", "period_start": "2026-01-01", "period_end": "2026-01-31"}
    return base | cells


@pytest.mark.parametrize("isrc", ["TH-A12-26-00001", "USRC17607839", "GBAYE6900522"])
def test_line_isrc_is_read_as_stdnum_reads_it(isrc: str) -> None:
    line = parse_line(_raw(isrc=isrc), default_key="2")
    assert line.isrc == std_isrc.compact(isrc) and std_isrc.is_valid(line.isrc)


@pytest.mark.parametrize("iswc", ["T-034.524.680-1", "T0345246801", "T-070.244.213-4"])
def test_line_iswc_is_read_as_music_publisher_reads_it(iswc: str) -> None:
    line = parse_line(_raw(iswc=iswc), default_key="2")
    compact = iswc.replace("-", "").replace(".", "")
    assert music_publisher_accepts("iswc", compact)
    assert line.iswc == f"{compact[0]}-{compact[1:4]}.{compact[4:7]}.{compact[7:10]}-{compact[10]}"


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"iswc": "T-034.524.680-2"}, "iswc"),
        ({"isrc": "TH-A12-26-0001"}, "isrc"),
        ({"units": "-1"}, "units"),
        ({"units": "1.5"}, "units"),
        ({"revenue": "1.005"}, "revenue"),
        ({"revenue": "-1"}, "revenue"),
        ({"currency": "XXXX"}, "currency"),
        ({"territory": "ZZ"}, "territory"),
        ({"period_end": "2025-12-31"}, "period_end"),
        ({"period_start": "January"}, "period_start"),
        ({"title": " "}, "title"),
        ({"medium": "RADIO"}, "medium"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_field(cells: dict[str, str], field: str) -> None:
    if field == "iswc":
        assert not music_publisher_accepts("iswc", "T0345246802")
    if field == "isrc":
        assert not std_isrc.is_valid(std_isrc.compact(cells["isrc"]))
    with pytest.raises(InvalidInput) as caught:
        parse_line(_raw(**cells), default_key="2")
    assert caught.value.field == field


def test_line_ids_are_stable_per_licensee_file_and_key() -> None:
    licensee = uuid.uuid4()
    assert line_id(licensee, "f", "1") == line_id(licensee, "f", "1")
    assert len({line_id(licensee, "f", "1"), line_id(licensee, "g", "1"),
                line_id(licensee, "f", "2"), line_id(uuid.uuid4(), "f", "1")}) == 4


def _cover(id_: int, start: str, end: str, **kw: object) -> LicenceCover:
    fields: dict[str, object] = {
        "id": uuid.UUID(int=id_), "work_id": WORK_A,
        "covered": Period(date.fromisoformat(start), date.fromisoformat(end)),
        "territories": frozenset({"TH", "VN"}), "media": frozenset({Medium.STREAMING}),
        "currency": "USD", "royalty_rate": Decimal("10.00"),
    }
    fields.update(kw)
    return LicenceCover(**fields)  # type: ignore[arg-type]


def test_the_licence_of_a_line_covers_its_period_territory_currency_and_medium() -> None:
    line = parse_line(_raw(medium="streaming"), default_key="2")
    assert licence_for(line, [_cover(1, "2026-01-15", "2026-12-31")]) is None
    assert licence_for(line, [_cover(1, "2026-01-01", "2026-12-31",
                                     territories=frozenset({"VN"}))]) is None
    assert licence_for(line, [_cover(1, "2026-01-01", "2026-12-31", currency="EUR")]) is None
    assert licence_for(line, [_cover(1, "2026-01-01", "2026-12-31",
                                     media=frozenset({Medium.DOWNLOAD}))]) is None
    later, earlier, twin = (_cover(3, "2026-01-01", "2026-12-31"),
                            _cover(9, "2025-01-01", "2026-12-31"),
                            _cover(2, "2026-01-01", "2026-12-31"))
    assert licence_for(line, [later, earlier]) == earlier
    assert licence_for(line, [later, twin]) == twin
