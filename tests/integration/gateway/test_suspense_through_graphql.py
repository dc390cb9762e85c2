"""Suspense while a work is disputed, through GraphQL against the running services, real Kafka
and real Postgres: a licensed work disputed, its statement held, the dispute resolved by an
examiner replacing the holders, and the held money released to them to the cent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from devstack.identity import Identities
from devstack.polling import eventually as wait_for

from tests.co_owners import confirm_over_graphql

from .test_deal_through_graphql import Platform, platform, register

__all__ = ["platform"]  # the fixture, shared with the whole deal's test

pytestmark = pytest.mark.slow

FILE = """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
  work { id status } errors { code message field } } }"""
OFFER = """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
  licence { id } errors { code message field } } }"""
ACCEPT = """mutation ($l: ID!) { acceptLicence(licenceId: $l) {
  licence { status } errors { code message } } }"""
DISPUTE = """mutation ($w: ID!) { disputeWork(workId: $w, reason: "I co-wrote it",
  claimedRole: COMPOSER, claimedShare: "50.00") { work { status } errors { code message } } }"""
RESOLVE = """mutation ($i: ResolveDisputeInput!) { resolveDispute(input: $i) {
  work { status } errors { code message field } } }"""
USAGE = """mutation ($i: ReportUsageInput!) { reportUsage(input: $i) {
  statement { id kind held payable lines { held amount party { id } } }
  errors { code message field } } }"""
SUSPENSE = """query ($w: ID!) { work(id: $w) { suspense { holding amounts { currency amount } } } }"""
STATEMENTS = """query ($l: ID!) { licence(id: $l) { statements {
  id kind held payable releasedBy releases lines { held amount party { id } } } } }"""


def _lines(statement: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    return {line["party"]["id"]: (line["amount"], line["held"]) for line in statement["lines"]}


async def test_a_disputed_works_royalties_are_held_and_released_to_the_resolutions_owners(
    identities: Identities, platform: Platform
) -> None:
    alice, alice_token = await register(platform, identities, "Alice Composer")
    bob, bob_token = await register(platform, identities, "Bob Lyricist")
    lee, lee_token = await register(platform, identities, "Lee Streaming Co")
    carol, carol_token = await register(platform, identities, "Carol Claimant")
    examiner = await identities.token_for_async(alice, "examiner")

    async def ok(query: str, variables: dict[str, Any], token: str, field: str) -> Any:
        payload = (await platform.call(query, variables, token))[field]
        assert payload["errors"] == [], payload
        return payload

    work = (await ok(FILE, {"i": {
        "title": "Held Song", "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
        "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "60.00"},
                          {"partyId": bob, "role": "LYRICIST", "share": "40.00"}]}},
        alice_token, "fileWork"))["work"]  # fmt: skip
    work_id = work["id"]
    assert work["status"] == "AWAITING_CONSENT", work
    assert (await confirm_over_graphql(platform.call, work_id, [bob_token]))["status"] == (
        "REGISTERED"
    )
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today + timedelta(days=300)
    licence_id = (await ok(OFFER, {"i": {
        "workId": work_id, "licenseeId": lee, "territories": ["TH"], "media": ["STREAMING"],
        "exclusive": False, "start": start.isoformat(), "end": end.isoformat(),
        "royaltyRate": "10.00", "advance": "0", "currency": "USD"}},
        alice_token, "offerLicence"))["licence"]["id"]  # fmt: skip
    await ok(ACCEPT, {"l": licence_id}, lee_token, "acceptLicence")

    await ok(DISPUTE, {"w": work_id}, carol_token, "disputeWork")

    async def holding() -> bool:
        found = await platform.call(SUSPENSE, {"w": work_id}, alice_token)
        return bool(found["work"]["suspense"]["holding"])

    # Licensing learns of the dispute from filing's event: the statement is held from then on.
    await wait_for(holding)
    held = (await ok(USAGE, {"i": {
        "licenceId": licence_id, "periodStart": start.isoformat(),
        "periodEnd": (start + timedelta(days=30)).isoformat(), "units": 10,
        "grossRevenue": "1000.10"}}, lee_token, "reportUsage"))["statement"]  # fmt: skip
    # 10% of 1000.10 is 100.01: 60% and 40% are 60.006 and 40.004, held as 60.01 and 40.00.
    assert (held["kind"], held["held"], held["payable"]) == ("ROYALTY", True, "100.01")
    assert _lines(held) == {alice: ("60.01", True), bob: ("40.00", True)}
    suspense = await platform.call(SUSPENSE, {"w": work_id}, alice_token)
    assert suspense["work"]["suspense"] == {
        "holding": True, "amounts": [{"currency": "USD", "amount": "100.01"}]}

    await ok(RESOLVE, {"i": {
        "workId": work_id, "keepOwners": False, "reason": "the claim holds",
        "rightsHolders": [{"partyId": carol, "role": "COMPOSER", "share": "50.00"},
                          {"partyId": alice, "role": "COMPOSER", "share": "30.00"},
                          {"partyId": bob, "role": "LYRICIST", "share": "20.00"}]}},
        examiner, "resolveDispute")  # fmt: skip

    async def released() -> list[dict[str, Any]] | None:
        found = (await platform.call(STATEMENTS, {"l": licence_id}, carol_token))["licence"]
        statements: list[dict[str, Any]] = found["statements"] if found else []
        return statements if any(s["kind"] == "RELEASE" for s in statements) else None

    statements = {s["id"]: s for s in await wait_for(released)}
    [release] = [s for s in statements.values() if s["kind"] == "RELEASE"]
    # 50%, 30% and 20% of 100.01: 50.005, 30.003, 20.002; the spare cent to the largest
    # remainder (Carol's).
    assert (release["held"], release["payable"], release["releases"]) == (
        False, "100.01", [held["id"]])
    assert _lines(release) == {
        carol: ("50.01", False), alice: ("30.00", False), bob: ("20.00", False)}
    assert statements[held["id"]]["releasedBy"] == release["id"]
    assert _lines(statements[held["id"]]) == _lines(held)
    after = await platform.call(SUSPENSE, {"w": work_id}, carol_token)
    assert after["work"]["suspense"] == {"holding": False, "amounts": []}
