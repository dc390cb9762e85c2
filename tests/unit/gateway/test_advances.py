"""recordAdvancePayment, and the offer's minimum guarantee and deal (DOMAIN.md, "Advances and
minimum guarantees") through the gateway, against fake services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

RECORD = """mutation ($l: ID!, $d: Date!, $r: String!) {
  recordAdvancePayment(licenceId: $l, paidOn: $d, reference: $r) {
    statement { kind periodStart payable lines { amount party { id } }
                advancePayment { paidOn reference } }
    errors { code field }
  }
}"""
OFFER = """mutation ($i: OfferLicenceInput!) {
  offerLicence(input: $i) {
    licence { terms { advance minimumGuarantee } deal { id crossCollateralised } }
    errors { code field }
  }
}"""
TODAY = datetime.now(UTC).date().isoformat()


async def test_the_licensee_records_the_advance_and_reads_the_advance_statement(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    owner, licensee = fake.add_party("Owner"), fake.add_party("Licensee")
    work = fake.add_work([(owner, "100.00")])
    licence = fake.add_licence(work, owner, licensee, "ACTIVE")
    answer = await gateway.data(
        RECORD, {"l": licence, "d": TODAY, "r": "TT-1"}, token=token(licensee, "party")
    )
    statement = answer["recordAdvancePayment"]["statement"]
    assert (statement["kind"], statement["periodStart"], statement["payable"]) == (
        "ADVANCE", TODAY, "100.00")
    assert statement["advancePayment"] == {"paidOn": TODAY, "reference": "TT-1"}
    assert ("licensing", "POST", f"/licences/{licence}/advance-payment") in fake.calls
    assert {"paid_on": TODAY, "reference": "TT-1"} in fake.bodies
    listed = await gateway.data(
        "query ($l: ID!) { licence(id: $l) { statements { kind payable } } }",
        {"l": licence}, token=token(owner, "party"),
    )  # fmt: skip
    assert listed["licence"]["statements"] == [{"kind": "ADVANCE", "payable": "100.00"}]


async def test_a_blank_reference_or_another_partys_licence_is_refused_by_name(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    owner, licensee = fake.add_party("Owner"), fake.add_party("Licensee")
    licence = fake.add_licence(fake.add_work([(owner, "100.00")]), owner, licensee, "ACTIVE")
    blank = await gateway.data(
        RECORD, {"l": licence, "d": TODAY, "r": "  "}, token=token(licensee, "party")
    )
    assert blank["recordAdvancePayment"]["errors"] == [
        {"code": "INVALID_INPUT", "field": "reference"}]
    stranger = fake.add_party("Stranger")
    hidden = await gateway.data(
        RECORD, {"l": licence, "d": TODAY, "r": "TT-1"}, token=token(stranger, "party")
    )
    assert hidden["recordAdvancePayment"]["statement"] is None
    assert hidden["recordAdvancePayment"]["errors"][0]["field"] == "licenceId"


async def test_an_offer_states_its_guarantee_and_its_deal_explicitly(
    gateway: Any, fake: Any, token: Callable[..., str]
) -> None:
    owner, licensee = fake.add_party("Owner"), fake.add_party("Licensee")
    work = fake.add_work([(owner, "100.00")])
    offer: dict[str, Any] = {
        "workId": work, "licenseeId": licensee, "territories": ["TH"], "media": ["STREAMING"],
        "exclusive": False, "start": "2026-01-01", "royaltyRate": "10", "currency": "USD",
        "advance": "100.00", "minimumGuarantee": "500.00",
    }  # fmt: skip
    deal = str(uuid.uuid4())
    made = await gateway.data(
        OFFER, {"i": offer | {"dealId": deal, "crossCollateralised": True}},
        token=token(owner, "party"),
    )  # fmt: skip
    licence = made["offerLicence"]["licence"]
    assert licence["terms"] == {"advance": "100.00", "minimumGuarantee": "500.00"}
    assert licence["deal"] == {"id": deal, "crossCollateralised": True}
    for wrong, field in [
        ({"minimumGuarantee": "99.99"}, "minimumGuarantee"),
        ({"crossCollateralised": True}, "crossCollateralised"),
    ]:
        refused = await gateway.data(OFFER, {"i": offer | wrong}, token=token(owner, "party"))
        assert refused["offerLicence"]["errors"] == [{"code": "INVALID_INPUT", "field": field}]
