"""Identifiers checked against implementations this project did not write (DOMAIN.md, Identifiers).

python-stdnum judges ISBN, ISNI and ISRC; django-music-publisher's CWR validators judge ISWC
and IPI name numbers (python-stdnum has neither). Valid codes are made by asking the
reference which check digits it accepts, never by the project's own formula, so a formula
wrong in both places cannot pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.errors import InvalidInput
from contracts.identifiers import (
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
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import ean, isbn, isni, isrc
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.iso7064 import mod_11_2

from tests.oracles import music_publisher_accepts

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Arabic-Indic and Thai digits: str.isdigit(), int() and a bare regex \d all take them,
# and python-stdnum does not fold them to ASCII.
OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩๐๑๒๓๔๕๖๗๘๙"
NOISE = DIGITS + LETTERS + "abcxz-. _" + OTHER_DIGITS


def accepts(parse: Callable[[Any], str], text: str) -> bool:
    try:
        parse(text)
    except InvalidInput:
        return False
    return True


@st.composite
def mostly(draw: st.DrawFn, shape: list[str]) -> str:
    """Text whose i-th character is usually from `shape[i]` and sometimes any noise at all,
    so that near-misses (one wrong character, a foreign digit) are common, not rare."""
    return "".join(
        draw(st.sampled_from(NOISE if draw(st.integers(0, 9)) == 0 else allowed))
        for allowed in shape
    )


@st.composite
def one_change(draw: st.DrawFn, code: str, alphabet: str) -> str:
    """`code` with one character replaced by a different one from `alphabet`."""
    position = draw(st.integers(0, len(code) - 1))
    new = draw(st.sampled_from([c for c in alphabet if c != code[position]]))
    return code[:position] + new + code[position + 1 :]


# --- IPI name number: django-music-publisher --------------------------------------------------


def ipi_checks_music_publisher_accepts(nine: str) -> list[str]:
    return [f"{n:02d}" for n in range(100) if music_publisher_accepts("ipi_name", f"{nine}{n:02d}")]


@given(st.text(DIGITS, min_size=9, max_size=9))
@example("000004999")  # weighted sum 101: the check is 00 (issue 12), not 01
@example("000000001")
def test_ipi_name_number_agrees_with_music_publisher_on_every_check_pair(nine: str) -> None:
    for n in range(100):
        code = f"{nine}{n:02d}"
        assert accepts(parse_ipi_name_number, code) == music_publisher_accepts("ipi_name", code), (
            code
        )


def test_ipi_weighted_sum_a_multiple_of_101_takes_check_00() -> None:
    assert music_publisher_accepts("ipi_name", "00000499900")
    assert not music_publisher_accepts("ipi_name", "00000499901")
    assert parse_ipi_name_number("00000499900") == "00000499900"
    assert not accepts(parse_ipi_name_number, "00000499901")


def test_ipi_agrees_with_music_publisher_on_every_body_of_the_last_four_digits() -> None:
    # Weights 5,4,3,2 reach sums 0..126: every remainder near 0 and 101 is in this slice.
    for tail in range(10_000):
        nine = f"00000{tail:04d}"
        assert music_publisher_accepts("ipi_name", nine + ipi_check_digits(nine)), nine


@given(st.text(DIGITS, min_size=9, max_size=9), st.data())
def test_ipi_valid_number_with_one_digit_changed_agrees_with_music_publisher(
    nine: str, data: st.DataObject
) -> None:
    (check,) = ipi_checks_music_publisher_accepts(nine)
    code = f"{nine}{check}"
    assert parse_ipi_name_number(code) == code
    changed = data.draw(one_change(code, DIGITS))
    assert accepts(parse_ipi_name_number, changed) == music_publisher_accepts("ipi_name", changed)


@given(mostly([DIGITS] * 11))
def test_ipi_near_miss_text_is_rejected_unless_music_publisher_accepts_eleven_digits(
    text: str,
) -> None:
    # The reference checks digits only (any length, any script's digits): the shape of 11
    # ASCII digits is this register's own rule on top.
    shaped = text.isascii() and text.isdigit() and len(text) == 11
    expected = shaped and music_publisher_accepts("ipi_name", text)
    assert accepts(parse_ipi_name_number, text) == expected


# --- ISWC: django-music-publisher ------------------------------------------------------------


@given(st.text(DIGITS, min_size=9, max_size=9))
@example("034524680")
def test_iswc_agrees_with_music_publisher_on_every_check_digit_in_every_form(nine: str) -> None:
    for check in DIGITS:
        compact = f"T{nine}{check}"
        expected = music_publisher_accepts("iswc", compact)
        punctuated = f"T-{nine[:3]}.{nine[3:6]}.{nine[6:]}-{check}"
        for form in (compact, punctuated, compact.lower()):
            assert accepts(parse_iswc, form) == expected, form
        if expected:
            assert parse_iswc(compact) == punctuated
            assert iswc_check_digit(nine) == int(check)


@given(mostly(["T", *[DIGITS] * 10]))
@example("T0345246801")
@example("T٠٣٤٥٢٤٦٨٠١")  # the same ISWC in Arabic-Indic digits
def test_iswc_near_miss_text_agrees_with_music_publisher(text: str) -> None:
    # The reference's \d takes any script's digits; the register takes ASCII digits only.
    expected = text.isascii() and music_publisher_accepts("iswc", text.upper())
    assert accepts(parse_iswc, text) == expected


# --- ISBN-13: python-stdnum ------------------------------------------------------------------


def stdnum_isbn13(text: str) -> bool:
    return isbn.isbn_type(text) == "ISBN13"


@given(st.sampled_from(["978", "979"]), st.text(DIGITS, min_size=9, max_size=9))
def test_isbn13_made_by_stdnum_is_accepted_in_stdnum_format_and_stored_compact(
    prefix: str, nine: str
) -> None:
    code = f"{prefix}{nine}{ean.calc_check_digit(prefix + nine)}"
    assert stdnum_isbn13(code)
    assert parse_isbn13(code) == code
    assert parse_isbn13(isbn.format(code)) == code
    assert parse_isbn13(" ".join(code)) == code
    assert ean13_check_digit(code[:12]) == int(code[12])


@given(st.sampled_from(["978", "979"]), st.text(DIGITS, min_size=9, max_size=9), st.data())
def test_isbn13_with_one_digit_changed_agrees_with_stdnum(
    prefix: str, nine: str, data: st.DataObject
) -> None:
    code = data.draw(one_change(f"{prefix}{nine}{ean.calc_check_digit(prefix + nine)}", DIGITS))
    assert accepts(parse_isbn13, code) == stdnum_isbn13(code)


@given(mostly([*"9", *"7", "89", *[DIGITS] * 10]))
@example("0000000000000")  # a valid EAN-13 but no book: outside the 978/979 prefixes
@example("9770306406158")
def test_isbn13_near_miss_text_agrees_with_stdnum(text: str) -> None:
    assert accepts(parse_isbn13, text) == stdnum_isbn13(text)


@given(st.text(DIGITS + "X -" + OTHER_DIGITS, max_size=16))
def test_isbn13_random_text_agrees_with_stdnum(text: str) -> None:
    assert accepts(parse_isbn13, text) == stdnum_isbn13(text)


# --- ISNI: python-stdnum ---------------------------------------------------------------------


@given(st.text(DIGITS, min_size=15, max_size=15))
def test_isni_made_by_stdnum_is_accepted_in_stdnum_format(fifteen: str) -> None:
    code = f"{fifteen}{mod_11_2.calc_check_digit(fifteen)}"
    assert isni.is_valid(code)
    assert parse_isni(code) == code
    assert parse_isni(isni.format(code)) == code
    assert parse_isni(code.lower()) == code
    assert isni_check_character(fifteen) == code[15]


@given(st.text(DIGITS, min_size=15, max_size=15), st.data())
def test_isni_with_one_character_changed_agrees_with_stdnum(
    fifteen: str, data: st.DataObject
) -> None:
    code = data.draw(one_change(f"{fifteen}{mod_11_2.calc_check_digit(fifteen)}", DIGITS + "X"))
    assert accepts(parse_isni, code) == isni.is_valid(code)


@given(mostly([*[DIGITS] * 15, DIGITS + "Xx"]))
@example("000000012146438X")
@example("0000000121464389")
@example("٠٠٠٠٠٠٠١٢١٤٦٤٣٨X")
@example("970021004000272٤")
def test_isni_near_miss_text_agrees_with_stdnum(text: str) -> None:
    # python-stdnum also drops hyphens, which ISNI's printed form (ISO 27729) never has and
    # the register does not take: compare on text without them. It reads another script's
    # digit as the check character ("…272٤"); the register takes ASCII digits only (DOMAIN.md,
    # "Identifiers").
    text = text.replace("-", " ")
    assert accepts(parse_isni, text) == (text.isascii() and isni.is_valid(text))


# --- ISRC: python-stdnum ---------------------------------------------------------------------


def stdnum_isrc_shape(text: str) -> bool:
    """stdnum's verdict, except that an unknown country code is let through: the register
    checks the ISRC's shape only (country codes are allocated by the ISRC agency over time)."""
    try:
        isrc.validate(text)
    except InvalidComponent:
        return True
    except StdnumValidationError:
        return False
    return True


ISRC_SHAPE = [LETTERS] * 2 + [LETTERS + DIGITS] * 3 + [DIGITS] * 7


@given(mostly(ISRC_SHAPE))
@example("USRC17607839")
@example("US-RC1-76-07839")
@example("QQRC17607839")
@example("USRC1٧٦07839")
def test_isrc_near_miss_text_agrees_with_stdnum(text: str) -> None:
    # Spaces: python-stdnum drops them, the register does not; compare on text without them.
    text = text.replace(" ", "-")
    assert accepts(parse_isrc, text) == stdnum_isrc_shape(text)
    if isrc.is_valid(text):
        assert parse_isrc(text) == isrc.compact(text)


@given(st.text(LETTERS + DIGITS + "-" + OTHER_DIGITS, max_size=16))
def test_isrc_random_text_agrees_with_stdnum(text: str) -> None:
    assert accepts(parse_isrc, text) == stdnum_isrc_shape(text)
