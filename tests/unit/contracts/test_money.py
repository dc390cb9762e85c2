"""Money rules (DOMAIN.md): ISO 4217 currencies with minor units, Decimal amounts, no floats."""

from __future__ import annotations

from decimal import Decimal

import iso4217
import pycountry
import pytest
from contracts.errors import InvalidInput
from contracts.events import LicenceTerms
from contracts.money import (
    MINOR_UNITS,
    InvalidMoney,
    minor_units,
    parse_amount,
    parse_currency,
    parse_rate,
)
from contracts.territories import ASEAN
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

# Each ASEAN member's currency; Timor-Leste uses the US dollar.
ASEAN_CURRENCIES = {
    "BN": "BND", "KH": "KHR", "ID": "IDR", "LA": "LAK", "MY": "MYR", "MM": "MMK",
    "PH": "PHP", "SG": "SGD", "TH": "THB", "TL": "USD", "VN": "VND",
}  # fmt: skip


def test_every_asean_currency_is_supported() -> None:
    assert set(ASEAN_CURRENCIES) == set(ASEAN)
    for code in ASEAN_CURRENCIES.values():
        assert parse_currency(code) == code


# The hand-kept table this module had before it read the `iso4217` package: the package
# must give each of these currencies the same minor units (behaviour kept).
FORMER_TABLE = {
    **dict.fromkeys(
        "BND IDR KHR LAK MMK MYR PHP SGD THB USD EUR GBP CNY AUD NZD INR HKD TWD CHF CAD SEK "
        "NOK DKK PLN CZK HUF ZAR BRL MXN AED SAR BDT PKR LKR NPR TRY ILS EGP NGN KES MOP".split(),
        2,
    ),
    **dict.fromkeys(
        "VND JPY KRW CLP ISK UGX XOF XAF XPF PYG RWF VUV KMF GNF DJF BIF".split(), 0
    ),
    **dict.fromkeys("BHD KWD OMR JOD TND IQD LYD".split(), 3),
}


def test_the_former_table_keeps_its_minor_units() -> None:
    assert len(FORMER_TABLE) == 64
    for code, units in FORMER_TABLE.items():
        assert minor_units(code) == units, code


def test_every_currency_of_the_iso4217_package_with_a_minor_unit_is_accepted() -> None:
    for currency in iso4217.Currency:
        if currency.exponent is None:
            with pytest.raises(InvalidInput, match="no minor unit"):
                parse_currency(currency.code)
        else:
            assert minor_units(currency.code.lower()) == currency.exponent


def test_every_active_pycountry_currency_is_accepted() -> None:
    # a second oracle: pycountry's ISO 4217 list; only the codes without a minor unit
    # (precious metals, the SDR, testing and no-currency codes) are refused
    without_minor_unit = {c.code for c in iso4217.Currency if c.exponent is None}
    for currency in pycountry.currencies:
        if currency.alpha_3 not in without_minor_unit:
            assert parse_currency(currency.alpha_3) == currency.alpha_3
    assert len(MINOR_UNITS) > 150  # 114 more than the 64 of the former table, and then some


@pytest.mark.parametrize(
    ("currency", "units"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("SGD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("VND", 0),
        ("BHD", 3),
        ("KWD", 3),
    ],
)
def test_minor_units_follow_iso_4217(currency: str, units: int) -> None:
    assert minor_units(currency) == units


def test_currency_is_upper_cased() -> None:
    assert parse_currency("thb") == "THB"


def test_unknown_currency_code_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="not an ISO 4217") as caught:
        parse_currency("XYZ", field="terms.currency")
    assert caught.value.field == "terms.currency"


def test_iso_currency_without_known_minor_units_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no minor unit") as caught:
        parse_currency("XAU", field="currency")
    assert caught.value.field == "currency"


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_amounts_round_trip_through_decimal_strings(amount: Decimal) -> None:
    assert parse_amount(str(amount), "USD") == amount


def test_amount_is_quantized_to_the_currency_minor_units() -> None:
    assert str(parse_amount("12.5", "USD")) == "12.50"
    assert str(parse_amount(12, "BHD")) == "12.000"
    assert str(parse_amount("1500", "JPY")) == "1500"


def test_amount_with_more_places_than_the_currency_allows_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at most 0 decimal places"):
        parse_amount("100.5", "VND", field="advance")


@pytest.mark.parametrize("value", [12.5, 0.1, float("nan"), True])
def test_float_amounts_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput, match="decimal string") as caught:
        parse_amount(value, "USD", field="gross_revenue")
    assert caught.value.field == "gross_revenue"


@pytest.mark.parametrize("value", ["1e3", "NaN", "Infinity", "12,50", "", " ", "0x10", "1_000"])
def test_non_decimal_text_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="decimal string"):
        parse_amount(value, "USD")


def test_negative_amount_only_when_allowed() -> None:
    with pytest.raises(InvalidInput, match="negative"):
        parse_amount("-1.00", "USD")
    assert parse_amount("-1.00", "USD", allow_negative=True) == Decimal("-1.00")


@pytest.mark.parametrize(
    ("value", "expected"), [("0", "0.00"), ("12.5", "12.50"), ("100", "100.00")]
)
def test_rate_is_a_percentage_with_two_places(value: str, expected: str) -> None:
    assert str(parse_rate(value)) == expected


@pytest.mark.parametrize("value", ["100.01", "-0.01", "12.345", 12.5])
def test_rate_outside_0_to_100_or_with_three_places_is_refused(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rate(value)
    assert caught.value.field == "royalty_rate"


def _terms(**overrides: object) -> dict[str, object]:
    return {
        "territories": ["TH"],
        "media": ["STREAMING"],
        "exclusive": False,
        "start": "2026-01-01",
        "royalty_rate": "10",
        "advance": "0",
        "currency": "THB",
    } | overrides


def test_float_money_in_json_is_a_clear_error() -> None:
    with pytest.raises(ValidationError) as caught:
        LicenceTerms.model_validate_json(
            '{"territories":["TH"],"media":["STREAMING"],'
            '"exclusive":false,"start":"2026-01-01",'
            '"royalty_rate":10.5,"advance":"0","currency":"THB"}'
        )
    (error,) = caught.value.errors()
    assert error["loc"] == ("royalty_rate",)
    assert "not a float" in error["msg"]


def test_advance_places_are_checked_against_the_licence_currency() -> None:
    with pytest.raises(ValidationError, match="JPY amounts have at most 0"):
        LicenceTerms.model_validate(_terms(currency="JPY", advance="10.50"))


def test_money_serialises_as_decimal_strings_never_exponents() -> None:
    terms = LicenceTerms.model_validate(_terms(advance=Decimal("1E+3")))
    dumped = terms.model_dump(mode="json")
    assert dumped["advance"] == "1000"
    assert dumped["royalty_rate"] == "10.00"


@pytest.mark.parametrize("value", ["1" + "0" * 15, "-" + "9" * 16, "9" * 40, 10**15])
def test_more_than_fifteen_whole_digits_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidMoney) as refused:
        parse_amount(value, "USD", field="advance", allow_negative=True)
    assert refused.value.field == "advance"
    assert parse_amount("9" * 15 + ".99", "USD") == Decimal("9" * 15 + ".99")
