"""Validation of offer terms: each bad input names its field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from contracts.enums import Medium
from contracts.errors import InvalidInput
from licensing.commands import parse_terms
from licensing.domain.terms import Period

# Dates in the current year (UTC): the rules take every date as a parameter, so nothing
# here depends on the calendar, and no date is fixed.
THIS_YEAR = datetime.now(UTC).year


def _terms(**overrides: Any) -> Any:
    raw: dict[str, Any] = {
        "territories": ["TH", "vn"],
        "media": ["STREAMING"],
        "exclusive": True,
        "start": date(THIS_YEAR, 1, 1),
        "end": date(THIS_YEAR, 12, 31),
        "royalty_rate": "12.50",
        "advance": "100.00",
        "currency": "USD",
    }
    raw.update(overrides)
    return parse_terms(**raw)


def test_valid_terms_are_normalised() -> None:
    terms = _terms(territories=["vn", "ASEAN"], media=["SYNC", "STREAMING", "SYNC"])
    assert "TL" in terms.territories and len(terms.territories) == 11
    assert terms.media == (Medium.STREAMING, Medium.SYNC)
    assert terms.royalty_rate == Decimal("12.50")
    assert terms.advance == Decimal("100.00")


def test_territories_are_expanded_over_the_licence_period() -> None:
    world_but_japan = _terms(territories=["WORLD", "-JP"]).territories
    assert "JP" not in world_but_japan and "TH" in world_but_japan
    before_timor_leste = _terms(territories=["ASEAN"], start=date(2024, 1, 1),
                                end=date(2024, 12, 31)).territories
    assert "TL" not in before_timor_leste and len(before_timor_leste) == 10


def test_a_territory_error_comes_before_a_period_error() -> None:
    with pytest.raises(InvalidInput) as caught:
        _terms(territories=["-JP"], start=date(2025, 1, 1), end=date(2024, 1, 1))
    assert caught.value.field == "territories[0]"
    with pytest.raises(InvalidInput) as across:
        _terms(territories=["ASEAN"], start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert across.value.field == "territories"


def test_missing_advance_means_zero() -> None:
    assert _terms(advance=None).advance == Decimal("0.00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"territories": ["TH", "XX"]}, "territories[1]"),
        ({"territories": []}, "territories"),
        ({"media": ["RADIO"]}, "media[0]"),
        ({"media": []}, "media"),
        ({"end": date(THIS_YEAR - 1, 12, 31)}, "end"),
        ({"royalty_rate": "-1"}, "royalty_rate"),
        ({"royalty_rate": "100.01"}, "royalty_rate"),
        ({"royalty_rate": "12.345"}, "royalty_rate"),
        ({"royalty_rate": 12.5}, "royalty_rate"),
        ({"advance": "-5.00"}, "advance"),
        ({"advance": "1.001"}, "advance"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "dollars"}, "currency"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        _terms(**overrides)
    assert error.value.field == field


def test_end_before_start_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        _terms(start=date(THIS_YEAR, 5, 2), end=date(THIS_YEAR, 5, 1))
    assert error.value.code == "INVALID_PERIOD"


def test_one_day_period_is_allowed() -> None:
    assert _terms(start=date(THIS_YEAR, 5, 1), end=date(THIS_YEAR, 5, 1)).period == Period(
        date(THIS_YEAR, 5, 1), date(THIS_YEAR, 5, 1)
    )


def test_open_ended_period_overlaps_everything_after_its_start() -> None:
    open_ended = Period(date(THIS_YEAR, 1, 1))
    assert open_ended.overlaps(Period(date(THIS_YEAR + 4, 1, 1), date(THIS_YEAR + 4, 1, 2)))
    assert not open_ended.overlaps(Period(date(THIS_YEAR - 1, 1, 1), date(THIS_YEAR - 1, 12, 31)))
    assert open_ended.contains(Period(date(THIS_YEAR + 1, 1, 1)))
    assert not Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31)).contains(Period(date(THIS_YEAR, 6, 1)))
