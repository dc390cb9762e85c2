"""The deal forms read into the API's inputs, the API's fields placed at their controls, and
the deal pages' operations validated against the gateway's schema (WEB.md, "Deals")."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from starlette.datastructures import FormData
from web.deals_queries import LICENCE_UPDATED, OPERATIONS

from web import deals_forms as forms

SCHEMA = build_schema(
    (Path(__file__).resolve().parents[3] / "gateway" / "schema.graphql").read_text()
)
KEY = "6f0e3c1e-4a53-4d39-9a55-0a3c3b3f9f10"


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_deal_operation_is_valid_against_the_gateways_schema(name: str) -> None:
    assert validate(SCHEMA, parse(OPERATIONS[name])) == []


def test_the_scripts_subscription_is_valid_against_the_gateways_schema() -> None:
    assert validate(SCHEMA, parse(LICENCE_UPDATED)) == []
    script = (Path(forms.__file__).parent / "static" / "deal-live.js").read_text()
    assert " ".join(LICENCE_UPDATED.split()) in script  # the script sends this very one


def offer(**typed: str | list[str]) -> forms.DealForm:
    items: list[tuple[str, str]] = []
    for name, value in typed.items():
        items += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return forms.read_offer(FormData(items))


def test_an_offer_is_read_in_the_pages_locale_into_the_apis_input() -> None:
    typed = offer(licenseeId=" P1 ", territories=["TH", "VN"], otherTerritories="jp, KR",
                  media=["SYNC"], exclusive="yes", start="2027-01-01", end="",
                  royaltyRate="12,5", advance="1.000", currency="thb")
    payload, errors = forms.offer_input("W1", typed, "id", KEY)
    assert errors == []
    assert payload == {
        "workId": "W1", "licenseeId": "P1", "territories": ["TH", "VN", "JP", "KR"],
        "media": ["SYNC"], "exclusive": True, "start": "2027-01-01", "end": None,
        "royaltyRate": "12.5", "advance": "1000", "currency": "THB", "idempotencyKey": KEY}


def test_a_number_not_of_the_pages_locale_is_an_error_at_its_control() -> None:
    _, errors = forms.offer_input("W1", offer(royaltyRate="12.5.1", advance=""), "en", KEY)
    assert [(e.control, e.code) for e in errors] == [("royaltyRate", "NOT_A_NUMBER")]


@pytest.mark.parametrize(("api_field", "control"), [
    ("territories[2]", "territories"),
    ("input.royaltyRate", "royaltyRate"),
    ("royalty_rate", "royaltyRate"),
    ("licenseeId", "licenseeId"),
    ("workId", None),
    (None, None),
    ("rightsHolders[1].share", None),
])
def test_the_apis_field_names_the_offer_forms_control(api_field: str | None,
                                                     control: str | None) -> None:
    assert forms.control_of(api_field, forms.OFFER_CONTROLS) == control


def test_an_error_is_worded_by_its_code_or_by_its_control() -> None:
    assert forms.wording(forms.FieldError("territories", "LICENCE_CONFLICT", "")) == \
        "An active licence already covers part of these terms."
    assert forms.wording(forms.FieldError("currency", "INVALID_INPUT", "")) == \
        "This is not a currency code such as THB or USD."
    assert forms.wording(forms.FieldError(None, "SOMETHING_NEW", "x")) is None


def test_a_resolution_keeps_the_owners_or_names_new_ones_one_a_line() -> None:
    keep = forms.read(FormData([("keepOwners", "yes"), ("reason", "stands")]),
                      forms.RESOLVE_CONTROLS)
    assert forms.resolve_input("W1", keep, KEY)["rightsHolders"] is None
    replace = forms.read(FormData([("keepOwners", "no"), ("reason", "r"), (
        "rightsHolders", "P1, composer, 60\n\nP2,LYRICIST,40\n")]), forms.RESOLVE_CONTROLS)
    assert forms.resolve_input("W1", replace, KEY) == {
        "workId": "W1", "keepOwners": False, "reason": "r", "idempotencyKey": KEY,
        "rightsHolders": [{"partyId": "P1", "role": "COMPOSER", "share": "60"},
                          {"partyId": "P2", "role": "LYRICIST", "share": "40"}]}


def test_a_dispute_sends_its_standing() -> None:
    typed = forms.read(FormData([("reason", "mine"), ("claimedRole", "LYRICIST"),
                                 ("claimedShare", "30")]), forms.DISPUTE_CONTROLS)
    variables, errors = forms.dispute_variables("W1", typed, "th")
    assert errors == [] and variables == {"workId": "W1", "reason": "mine",
                                          "claimedRole": "LYRICIST", "claimedShare": "30",
                                          "evidence": None}
