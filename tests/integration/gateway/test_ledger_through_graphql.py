"""The payee ledger through GraphQL against the running services, real Kafka, Postgres and
Keycloak (DOMAIN.md, "The payee ledger, payments and conversion"): a statement stated, seen
unpaid in myStatements, paid by the licensee, its payees' balances closing to zero, and the
same ledger converted at a rate an examiner recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from devstack.identity import Identities
from devstack.polling import eventually as wait_for

from tests.co_owners import confirm_over_graphql

from .test_deal_through_graphql import Platform, platform, register  # noqa: F401

pytestmark = pytest.mark.slow

ERRORS = "errors { code message field }"
STATEMENTS = """query ($s: PaymentStatus, $p: Boolean!, $c: String) {
  myStatements(status: $s, asPayer: $p, convertTo: $c) { totalCount nodes {
    id kind payable currency lines { amount party { id } }
    payment { status paidOn reference amount }
    converted { currency payable rate { rate source effectiveOn } } } } }"""
BALANCES = """query ($c: String) { myBalances(currency: $c) {
  currency opening earnings advances trueUps releases holds payments closing } }"""
PAY = f"""mutation ($i: RecordStatementPaymentInput!) {{ recordStatementPayment(input: $i) {{
  statement {{ id payment {{ status paidOn reference amount }} }} {ERRORS} }} }}"""
RATE = f"""mutation ($i: RecordExchangeRateInput!) {{ recordExchangeRate(input: $i) {{
  rate {{ base quote rate source effectiveOn }} {ERRORS} }} }}"""


async def _deal(gateway: Platform, identities: Identities) -> dict[str, Any]:
    """A work owned 60/40, licensed in EUR, and one usage report: 10% of 1000.01."""
    alice, alice_token = await register(gateway, identities, "Alice Payee")
    bob, bob_token = await register(gateway, identities, "Bob Payee")
    lee, lee_token = await register(gateway, identities, "Lee Payer Co")
    filed = (await gateway.call(
        f"""mutation ($i: FileWorkInput!) {{ fileWork(input: $i) {{ work {{ id status }}
             {ERRORS} }} }}""",
        {"i": {"title": f"Ledger Song {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
               "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "60.00"},
                                 {"partyId": bob, "role": "LYRICIST", "share": "40.00"}]}},
        alice_token))["fileWork"]  # fmt: skip
    assert filed["errors"] == [] and filed["work"]["status"] == "AWAITING_CONSENT", filed
    confirmed = await confirm_over_graphql(gateway.call, filed["work"]["id"], [bob_token])
    assert confirmed["status"] == "REGISTERED", confirmed
    today = datetime.now(UTC).date()
    offered = (await gateway.call(
        f"""mutation ($i: OfferLicenceInput!) {{ offerLicence(input: $i) {{ licence {{ id }}
             {ERRORS} }} }}""",
        {"i": {"workId": filed["work"]["id"], "licenseeId": lee, "territories": ["TH"],
               "media": ["STREAMING"], "exclusive": False,
               "start": (today - timedelta(days=60)).isoformat(),
               "end": (today + timedelta(days=300)).isoformat(), "royaltyRate": "10.00",
               "currency": "EUR"}}, alice_token))["offerLicence"]  # fmt: skip
    assert offered["errors"] == [], offered
    licence_id = offered["licence"]["id"]
    accepted = (await gateway.call(
        "mutation ($l: ID!) { acceptLicence(licenceId: $l) { errors { code } } }",
        {"l": licence_id}, lee_token))["acceptLicence"]  # fmt: skip
    assert accepted["errors"] == []
    reported = (await gateway.call(
        f"""mutation ($i: ReportUsageInput!) {{ reportUsage(input: $i) {{
             statement {{ id payable payment {{ status }} }} {ERRORS} }} }}""",
        {"i": {"licenceId": licence_id, "periodStart": (today - timedelta(days=30)).isoformat(),
               "periodEnd": (today - timedelta(days=1)).isoformat(), "units": 10,
               "grossRevenue": "1000.10"}}, lee_token))["reportUsage"]  # fmt: skip
    assert reported["errors"] == [], reported
    # 10% of 1000.10 = 100.01: 60.006 and 40.004, so 60.01 and 40.00 (largest remainder).
    assert reported["statement"]["payable"] == "100.01"
    assert reported["statement"]["payment"] == {"status": "UNPAID"}
    return {"alice": alice_token, "bob": bob_token, "lee": lee_token, "lee_id": lee,
            "statement": reported["statement"]["id"], "today": today,
            "licence": licence_id}  # fmt: skip


async def test_a_statement_is_paid_and_the_payees_balances_close_through_graphql(
    identities: Identities,
    platform: Platform,  # noqa: F811
    token_for: Callable[..., str],
) -> None:
    deal = await _deal(platform, identities)
    statement_id, today = deal["statement"], deal["today"]

    unpaid = await platform.call(STATEMENTS, {"s": "UNPAID", "p": False}, deal["alice"])
    node = next(n for n in unpaid["myStatements"]["nodes"] if n["id"] == statement_id)
    assert (node["kind"], node["payable"], node["currency"]) == ("ROYALTY", "100.01", "EUR")
    assert node["payment"] == {"status": "UNPAID", "paidOn": None, "reference": None,
                               "amount": None}  # fmt: skip
    (before,) = (await platform.call(BALANCES, {}, deal["alice"]))["myBalances"]
    assert (before["earnings"], before["payments"], before["closing"]) == ("60.01", "0.00", "60.01")

    pay = {"statementId": statement_id, "paidOn": today.isoformat(), "reference": "SEPA-77"}
    by_payee = (await platform.call(PAY, {"i": pay}, deal["alice"]))["recordStatementPayment"]
    assert by_payee["errors"][0]["code"] == "NOT_THE_LICENSEE"
    owed = (await platform.call(STATEMENTS, {"p": True}, deal["lee"]))["myStatements"]
    assert [n["id"] for n in owed["nodes"]] == [statement_id]
    paid = (await platform.call(PAY, {"i": {**pay, "idempotencyKey": str(uuid.uuid4())}},
                                deal["lee"]))["recordStatementPayment"]  # fmt: skip
    assert paid == {"statement": {"id": statement_id, "payment": {
        "status": "PAID", "paidOn": today.isoformat(), "reference": "SEPA-77",
        "amount": "100.01"}}, "errors": []}  # fmt: skip
    twice = (await platform.call(PAY, {"i": pay}, deal["lee"]))["recordStatementPayment"]
    assert twice["errors"][0]["code"] == "STATEMENT_ALREADY_PAID"

    # The statement as its licence lists it shows the payment too.
    listed = (await platform.call(
        """query ($l: ID!) { licence(id: $l) { statements { id kind
             payment { status paidOn reference } } } }""",
        {"l": deal["licence"]}, deal["bob"]))["licence"]["statements"]  # fmt: skip
    assert listed == [{"id": statement_id, "kind": "ROYALTY", "payment": {
        "status": "PAID", "paidOn": today.isoformat(), "reference": "SEPA-77"}}]  # fmt: skip

    for token, share in ((deal["alice"], "60.01"), (deal["bob"], "40.00")):
        (after,) = (await platform.call(BALANCES, {}, token))["myBalances"]
        assert (after["currency"], after["earnings"], after["payments"], after["closing"]) == (
            "EUR",
            share,
            share,
            "0.00",
        )

    # Each payee learns of the payment in its inbox, with its own share (and no reference).
    async def bobs_paid_notice() -> dict[str, Any] | None:
        data = await platform.call(
            "{ notifications(first: 50) { edges { node { eventType subjectId message } } } }",
            None, deal["bob"])  # fmt: skip
        nodes = [e["node"] for e in data["notifications"]["edges"]]
        return next((n for n in nodes if n["eventType"].endswith("statement_paid.v1")), None)

    notice = await wait_for(bobs_paid_notice)
    assert notice["subjectId"] == deal["licence"]
    assert "Your share: 40.00 EUR" in notice["message"] and "SEPA" not in notice["message"]

    # An examiner records EUR->THB; the payee reads its statement and ledger in baht.
    examiner = token_for(uuid.uuid4(), "examiner")
    rate = {"base": "EUR", "quote": "THB", "rate": "38.4567", "source": "BOT reference",
            "effectiveOn": (today - timedelta(days=1)).isoformat()}  # fmt: skip
    by_party = (await platform.call(RATE, {"i": rate}, deal["alice"]))["recordExchangeRate"]
    assert by_party["errors"][0]["code"] == "FORBIDDEN"
    recorded = (await platform.call(RATE, {"i": rate}, examiner))["recordExchangeRate"]
    assert recorded == {"rate": rate, "errors": []}
    listed_rates = await platform.call(
        '{ exchangeRates(base: "EUR", quote: "THB") { base quote rate source effectiveOn } }',
        None, deal["bob"])  # fmt: skip
    assert listed_rates["exchangeRates"] == [rate]
    converted = await platform.call(STATEMENTS, {"p": False, "c": "THB"}, deal["alice"])
    node = next(n for n in converted["myStatements"]["nodes"] if n["id"] == statement_id)
    in_baht = (Decimal("100.01") * Decimal("38.4567")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert node["converted"] == {
        "currency": "THB",
        "payable": str(in_baht),
        "rate": {"rate": "38.4567", "source": "BOT reference", "effectiveOn": rate["effectiveOn"]},
    }
    (thb,) = (await platform.call(BALANCES, {"c": "THB"}, deal["alice"]))["myBalances"]
    alice_baht = (Decimal("60.01") * Decimal("38.4567")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert (thb["currency"], thb["earnings"], thb["payments"], thb["closing"]) == (
        "THB",
        str(alice_baht),
        str(alice_baht),
        "0.00",
    )
    missing = await platform.client.post(
        "/graphql", json={"query": BALANCES, "variables": {"c": "CHF"}},
        headers={"authorization": f"Bearer {deal['alice']}"},
    )  # fmt: skip
    error = missing.json()["errors"][0]
    assert error["extensions"]["code"] == "NO_EXCHANGE_RATE"
    assert "EUR->CHF" in error["message"]
