"""The conflict rule: territories x media x period overlap, with exclusivity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from contracts.enums import Medium
from hypothesis import given
from hypothesis import strategies as st
from licensing.domain.availability import (
    Footprint,
    Holding,
    LicenceConflict,
    ensure_available,
    find_conflicts,
)
from licensing.domain.terms import Period

# Dates in the current year (UTC): the rules take every date as a parameter, so nothing
# here depends on the calendar, and no date is fixed.
THIS_YEAR = datetime.now(UTC).year

L1, L2 = UUID(int=1), UUID(int=2)


def fp(
    territories: str = "TH,VN",
    media: str = "STREAMING",
    exclusive: bool = False,
    start: date = date(THIS_YEAR, 1, 1),
    end: date | None = date(THIS_YEAR, 12, 31),
) -> Footprint:
    return Footprint(
        frozenset(territories.split(",")),
        frozenset(Medium(m) for m in media.split(",")),
        exclusive,
        Period(start, end),
    )


def test_exclusive_licence_blocks_overlapping_territory() -> None:
    held = Holding(L1, fp("TH,VN,MY", "STREAMING,DOWNLOAD", exclusive=True))
    [conflict] = find_conflicts(fp("VN,SG", "STREAMING,SYNC"), [held])
    assert conflict.licence_id == L1
    assert conflict.territories == ("VN",)
    assert conflict.media == (Medium.STREAMING,)
    assert conflict.period == Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31))


def test_new_exclusive_offer_conflicts_with_non_exclusive_active_licence() -> None:
    held = Holding(L1, fp(exclusive=False))
    assert find_conflicts(fp(exclusive=True), [held])


def test_two_non_exclusive_licences_may_overlap() -> None:
    assert find_conflicts(fp(), [Holding(L1, fp())]) == []


def test_disjoint_territories_do_not_conflict() -> None:
    assert find_conflicts(fp("SG"), [Holding(L1, fp("TH", exclusive=True))]) == []


def test_disjoint_media_do_not_conflict() -> None:
    assert find_conflicts(fp(media="PRINT"), [Holding(L1, fp(exclusive=True))]) == []


def test_disjoint_periods_do_not_conflict_and_end_dates_are_inclusive() -> None:
    held = Holding(L1, fp(exclusive=True, end=date(THIS_YEAR, 6, 30)))
    assert find_conflicts(fp(start=date(THIS_YEAR, 7, 1)), [held]) == []
    [touching] = find_conflicts(fp(start=date(THIS_YEAR, 6, 30)), [held])
    assert touching.period == Period(date(THIS_YEAR, 6, 30), date(THIS_YEAR, 6, 30))


def test_open_ended_licence_blocks_all_later_dates() -> None:
    held = Holding(L1, fp(exclusive=True, end=None))
    [conflict] = find_conflicts(fp(start=date(THIS_YEAR + 14, 1, 1), end=None), [held])
    assert conflict.period == Period(date(THIS_YEAR + 14, 1, 1), None)


def test_conflict_error_explains_every_conflict() -> None:
    holdings = [Holding(L2, fp("VN", exclusive=True)), Holding(L1, fp("TH", exclusive=True))]
    with pytest.raises(LicenceConflict) as error:
        ensure_available(fp(), holdings)
    assert error.value.code == "LICENCE_CONFLICT"
    assert [c.licence_id for c in error.value.conflicts] == [L1, L2]
    assert str(L1) in error.value.message and "TH" in error.value.message
    assert "STREAMING" in error.value.message and f"{THIS_YEAR}-01-01..{THIS_YEAR}-12-31" in error.value.message


days = st.integers(min_value=0, max_value=60)


@st.composite
def footprints(draw: st.DrawFn) -> Footprint:
    start = draw(days)
    end = draw(st.one_of(st.none(), st.integers(min_value=start, max_value=60)))
    base = date(THIS_YEAR, 1, 1)
    return Footprint(
        frozenset(draw(st.sets(st.sampled_from(["TH", "VN", "SG", "MY"]), min_size=1))),
        frozenset(draw(st.sets(st.sampled_from(list(Medium)[:4]), min_size=1))),
        draw(st.booleans()),
        Period(base + timedelta(days=start), None if end is None else base + timedelta(days=end)),
    )


def _days(period: Period) -> set[date]:
    last = period.end or date(THIS_YEAR, 12, 31)  # beyond every drawn date: open means "on and on"
    return {period.start + timedelta(days=i) for i in range((last - period.start).days + 1)}


@given(candidate=footprints(), held=footprints())
def test_conflict_is_a_shared_territory_medium_and_day_with_an_exclusive_side(
    candidate: Footprint, held: Footprint
) -> None:
    shared_days = _days(candidate.period) & _days(held.period)
    expected = bool(
        candidate.territories & held.territories
        and candidate.media & held.media
        and shared_days
        and (candidate.exclusive or held.exclusive)
    )
    conflicts = find_conflicts(candidate, [Holding(L1, held)])
    assert bool(conflicts) == expected
    if conflicts:
        [conflict] = conflicts
        assert set(conflict.territories) == candidate.territories & held.territories
        assert set(conflict.media) == candidate.media & held.media
        assert _days(conflict.period) == shared_days
