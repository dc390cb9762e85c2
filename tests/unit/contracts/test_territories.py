"""Territory rules (DOMAIN.md, Licences): ISO 3166-1 alpha-2 codes, `WORLD` and `ASEAN` expanded."""

from __future__ import annotations

import pycountry
import pytest
from contracts.errors import InvalidInput
from contracts.territories import ASEAN, WORLD, expand_territories, parse_country
from hypothesis import given
from hypothesis import strategies as st

countries = st.sampled_from(sorted(c.alpha_2 for c in pycountry.countries))


def test_asean_has_eleven_members_including_timor_leste() -> None:
    assert len(ASEAN) == 11
    assert "TL" in ASEAN
    assert set(ASEAN) == {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"}


def test_world_is_every_iso_3166_country() -> None:
    assert set(WORLD) == {c.alpha_2 for c in pycountry.countries}
    assert expand_territories(["WORLD"]) == WORLD


def test_shorthands_expand_and_merge_with_codes_sorted_and_unique() -> None:
    assert expand_territories(["asean", "TH", "jp"]) == tuple(sorted({*ASEAN, "JP"}))


@given(st.lists(countries, min_size=1, max_size=20))
def test_expanded_territories_are_sorted_unique_countries(codes: list[str]) -> None:
    expanded = expand_territories([c.lower() for c in codes])
    assert expanded == tuple(sorted(set(codes)))


def test_country_code_is_upper_cased() -> None:
    assert parse_country(" th ") == "TH"


@pytest.mark.parametrize("code", ["XX", "UK", "THA", "T", "EU", "ASEAN", ""])
def test_unknown_country_code_is_rejected_naming_the_field(code: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 3166-1") as caught:
        parse_country(code, field="country_of_origin")
    assert caught.value.field == "country_of_origin"


def test_bad_code_in_a_list_names_its_position() -> None:
    with pytest.raises(InvalidInput) as caught:
        expand_territories(["TH", "ZZ"], field="terms.territories")
    assert caught.value.field == "terms.territories[1]"


def test_empty_territories_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="at least one"):
        expand_territories([])


def test_a_bare_string_is_not_a_list_of_territories() -> None:
    with pytest.raises(InvalidInput, match="list"):
        expand_territories("TH")
