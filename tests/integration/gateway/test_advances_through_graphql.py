"""Advances and guarantees through GraphQL against the running services, real Kafka and
Postgres (DOMAIN.md, "Advances and minimum guarantees"): an offer in a cross-collateralised
deal with an advance and a minimum guarantee, the advance recorded paid and split, a
royalty recouping it, and the termination truing the guarantee up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from devstack.identity import Identities

from tests.co_owners import confirm_over_graphql

from .test_deal_through_graphql import Platform, platform, register  # noqa: F401

pytestmark = pytest.mark.slow

RECORD = """mutation ($l: ID!, $d: Date!, $r: String!) {
  recordAdvancePayment(licenceId: $l, paidOn: $d, reference: $r) {
    statement { kind periodStart payable lines { share amount }
                advancePayment { paidOn reference } }
    errors { code field } } }"""


async def test_an_advance_is_paid_recouped_and_a_guarantee_trued_up_through_graphql(
    identities: Identities, platform: Platform  # noqa: F811
) -> None:
    ana, ana_token = await register(platform, identities, "Ana Songwriter")
    bo, bo_token = await register(platform, identities, "Bo Publisher")
    lee, lee_token = await register(platform, identities, "Lee Broadcasting")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id status }
             errors { code message field } } }""",
        {"i": {"title": f"Monsoon {uuid.uuid4().hex[:6]}", "kind": "MUSICAL_WORK",
               "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": ana, "role": "COMPOSER", "share": "60.00"},
                                 {"partyId": bo, "role": "PUBLISHER", "share": "40.00"}]}},
        ana_token))["fileWork"]  # fmt: skip
    assert filed["errors"] == [] and filed["work"]["status"] == "AWAITING_CONSENT", filed
    confirmed = await confirm_over_graphql(platform.call, filed["work"]["id"], [bo_token])
    assert confirmed["status"] == "REGISTERED", confirmed
    today = datetime.now(UTC).date()
    deal_id = str(uuid.uuid4())
    offered = (await platform.call(
        """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
             licence { id terms { advance minimumGuarantee } deal { id crossCollateralised } }
             errors { code message field } } }""",
        {"i": {"workId": filed["work"]["id"], "licenseeId": lee, "territories": ["TH"],
               "media": ["BROADCAST"], "exclusive": False,
               "start": (today - timedelta(days=90)).isoformat(),
               "end": (today + timedelta(days=275)).isoformat(), "royaltyRate": "10.00",
               "currency": "USD", "advance": "100.00", "minimumGuarantee": "500.00",
               "dealId": deal_id, "crossCollateralised": True}}, ana_token))["offerLicence"]  # fmt: skip
    assert offered["errors"] == [], offered
    licence = offered["licence"]
    assert licence["terms"] == {"advance": "100.00", "minimumGuarantee": "500.00"}
    assert licence["deal"] == {"id": deal_id, "crossCollateralised": True}
    accepted = (await platform.call(
        "mutation ($l: ID!) { acceptLicence(licenceId: $l) { errors { code } } }",
        {"l": licence["id"]}, lee_token))["acceptLicence"]  # fmt: skip
    assert accepted["errors"] == []

    paid = (await platform.call(
        RECORD, {"l": licence["id"], "d": today.isoformat(), "r": "LEE-ADV-1"}, lee_token
    ))["recordAdvancePayment"]
    assert paid["errors"] == [], paid
    assert paid["statement"] == {
        "kind": "ADVANCE", "periodStart": today.isoformat(), "payable": "100.00",
        "lines": [{"share": "60.00", "amount": "60.00"}, {"share": "40.00", "amount": "40.00"}],
        "advancePayment": {"paidOn": today.isoformat(), "reference": "LEE-ADV-1"},
    }  # fmt: skip
    again = (await platform.call(
        RECORD, {"l": licence["id"], "d": today.isoformat(), "r": "LEE-ADV-2"}, lee_token
    ))["recordAdvancePayment"]
    assert again["statement"] is None and again["errors"][0]["code"] == "ADVANCE_ALREADY_PAID"

    month = today - timedelta(days=30)
    reported = (await platform.call(
        """mutation ($i: ReportUsageInput!) { reportUsage(input: $i) {
             statement { kind royalty recouped payable } errors { code field } } }""",
        {"i": {"licenceId": licence["id"], "periodStart": month.isoformat(),
               "periodEnd": (month + timedelta(days=9)).isoformat(), "units": 10,
               "grossRevenue": "1500.00"}}, lee_token))["reportUsage"]  # fmt: skip
    assert reported["statement"] == {
        "kind": "ROYALTY", "royalty": "150.00", "recouped": "100.00", "payable": "50.00"}
    ended = (await platform.call(
        """mutation ($l: ID!) { terminateLicence(licenceId: $l, reason: "station closed") {
             licence { status } errors { code } } }""",
        {"l": licence["id"]}, lee_token))["terminateLicence"]  # fmt: skip
    assert ended == {"licence": {"status": "TERMINATED"}, "errors": []}
    statements = (await platform.call(
        """query ($l: ID!) { licence(id: $l) { statements { kind payable
             lines { amount } advancePayment { reference } } } }""",
        {"l": licence["id"]}, ana_token))["licence"]["statements"]  # fmt: skip
    # MG 500 - max(advance 100, royalties 150) = 350, split 60 / 40.
    assert [s["advancePayment"] for s in statements if s["kind"] == "ADVANCE"] == [
        {"reference": "LEE-ADV-1"}]
    assert sorted((s["kind"], s["payable"], [x["amount"] for x in s["lines"]])
                  for s in statements) == [
        ("ADVANCE", "100.00", ["60.00", "40.00"]),
        ("ROYALTY", "50.00", ["30.00", "20.00"]),
        ("TRUE_UP", "350.00", ["210.00", "140.00"]),
    ]  # fmt: skip
