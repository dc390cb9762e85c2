"""Royalty figures, cumulative recoupment and the largest-remainder split."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st
from licensing.domain.royalties import (
    Pool,
    ShareSnapshot,
    end_of_day,
    recoup,
    royalty_for,
    shares_at,
    split_payable,
)

# Dates in the current year (UTC): the rules take every date as a parameter, so nothing
# here depends on the calendar, and no date is fixed.
THIS_YEAR = datetime.now(UTC).year

A, B, C = (UUID(int=1), UUID(int=2), UUID(int=3))


def test_royalty_is_gross_times_rate_rounded_to_minor_unit() -> None:
    assert royalty_for(Decimal("1000.00"), Decimal("12.50"), 2) == Decimal("125.00")
    assert royalty_for(Decimal("0.05"), Decimal("10.00"), 2) == Decimal("0.01")
    assert royalty_for(Decimal("12345"), Decimal("7.5"), 0) == Decimal("926")


def _run(grosses: list[str], rate: str, advance: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    pool = Pool(credits=Decimal(advance))
    out = []
    for gross in grosses:
        f = recoup(royalty_for(Decimal(gross), Decimal(rate), 2), pool, 2)
        pool = pool.after(f)
        out.append((f.royalty, f.recouped, f.payable))
    return out


def test_advance_is_recouped_cumulatively_before_anything_is_payable() -> None:
    figures = _run(["1000.00", "1000.00", "1000.00"], "10.00", "150.00")
    assert figures == [
        (Decimal("100.00"), Decimal("100.00"), Decimal("0.00")),
        (Decimal("100.00"), Decimal("50.00"), Decimal("50.00")),
        (Decimal("100.00"), Decimal("0.00"), Decimal("100.00")),
    ]


def test_negative_correction_takes_back_payable_after_recoupment() -> None:
    figures = _run(["2000.00", "-500.00"], "10.00", "50.00")
    assert figures[1] == (Decimal("-50.00"), Decimal("0.00"), Decimal("-50.00"))


def test_negative_correction_before_recoupment_reopens_the_advance() -> None:
    figures = _run(["1000.00", "-400.00"], "10.00", "80.00")
    assert figures[0] == (Decimal("100.00"), Decimal("80.00"), Decimal("20.00"))
    assert figures[1] == (Decimal("-40.00"), Decimal("-20.00"), Decimal("-20.00"))


@given(
    grosses=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8),
    rate=st.integers(min_value=0, max_value=10000),
    advance=st.integers(min_value=0, max_value=10**8),
)
def test_total_payable_is_royalties_beyond_the_advance(
    grosses: list[int], rate: int, advance: int
) -> None:
    figures = _run(
        [str(Decimal(g).scaleb(-2)) for g in grosses],
        str(Decimal(rate).scaleb(-2)),
        str(Decimal(advance).scaleb(-2)),
    )
    royalties = sum((f[0] for f in figures), Decimal(0))
    adv = Decimal(advance).scaleb(-2)
    assert sum((f[2] for f in figures), Decimal(0)) == max(Decimal(0), royalties - adv)
    assert all(f[2] >= 0 for f in figures)
    assert all(f[0] == f[1] + f[2] for f in figures)


def test_split_uses_largest_remainder_so_lines_sum_exactly() -> None:
    lines = split_payable(Decimal("100.00"), {A: Decimal("33.33"), B: Decimal("33.33"),
                                              C: Decimal("33.34")}, 2)
    assert [(line.party_id, line.amount) for line in lines] == [
        (C, Decimal("33.34")),
        (A, Decimal("33.33")),
        (B, Decimal("33.33")),
    ]
    cent = split_payable(Decimal("0.01"), {A: Decimal("50.00"), B: Decimal("50.00")}, 2)
    assert sorted(line.amount for line in cent) == [Decimal("0.00"), Decimal("0.01")]


def test_negative_payable_splits_to_negative_lines_summing_exactly() -> None:
    lines = split_payable(Decimal("-10.00"), {A: Decimal("66.67"), B: Decimal("33.33")}, 2)
    assert sum(line.amount for line in lines) == Decimal("-10.00")
    assert {line.party_id: line.amount for line in lines} == {
        A: Decimal("-6.67"),
        B: Decimal("-3.33"),
    }


@st.composite
def share_maps(draw: st.DrawFn) -> dict[UUID, Decimal]:
    """Shares of 0.01..100.00 (2 places) summing to exactly 100.00."""
    n = draw(st.integers(min_value=1, max_value=12))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9999), min_size=n - 1,
                               max_size=n - 1)))
    bounds = [0, *cuts, 10000]
    return {uuid4(): Decimal(b - a).scaleb(-2) for a, b in itertools.pairwise(bounds)}


@given(
    shares=share_maps(),
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    exponent=st.sampled_from([0, 2, 3]),
)
def test_lines_sum_exactly_to_payable_and_each_is_within_one_minor_unit(
    shares: dict[UUID, Decimal], minor: int, exponent: int
) -> None:
    payable = Decimal(minor).scaleb(-exponent)
    lines = split_payable(payable, shares, exponent)
    assert sum((line.amount for line in lines), Decimal(0)) == payable
    assert {line.party_id for line in lines} == set(shares)
    unit = Fraction(1, 10**exponent)
    for line in lines:
        exact = Fraction(payable) * Fraction(line.share) / 100
        assert abs(Fraction(line.amount) - exact) < unit
        assert line.amount == line.amount.quantize(Decimal(1).scaleb(-exponent))


def test_shares_are_those_in_effect_at_the_end_of_the_period() -> None:
    history = [
        ShareSnapshot(datetime(THIS_YEAR, 1, 1, tzinfo=UTC), {A: Decimal("100.00")}),
        ShareSnapshot(
            datetime(THIS_YEAR, 3, 1, 12, tzinfo=UTC), {A: Decimal("60.00"), B: Decimal("40.00")}
        ),
    ]
    assert shares_at(history, end_of_day(date(THIS_YEAR, 2, 28))) == {A: Decimal("100.00")}
    assert shares_at(history, end_of_day(date(THIS_YEAR, 3, 1))) == {
        A: Decimal("60.00"),
        B: Decimal("40.00"),
    }
    # A period ending before the register knew the work splits by the first known owners.
    assert shares_at(history, end_of_day(date(THIS_YEAR - 1, 6, 30))) == {A: Decimal("100.00")}
