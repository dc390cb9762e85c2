"""An amendment, a renewal and availability as of a recorded time, driven through GraphQL
against the running services, real Kafka and real Postgres (DOMAIN.md, "Licence history"
and "Amendments and renewals")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from devstack.identity import Identities

from .test_deal_through_graphql import Platform, platform, register

pytestmark = pytest.mark.slow
__all__ = ["platform"]

ERRORS = "errors { code message field }"
PROPOSE = f"""mutation ($i: ProposeAmendmentInput!) {{ proposeAmendment(input: $i) {{
  version {{ number kind state side effectiveFrom territories royaltyRate }} {ERRORS} }} }}"""
ACCEPT = f"""mutation ($l: ID!, $v: Int!, $k: String) {{
  acceptAmendment(licenceId: $l, version: $v, idempotencyKey: $k) {{
    licence {{ id status terms {{ territories royaltyRate start end }} }} {ERRORS} }} }}"""
RENEW = f"""mutation ($l: ID!, $end: Date!) {{ renewLicence(licenceId: $l, end: $end) {{
  version {{ number kind state effectiveFrom end }} {ERRORS} }} }}"""
DECLINE = f"""mutation ($l: ID!, $v: Int!) {{ declineAmendment(licenceId: $l, version: $v) {{
  version {{ number state }} {ERRORS} }} }}"""
AVAILABILITY = """query ($w: ID!, $t: [String!]!, $s: Date!, $asOf: Date, $knownAt: DateTime) {
  work(id: $w) { availability(territories: $t, media: [STREAMING], start: $s, exclusive: true,
                              asOf: $asOf, knownAt: $knownAt) {
    available conflicts { territories start licence { id } } } } }"""
HISTORY = """query ($l: ID!) { licence(id: $l) {
  versions { number kind state }
  history { seq status segments { start end territories royaltyRate } } } }"""


async def test_an_amendment_and_a_renewal_through_graphql(
    identities: Identities, platform: Platform
) -> None:
    alice, alice_token = await register(platform, identities, "Alice Composer")
    lee, lee_token = await register(platform, identities, "Lee Streaming Co")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id status } errors {
             code } } }""",
        {"i": {"title": "Rainy Season", "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "100.00"}]}},
        alice_token))["fileWork"]  # fmt: skip
    assert filed["work"]["status"] == "REGISTERED", filed
    work_id = filed["work"]["id"]
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today + timedelta(days=300)
    offered = (await platform.call(
        f"""mutation ($i: OfferLicenceInput!) {{ offerLicence(input: $i) {{
             licence {{ id }} {ERRORS} }} }}""",
        {"i": {"workId": work_id, "licenseeId": lee, "territories": ["TH"],
               "media": ["STREAMING"], "exclusive": True, "start": start.isoformat(),
               "end": end.isoformat(), "royaltyRate": "10.00", "currency": "USD"}},
        alice_token))["offerLicence"]  # fmt: skip
    licence_id = offered["licence"]["id"]
    accepted = await platform.call(
        "mutation ($l: ID!) { acceptLicence(licenceId: $l) { licence { status } } }",
        {"l": licence_id}, lee_token,
    )
    assert accepted["acceptLicence"]["licence"]["status"] == "ACTIVE"
    before_amendment = datetime.now(UTC)

    effective = today + timedelta(days=30)
    proposed = (await platform.call(PROPOSE, {"i": {
        "licenceId": licence_id, "effectiveFrom": effective.isoformat(), "end": end.isoformat(),
        "territories": ["TH", "VN"], "media": ["STREAMING"], "exclusive": True,
        "royaltyRate": "12.00"}}, lee_token))["proposeAmendment"]  # fmt: skip
    assert proposed["errors"] == [], proposed
    assert proposed["version"] == {
        "number": 2, "kind": "AMENDMENT", "state": "PENDING", "side": "LICENSEE",
        "effectiveFrom": effective.isoformat(), "territories": ["TH", "VN"],
        "royaltyRate": "12.00",
    }  # fmt: skip
    # The proposer cannot accept its own change: a user error, nothing changed.
    own = (await platform.call(ACCEPT, {"l": licence_id, "v": 2}, lee_token))["acceptAmendment"]
    assert own["licence"] is None and own["errors"][0]["code"] == "NOT_THE_OTHER_SIDE"
    done = (await platform.call(ACCEPT, {"l": licence_id, "v": 2, "k": f"accept-{licence_id}"},
                                alice_token))["acceptAmendment"]  # fmt: skip
    assert done["errors"] == [], done
    assert done["licence"]["terms"] == {
        "territories": ["TH", "VN"], "royaltyRate": "12.00", "start": start.isoformat(),
        "end": end.isoformat(),
    }  # fmt: skip

    async def vn(**when: Any) -> dict[str, Any]:
        variables = {"w": work_id, "t": ["VN"], "s": (effective + timedelta(days=10)).isoformat(),
                     **when}  # fmt: skip
        found: dict[str, Any] = (await platform.call(AVAILABILITY, variables, lee_token))["work"]
        return dict(found["availability"])

    now_answer = await vn()
    assert now_answer["available"] is False
    assert [c["licence"]["id"] for c in now_answer["conflicts"]] == [licence_id]
    # As the register knew it before the amendment: VN was free.
    assert (await vn(knownAt=before_amendment.isoformat()))["available"] is True
    # In force on a day before the amendment's date, the licence already blocks VN later on.
    assert (await vn(asOf=today.isoformat()))["available"] is False

    renewal = (await platform.call(
        RENEW, {"l": licence_id, "end": (end + timedelta(days=100)).isoformat()}, alice_token
    ))["renewLicence"]
    assert renewal["version"]["kind"] == "RENEWAL"
    assert renewal["version"]["effectiveFrom"] == (end + timedelta(days=1)).isoformat()
    declined = (await platform.call(DECLINE, {"l": licence_id, "v": 3}, lee_token))[
        "declineAmendment"
    ]
    assert declined == {"version": {"number": 3, "state": "DECLINED"}, "errors": []}

    seen = (await platform.call(HISTORY, {"l": licence_id}, alice_token))["licence"]
    assert seen["versions"] == [
        {"number": 1, "kind": "ORIGINAL", "state": "ACCEPTED"},
        {"number": 2, "kind": "AMENDMENT", "state": "ACCEPTED"},
        {"number": 3, "kind": "RENEWAL", "state": "DECLINED"},
    ]
    assert [h["status"] for h in seen["history"]] == ["OFFERED", "ACTIVE", "ACTIVE"]
    assert [s["territories"] for s in seen["history"][-1]["segments"]] == [["TH"], ["TH", "VN"]]
