"""Issue 20's GraphQL operations as a stranger and a fuzzer use them, against the running
services (DOMAIN.md "Access" and "The payee ledger"): a stranger reads nothing of another
party's deal and records nothing on it; bad input is an error naming its field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from devstack.identity import Identities

from .test_deal_through_graphql import Platform, platform, register  # noqa: F401
from .test_ledger_through_graphql import PAY, RATE, _deal

pytestmark = pytest.mark.slow

ERRORS = "errors { code message field }"


async def _raw(gateway: Platform, query: str, variables: dict[str, Any], token: str) -> Any:
    """The whole answer, errors included (`Platform.call` refuses any)."""
    response = await gateway.client.post(
        "/graphql", json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )  # fmt: skip
    return response.json()


async def test_a_stranger_reads_nothing_of_a_deal_and_records_nothing_on_it(
    identities: Identities,
    platform: Platform,  # noqa: F811
) -> None:
    deal = await _deal(platform, identities)
    alice_id = (await platform.call("{ me { id } }", None, deal["alice"]))["me"]["id"]
    _, stranger = await register(platform, identities, "Stranger")
    licence, today = deal["licence"], deal["today"].isoformat()

    seen = await platform.call(
        """query ($l: ID!) { licence(id: $l) { id versions { number } history { seq }
             ownerConsents { status } statements { id } } }""",
        {"l": licence}, stranger)  # fmt: skip
    assert seen["licence"] is None
    mine = await platform.call(
        """{ myStatements { totalCount } myBalances { currency } myMandates { id } }""",
        None, stranger)  # fmt: skip
    assert mine == {"myStatements": {"totalCount": 0}, "myBalances": [], "myMandates": []}
    theirs = await _raw(platform, """query ($p: ID!) { partyBalances(partyId: $p) {
        currency closing } }""", {"p": alice_id}, stranger)  # fmt: skip
    assert theirs["data"] is None and theirs["errors"], theirs

    pay = {"statementId": deal["statement"], "paidOn": today, "reference": "X"}
    paid = (await platform.call(PAY, {"i": pay}, stranger))["recordStatementPayment"]
    assert paid["statement"] is None and paid["errors"][0]["field"] == "statementId", paid
    commands = {
        "proposeAmendment": (
            f"""mutation ($i: ProposeAmendmentInput!) {{ proposeAmendment(input: $i) {{
                 version {{ number }} {ERRORS} }} }}""",
            {"i": {"licenceId": licence, "effectiveFrom": today, "territories": ["TH"],
                   "media": ["STREAMING"], "exclusive": False, "royaltyRate": "50.00"}}),
        "renewLicence": (
            f"""mutation ($l: ID!, $e: Date!) {{ renewLicence(licenceId: $l, end: $e) {{
                 version {{ number }} {ERRORS} }} }}""",
            {"l": licence, "e": f"{deal['today'].year + 5}-12-31"}),
        "consentToLicence": (
            f"""mutation ($l: ID!) {{ consentToLicence(licenceId: $l) {{ licence {{ id }}
                 {ERRORS} }} }}""", {"l": licence}),
        "recordAdvancePayment": (
            f"""mutation ($l: ID!, $d: Date!) {{ recordAdvancePayment(licenceId: $l,
                 paidOn: $d, reference: "X") {{ statement {{ id }} {ERRORS} }} }}""",
            {"l": licence, "d": today}),
    }  # fmt: skip
    for name, (query, variables) in commands.items():
        answer = (await platform.call(query, variables, stranger))[name]
        assert answer["errors"] and not any(
            v for k, v in answer.items() if k != "errors"
        ), (name, answer)
    rate = {"base": "EUR", "quote": "THB", "rate": "38.1", "source": "mine",
            "effectiveOn": today}  # fmt: skip
    refused = (await platform.call(RATE, {"i": rate}, stranger))["recordExchangeRate"]
    assert refused["rate"] is None and refused["errors"], refused

    # Nothing changed: the licence has its one version, the statement is unpaid.
    after = await platform.call(
        """query ($l: ID!) { licence(id: $l) { versions { number }
             statements { payment { status } } } }""",
        {"l": licence}, deal["alice"])  # fmt: skip
    assert after["licence"] == {"versions": [{"number": 1}],
                                "statements": [{"payment": {"status": "UNPAID"}}]}  # fmt: skip


async def test_bad_ledger_input_through_graphql_names_its_field(
    identities: Identities,
    platform: Platform,  # noqa: F811
    token_for: Any,
) -> None:
    deal = await _deal(platform, identities)
    examiner = token_for(uuid.uuid4(), "examiner")
    good = {"base": "EUR", "quote": "JPY", "rate": "160.5", "source": "ECB",
            "effectiveOn": deal["today"].isoformat()}  # fmt: skip
    for change, field in (({"rate": "1e3"}, "rate"), ({"rate": "10000000000"}, "rate"),
                          ({"rate": "0"}, "rate"), ({"base": "XAU"}, "base"),
                          ({"source": ""}, "source")):  # fmt: skip
        answer = (await platform.call(RATE, {"i": {**good, **change}}, examiner))
        assert answer["recordExchangeRate"]["errors"][0]["field"] == field, (change, answer)
    # A JSON number where decimal text is required is refused by the schema itself.
    floated = await _raw(platform, RATE, {"i": {**good, "rate": 160.5}}, examiner)
    assert floated.get("data") is None and floated["errors"], floated
    pay = {"statementId": deal["statement"], "reference": "X"}
    for change, field in (({"paidOn": "9999-12-31"}, "paidOn"), ({"reference": ""}, "reference")):
        answer = (await platform.call(PAY, {"i": {**pay, "paidOn": deal["today"].isoformat(),
                                                  **change}}, deal["lee"]))  # fmt: skip
        assert answer["recordStatementPayment"]["errors"][0]["field"] == field, answer
    # The calendar's last day is a question like any other.
    far = await platform.call(
        """{ myBalances(from: "0001-01-01", to: "9999-12-31") { currency closing } }""",
        None, deal["alice"])  # fmt: skip
    assert far["myBalances"] == [{"currency": "EUR", "closing": "60.01"}]
    converted = await _raw(platform, """{ myStatements(convertTo: "EURO") { totalCount } }""",
                           {}, deal["alice"])  # fmt: skip
    assert converted["errors"][0]["extensions"] == {"code": "INVALID_MONEY", "field": "convertTo"}
    for query in ("{ myBalances(currency: \"XXX\") { currency } }",
                  "{ exchangeRates(base: \"gold\") { rate } }"):
        refused = await _raw(platform, query, {}, deal["alice"])
        assert refused["errors"][0]["extensions"]["code"] == "INVALID_MONEY", refused
