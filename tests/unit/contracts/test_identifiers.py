"""Identifier rules (DOMAIN.md, Identifiers): normalisation and check digits, property-based."""

from __future__ import annotations

import pytest
from contracts.errors import InvalidInput
from contracts.identifiers import (
    ISWC,
    IPINameNumber,
    ean13_check_digit,
    ipi_check_digits,
    isni_check_character,
    iswc_check_digit,
    parse_ipi_name_number,
    parse_isbn13,
    parse_isni,
    parse_isrc,
    parse_iswc,
)
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def digit_string(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def single_digit_change(draw: st.DrawFn, code: str, positions: list[int]) -> tuple[int, str]:
    """A position among `positions` and a different digit to put there."""
    position = draw(st.sampled_from(positions))
    replacement = draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    return position, replacement


def replace(code: str, position: int, character: str) -> str:
    return code[:position] + character + code[position + 1 :]


# --- ISWC ----------------------------------------------------------------------------------


def test_iswc_example_from_the_domain_rules_is_valid() -> None:
    assert iswc_check_digit("034524680") == 1
    assert parse_iswc("T-034.524.680-1") == "T-034.524.680-1"


@given(digit_string(9))
def test_generated_iswc_passes_in_both_forms_and_is_stored_punctuated(body: str) -> None:
    check = iswc_check_digit(body)
    punctuated = f"T-{body[:3]}.{body[3:6]}.{body[6:]}-{check}"
    assert parse_iswc(punctuated) == punctuated
    assert parse_iswc(f"T{body}{check}") == punctuated
    assert parse_iswc(f"t{body}{check}") == punctuated


@given(digit_string(9), st.data())
def test_iswc_single_changed_digit_fails_whenever_the_check_digit_can_see_it(
    body: str, data: st.DataObject
) -> None:
    code = f"T{body}{iswc_check_digit(body)}"
    # Positions 1..9 carry weights 1..9; position 10 is the check digit itself.
    position, new = data.draw(single_digit_change(code, list(range(1, 11))))
    changed = replace(code, position, new)
    weight = position if position <= 9 else None
    delta = int(new) - int(code[position])
    if weight is None or (weight * delta) % 10 != 0:
        with pytest.raises(InvalidInput, match="check digit"):
            parse_iswc(changed)
    else:
        # The ISWC's weighted mod-10 sum cannot see i·Δ ≡ 0 (mod 10), e.g. Δ=2 at weight 5:
        # such a change keeps a valid check digit by the standard's own arithmetic.
        assert parse_iswc(changed)


@pytest.mark.parametrize("text", ["T-034.524.680", "034524680-1", "T-034.524.68A-1", "", "T12"])
def test_iswc_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an ISWC"):
        parse_iswc(text)


def test_iswc_error_names_the_field_given() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_iswc("T-034.524.680-2", field="identifiers.iswc")
    assert caught.value.field == "identifiers.iswc"
    assert "identifiers.iswc" in caught.value.message
    assert "expected 1" in caught.value.message


def test_iswc_error_defaults_to_field_iswc() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_iswc("T-034.524.680-2")
    assert caught.value.field == "iswc"


# --- ISRC ----------------------------------------------------------------------------------

isrc_parts = st.tuples(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
    digit_string(2),
    digit_string(5),
)


@given(isrc_parts)
def test_generated_isrc_passes_with_or_without_hyphens_and_is_stored_without(
    parts: tuple[str, str, str, str],
) -> None:
    compact = "".join(parts)
    assert parse_isrc(compact) == compact
    assert parse_isrc("-".join(parts)) == compact
    assert parse_isrc(compact.lower()) == compact


@given(isrc_parts, st.integers(min_value=5, max_value=11), st.sampled_from("ABXZ"))
def test_isrc_letter_in_year_or_designation_fails(
    parts: tuple[str, str, str, str], position: int, letter: str
) -> None:
    # ISRC has no check digit: what can be checked is the shape of every part.
    with pytest.raises(InvalidInput, match="not an ISRC"):
        parse_isrc(replace("".join(parts), position, letter))


@given(isrc_parts, st.integers(min_value=0, max_value=1), digits)
def test_isrc_digit_in_country_letters_fails(
    parts: tuple[str, str, str, str], position: int, digit: str
) -> None:
    with pytest.raises(InvalidInput, match="not an ISRC"):
        parse_isrc(replace("".join(parts), position, digit))


@pytest.mark.parametrize(
    "text", ["USRC1760000", "USRC176000001", "US-RC1-76-0000", "", "US_RC17600000"]
)
def test_isrc_wrong_length_or_characters_fail(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_isrc(text, field="identifiers.isrc")
    assert caught.value.field == "identifiers.isrc"


# --- ISBN-13 -------------------------------------------------------------------------------


def test_isbn13_known_book_is_valid_with_hyphens() -> None:
    assert parse_isbn13("978-0-306-40615-7") == "9780306406157"


@given(digit_string(12))
def test_generated_isbn13_passes(body: str) -> None:
    code = f"{body}{ean13_check_digit(body)}"
    assert parse_isbn13(code) == code
    assert parse_isbn13(f"{code[:3]}-{code[3:]}") == code


@given(digit_string(12), st.data())
def test_isbn13_any_single_changed_digit_fails(body: str, data: st.DataObject) -> None:
    code = f"{body}{ean13_check_digit(body)}"
    position, new = data.draw(single_digit_change(code, list(range(13))))
    with pytest.raises(InvalidInput, match="check digit") as caught:
        parse_isbn13(replace(code, position, new), field="identifiers.isbn")
    assert caught.value.field == "identifiers.isbn"


@pytest.mark.parametrize(
    "text", ["978030640615", "97803064061570", "978030640615X", "٩٧٨٠٣٠٦٤٠٦١٥٧"]
)
def test_isbn13_needs_thirteen_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an ISBN-13"):
        parse_isbn13(text)


# --- ISNI ----------------------------------------------------------------------------------


def test_isni_with_x_check_character_and_spaces_is_valid() -> None:
    assert parse_isni("0000 0001 2146 438X") == "000000012146438X"
    assert parse_isni("0000 0001 2146 438x") == "000000012146438X"


@given(digit_string(15))
def test_generated_isni_passes_with_or_without_spaces(body: str) -> None:
    code = f"{body}{isni_check_character(body)}"
    spaced = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    assert parse_isni(code) == code
    assert parse_isni(spaced) == code


@given(digit_string(15), st.data())
def test_isni_any_single_changed_character_fails(body: str, data: st.DataObject) -> None:
    code = f"{body}{isni_check_character(body)}"
    position = data.draw(st.integers(min_value=0, max_value=15))
    alphabet = "0123456789X" if position == 15 else "0123456789"
    new = data.draw(st.sampled_from([c for c in alphabet if c != code[position]]))
    with pytest.raises(InvalidInput, match="check character"):
        parse_isni(replace(code, position, new))


@pytest.mark.parametrize("text", ["000000012146438", "0000000121464389X", "X000000121464380"])
def test_isni_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an ISNI") as caught:
        parse_isni(text)
    assert caught.value.field == "isni"


# --- IPI name number -----------------------------------------------------------------------


def test_ipi_example_from_the_domain_rules_is_valid() -> None:
    assert ipi_check_digits("000000001") == "99"
    assert parse_ipi_name_number("00000000199") == "00000000199"


@given(digit_string(9))
def test_generated_ipi_name_number_passes(body: str) -> None:
    code = f"{body}{ipi_check_digits(body)}"
    assert parse_ipi_name_number(code) == code


@given(digit_string(9), st.data())
def test_ipi_name_number_any_single_changed_digit_fails(body: str, data: st.DataObject) -> None:
    code = f"{body}{ipi_check_digits(body)}"
    position, new = data.draw(single_digit_change(code, list(range(11))))
    with pytest.raises(InvalidInput, match="check digits") as caught:
        parse_ipi_name_number(replace(code, position, new))
    assert caught.value.field == "ipi_name_number"


@pytest.mark.parametrize("text", ["0000000199", "000000001990", "0000000019A", ""])
def test_ipi_name_number_needs_eleven_digits(text: str) -> None:
    with pytest.raises(InvalidInput, match="11 digits"):
        parse_ipi_name_number(text)


# --- inside pydantic models ----------------------------------------------------------------


class _Holder(BaseModel):
    iswc: ISWC
    ipi: IPINameNumber | None = None


def test_identifier_types_normalise_inside_models() -> None:
    assert _Holder(iswc="T0345246801").iswc == "T-034.524.680-1"


def test_identifier_types_report_the_field_and_the_reason_inside_models() -> None:
    with pytest.raises(ValidationError) as caught:
        _Holder(iswc="T-034.524.680-1", ipi="00000000198")
    (error,) = caught.value.errors()
    assert error["loc"] == ("ipi",)
    assert "expected 99" in error["msg"]


@pytest.mark.parametrize("value", [34524680, None, b"T0345246801"])
def test_identifiers_must_be_strings(value: object) -> None:
    with pytest.raises(InvalidInput, match="must be a string"):
        parse_iswc(value)
