"""Identifier rules (DOMAIN.md, Identifiers): shapes, normalisation, errors that name the field.

Whether check digits are right is tested against other implementations in
`test_identifiers_against_references.py`, never against this project's own formula.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from contracts.errors import InvalidInput
from contracts.identifiers import (
    ISWC,
    IPINameNumber,
    ipi_check_digits,
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


def refused(
    parse: Callable[..., str], text: str, match: str | None = None, **kw: str
) -> InvalidInput:
    """The coded error `parse` raises for `text`, its message matching `match`."""
    with pytest.raises(InvalidInput, match=match) as caught:
        parse(text, **kw)
    return caught.value


def digit_string(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


def replace(code: str, position: int, character: str) -> str:
    return code[:position] + character + code[position + 1 :]


# --- ISWC ----------------------------------------------------------------------------------


def test_iswc_example_from_the_domain_rules_is_valid() -> None:
    assert iswc_check_digit("034524680") == 1
    assert parse_iswc("T-034.524.680-1") == "T-034.524.680-1"


@pytest.mark.parametrize(
    "text", ["T-034.524.680", "034524680-1", "T-034.524.68A-1", "", "T12", "T-٠٣٤.٥٢٤.٦٨٠-١"]
)
def test_iswc_malformed_text_is_rejected(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an ISWC"):
        parse_iswc(text)


def test_iswc_error_names_the_field_given() -> None:
    error = refused(parse_iswc, "T-034.524.680-2", field="identifiers.iswc")
    assert error.field == "identifiers.iswc"
    assert "identifiers.iswc" in error.message
    assert "expected 1" in error.message


def test_iswc_error_defaults_to_field_iswc() -> None:
    assert refused(parse_iswc, "T-034.524.680-2").field == "iswc"


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
    "text",
    ["USRC1760000", "USRC176000001", "US-RC1-76-0000", "", "US_RC17600000", "USRC1٧٦07839"],
)
def test_isrc_wrong_length_or_characters_fail(text: str) -> None:
    assert refused(parse_isrc, text, field="identifiers.isrc").field == "identifiers.isrc"


# --- ISBN-13 -------------------------------------------------------------------------------


def test_isbn13_known_book_is_valid_with_hyphens() -> None:
    assert parse_isbn13("978-0-306-40615-7") == "9780306406157"


@pytest.mark.parametrize(
    "text", ["978030640615", "97803064061570", "978030640615X", "٩٧٨٠٣٠٦٤٠٦١٥٧"]
)
def test_isbn13_needs_thirteen_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidInput, match="not an ISBN-13"):
        parse_isbn13(text)


@pytest.mark.parametrize("text", ["0000000000000", "9770306406158", "4006381333931"])
def test_isbn13_outside_the_978_979_prefixes_is_no_book(text: str) -> None:
    # Each is a valid EAN-13 (a magazine, a pen): the right check digit does not make a book.
    error = refused(parse_isbn13, text, "978 or 979", field="identifiers.isbn")
    assert error.field == "identifiers.isbn"


def test_isbn13_wrong_check_digit_names_the_field_and_the_expected_digit() -> None:
    error = refused(
        parse_isbn13, "978-0-306-40615-8", "check digit 8, expected 7", field="identifiers.isbn"
    )
    assert error.field == "identifiers.isbn"


# --- ISNI ----------------------------------------------------------------------------------


def test_isni_with_x_check_character_and_spaces_is_valid() -> None:
    assert parse_isni("0000 0001 2146 438X") == "000000012146438X"
    assert parse_isni("0000 0001 2146 438x") == "000000012146438X"


def test_isni_wrong_check_character_names_it() -> None:
    error = refused(parse_isni, "0000 0001 2146 4389", "check character 9, expected X")
    assert error.field == "isni"


@pytest.mark.parametrize(
    "text", ["000000012146438", "0000000121464389X", "X000000121464380", "٠٠٠٠٠٠٠١٢١٤٦٤٣٨X"]
)
def test_isni_malformed_text_is_rejected(text: str) -> None:
    assert refused(parse_isni, text, "not an ISNI").field == "isni"


# --- IPI name number -----------------------------------------------------------------------


def test_ipi_examples_from_the_domain_rules_are_valid() -> None:
    assert ipi_check_digits("000000001") == "99"
    assert parse_ipi_name_number("00000000199") == "00000000199"
    assert ipi_check_digits("000004999") == "00"
    assert parse_ipi_name_number("00000499900") == "00000499900"


def test_ipi_wrong_check_digits_name_the_field_and_the_expected_digits() -> None:
    error = refused(parse_ipi_name_number, "00000499901", "check digits 01, expected 00")
    assert error.field == "ipi_name_number"


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
