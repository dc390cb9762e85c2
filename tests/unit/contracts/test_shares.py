"""Share rules (DOMAIN.md, Works): 2 places, each in (0, 100], summing to exactly 100.00."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from contracts.errors import InvalidInput
from contracts.shares import check_total, parse_share
from hypothesis import given
from hypothesis import strategies as st


@st.composite
def splits(draw: st.DrawFn) -> list[Decimal]:
    """Cut 10,000 hundredths into positive parts: shares that sum to exactly 100.00."""
    cuts = draw(st.lists(st.integers(min_value=1, max_value=9999), unique=True, max_size=8))
    points = [0, *sorted(cuts), 10000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(points)]


@given(splits())
def test_shares_summing_to_100_pass(shares: list[Decimal]) -> None:
    parsed = [parse_share(str(s)) for s in shares]
    check_total(parsed)


@given(splits(), st.sampled_from(["0.01", "-0.01", "1.00"]))
def test_shares_off_by_any_amount_fail(shares: list[Decimal], delta: str) -> None:
    shares[0] += Decimal(delta)
    with pytest.raises(InvalidInput, match=r"sum to 100\.00") as caught:
        check_total(shares, field="rights_holders")
    assert caught.value.field == "rights_holders"


def test_share_is_quantized_to_two_places() -> None:
    assert str(parse_share("50")) == "50.00"
    assert str(parse_share(Decimal("33.3"))) == "33.30"


@pytest.mark.parametrize("value", ["0", "0.00", "-1", "100.01", "33.333", "abc", 50.0])
def test_bad_share_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_share(value, field="rights_holders[1].share")
    assert caught.value.field == "rights_holders[1].share"
    assert caught.value.code == "INVALID_SHARE"


def test_thirds_do_not_make_a_whole() -> None:
    with pytest.raises(InvalidInput, match=r"got 99\.99"):
        check_total([Decimal("33.33")] * 3)
