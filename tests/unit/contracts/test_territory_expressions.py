"""Territory expressions (DOMAIN.md, Territories): inclusions and exclusions in order, nested
groups, memberships valid over time, and a licence period that spans a membership change."""

from __future__ import annotations

from datetime import date

import pycountry
import pytest
from contracts.errors import InvalidInput
from contracts.territories import (
    GROUPS,
    countries_for_period,
    evaluate,
    members,
    parse_expression,
)

EVERY_COUNTRY = {c.alpha_2 for c in pycountry.countries}  # the oracle
TL_JOINED = date(2025, 10, 26)  # ASEAN admitted Timor-Leste at its 47th summit


def covered(codes: list[str], day: date) -> set[str]:
    return set(evaluate(parse_expression(codes), day))


def test_world_excluding_japan() -> None:
    assert covered(["WORLD", "-JP"], date(2026, 1, 1)) == EVERY_COUNTRY - {"JP"}


def test_terms_apply_in_order() -> None:
    day = date(2026, 1, 1)
    asean = members("ASEAN", day)
    assert covered(["WORLD", "-ASEAN", "TH"], day) == (EVERY_COUNTRY - asean) | {"TH"}
    assert covered(["WORLD", "TH", "-ASEAN"], day) == EVERY_COUNTRY - asean
    assert covered(["+jp", "kr", "-JP"], day) == {"KR"}


def test_nested_group_counts_where_both_memberships_hold() -> None:
    assert "PL" in members("EEA", date(2005, 1, 1))  # EU member since 2004, in the EEA
    assert "PL" not in members("EEA", date(2003, 12, 31))
    assert "GB" in members("EEA", date(2020, 1, 31))
    assert "GB" not in members("EEA", date(2020, 2, 1))
    assert {"IS", "NO"} <= members("EEA", date(1994, 1, 1))
    assert "LI" not in members("EEA", date(1995, 4, 30))
    assert members("EEA", date(1993, 12, 31)) == frozenset()  # no EEA before 1994


def test_timor_leste_is_in_asean_from_its_accession() -> None:
    assert "TL" not in members("ASEAN", date(2025, 10, 25))
    assert "TL" in members("ASEAN", TL_JOINED)
    assert len(members("ASEAN", TL_JOINED)) == 11
    assert len(members("ASEAN", date(2024, 6, 1))) == 10


def test_a_period_before_the_accession_leaves_timor_leste_out() -> None:
    before = countries_for_period(["ASEAN"], date(2024, 1, 1), date(2024, 12, 31))
    assert "TL" not in before and "TH" in before and len(before) == 10
    after = countries_for_period(["ASEAN"], TL_JOINED, None)
    assert "TL" in after and len(after) == 11


def test_a_period_across_a_membership_change_is_refused_with_the_day_to_split_at() -> None:
    with pytest.raises(InvalidInput, match="2025-10-26") as caught:
        countries_for_period(["asean"], date(2025, 1, 1), None, field="terms.territories")
    assert caught.value.field == "terms.territories"
    # an exclusion that takes the changing member out again makes the period one list
    assert "TL" not in countries_for_period(["ASEAN", "-TL"], date(2025, 1, 1), None)


def test_a_change_on_the_first_day_of_the_period_is_not_within_it() -> None:
    assert "TL" in countries_for_period(["ASEAN"], TL_JOINED, date(2026, 1, 1))


@pytest.mark.parametrize(
    ("codes", "field"),
    [(["TH", "ZZ"], "territories[1]"), (["WORLD", "-UK"], "territories[1]"),
     (["-JP", "WORLD"], "territories[0]"), (["WORLD", 7], "territories[1]"),
     (["NAFTA"], "territories[0]"), (["-"], "territories[0]")],
)  # fmt: skip
def test_unknown_or_misplaced_terms_are_refused_naming_the_field(
    codes: list[object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_expression(codes)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_an_expression_covering_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no country") as caught:
        countries_for_period(["JP", "-JP"], date(2026, 1, 1), None)
    assert caught.value.field == "territories"


def test_every_group_member_is_a_pycountry_country_or_a_group() -> None:
    for group in GROUPS.values():
        for membership in group:
            assert membership.member in EVERY_COUNTRY or membership.member in GROUPS
