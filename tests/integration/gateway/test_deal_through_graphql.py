"""The whole deal driven through GraphQL against the running services, real Kafka and real
Postgres: a work filed by two co-owners, offered, accepted (seen live over a WebSocket),
used and paid, then read back as one timeline."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from devstack.identity import Identities
from devstack.kafka_access import provision
from devstack.polling import eventually as wait_for
from filing.app import create_app as create_filing_app
from filing.settings import FilingSettings
from gateway.app import create_app
from gateway.settings import GatewaySettings
from licensing.app import create_app as build_licensing
from licensing.settings import LicensingSettings
from notifications.app import create_app as build_notifications
from notifications.settings import NotificationsSettings
from runtime.http import running_server
from runtime.settings import PlatformSettings
from websockets.asyncio.client import connect

from tests.co_owners import confirm_over_graphql

pytestmark = pytest.mark.slow


@dataclass
class Platform:
    url: str
    client: httpx.AsyncClient
    hub: Any  # the gateway's in-process hub, to know when a subscription is listening
    licensing_url: str  # to ask the service directly what the gateway answers

    async def call(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query,
                                                            "variables": variables or {}},
                                          headers=headers)
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def platform(create_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[Platform]:
    base = PlatformSettings()
    shared = base.model_copy(
        update={"rights_topic_prefix": f"{base.rights_topic_prefix}gw{uuid.uuid4().hex[:6]}."})
    # Every service and the gateway log in as themselves: their topics' ACLs first.
    await asyncio.to_thread(provision, shared, shared.rights_topic_prefix)
    filing = create_filing_app(FilingSettings(database_url=await create_database("gw_filing"),
                                              platform=shared))
    licensing = build_licensing(LicensingSettings(
        database_url=await create_database("gw_licensing"), platform=shared))
    notifications = build_notifications(NotificationsSettings(
        database_url=await create_database("gw_notifications"), platform=shared,
        secret_key=Fernet.generate_key().decode(), delivery_poll_seconds=0.2))
    async with contextlib.AsyncExitStack() as stack:
        filing_url = await stack.enter_async_context(running_server(filing))
        licensing_url = await stack.enter_async_context(running_server(licensing))
        notifications_url = await stack.enter_async_context(running_server(notifications))
        gateway = create_app(GatewaySettings(
            filing_url=filing_url, licensing_url=licensing_url,
            notifications_url=notifications_url, platform=shared))
        url = await stack.enter_async_context(running_server(gateway))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))

        async def subscriptions_ready() -> bool:
            return (await client.get("/ready")).status_code == 200

        await wait_for(subscriptions_ready)
        yield Platform(url=url, client=client, hub=gateway.state.gateway.hub,
                       licensing_url=licensing_url)


@contextlib.asynccontextmanager
async def subscription(platform: Platform, token: str, query: str,
                       variables: dict[str, Any] | None = None) -> AsyncIterator[Any]:
    """A graphql-transport-ws subscription, listening in the gateway when this yields."""
    before = platform.hub.listener_count
    async with connect(platform.url.replace("http", "ws") + "/graphql",
                       subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": query, "variables": variables or {}}}))

        async def listening() -> bool:
            return platform.hub.listener_count > before

        await wait_for(listening)
        yield ws


async def next_data(ws: Any, field: str) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
    assert message["type"] == "next", message
    data: dict[str, Any] = message["payload"]["data"][field]
    return data


async def _is_active(next_status: Callable[[], Awaitable[str]]) -> bool:
    return await next_status() == "ACTIVE"


REGISTER = """mutation ($i: RegisterPartyInput!) {
  registerParty(input: $i) { party { id } errors { code message field } } }"""
LICENCE_VIEW = """query ($l: ID!) { licence(id: $l) {
  id status licensor { name } licensee { name }
  work { title status rightsHolders { share party { name } } }
  usageReports { units grossRevenue }
  statements { gross royalty recouped payable currency lines { share amount party { name } } }
  timeline { at source type summary } } }"""


async def register(platform: Platform, identities: Identities, name: str) -> tuple[str, str]:
    """A person signs in at Keycloak and registers a party: (its id, the person's token)."""
    person = await identities.sign_up(
        platform.call, {"name": name, "kind": "PERSON", "country": "TH"}
    )
    return person.party_id, person.token


async def test_a_whole_deal_runs_through_graphql_and_reads_back_as_one_timeline(
    identities: Identities,
    platform: Platform,
) -> None:
    alice, alice_token = await register(platform, identities, "Alice Composer")
    bob, bob_token = await register(platform, identities, "Bob Lyricist")
    lee, lee_token = await register(platform, identities, "Lee Streaming Co")
    _, stranger_token = await register(platform, identities, "Someone Else")

    title = f"Monsoon Song {uuid.uuid4().hex[:8]}"
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
             work { id status filingNumber registrationNumber }
             errors { code message field } } }""",
        {"i": {"title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "60.00"},
                                 {"partyId": bob, "role": "LYRICIST", "share": "40.00"}]}},
        alice_token))["fileWork"]
    assert filed["errors"] == [], filed
    assert filed["work"]["status"] == "AWAITING_CONSENT"
    work_id = filed["work"]["id"]
    confirmed = await confirm_over_graphql(platform.call, work_id, [bob_token])
    assert confirmed["status"] == "REGISTERED"
    filed["work"] = {**filed["work"], **confirmed}

    # A licence in force today (two months in, ten to go), whenever the suite runs.
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today + timedelta(days=300)
    offered = (await platform.call(
        """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
             licence { id status terms { territories advance } }
             errors { code message field } } }""",
        {"i": {"workId": work_id, "licenseeId": lee, "territories": ["ASEAN"],
               "media": ["STREAMING"], "exclusive": True, "start": start.isoformat(),
               "end": end.isoformat(), "royaltyRate": "10.00", "advance": "50.00",
               "currency": "USD"}}, alice_token))["offerLicence"]
    assert offered["errors"] == [], offered
    licence_id = offered["licence"]["id"]
    assert "TL" in offered["licence"]["terms"]["territories"]  # ASEAN expanded

    # Exclusive, and Bob co-owns the work: the offer waits for his consent (DOMAIN.md,
    # "Co-owners' consent to licences, and mandates"); only then may Lee accept it.
    assert offered["licence"]["status"] == "AWAITING_OWNERS"
    consents = (await platform.call(
        """query ($l: ID!) { licence(id: $l) { ownerConsents { party { id } share status } } }""",
        {"l": licence_id}, bob_token))["licence"]["ownerConsents"]
    assert sorted((c["party"]["id"], c["share"], c["status"]) for c in consents) == sorted(
        [(alice, "60.00", "OFFEROR"), (bob, "40.00", "PENDING")])
    consented = (await platform.call(
        "mutation ($l: ID!) { consentToLicence(licenceId: $l) { licence { status } "
        "errors { code message field } } }", {"l": licence_id}, bob_token))["consentToLicence"]
    assert consented == {"licence": {"status": "OFFERED"}, "errors": []}

    # Lee watches the licence live while accepting it.
    async with subscription(
        platform, lee_token,
        "subscription ($l: ID!) { licenceUpdated(licenceId: $l) { id status } }",
        {"l": licence_id},
    ) as ws:
        accepted = (await platform.call(
            "mutation ($l: ID!) { acceptLicence(licenceId: $l) { licence { status } "
            "errors { code message } } }", {"l": licence_id}, lee_token))["acceptLicence"]
        assert accepted == {"licence": {"status": "ACTIVE"}, "errors": []}

        # Updates arrive as the services' events do (the offer's own may come first); each
        # carries the licence as it is now, so the acceptance shows within the deadline.
        async def next_status() -> str:
            update = await next_data(ws, "licenceUpdated")
            assert update["id"] == licence_id
            return str(update["status"])

        assert await wait_for(lambda: _is_active(next_status)) is True

    # Alice hears of the statement live as well.
    inbox_socket = subscription(
        platform, alice_token,
        "subscription { notificationReceived { eventType subjectId message } }")
    alice_ws = await inbox_socket.__aenter__()
    used = (await platform.call(
        """mutation ($i: ReportUsageInput!) { reportUsage(input: $i) {
             report { units grossRevenue } statement { royalty recouped payable
               lines { share amount party { id } } } errors { code message field } } }""",
        {"i": {"licenceId": licence_id, "periodStart": start.isoformat(),
               "periodEnd": (start + timedelta(days=30)).isoformat(), "units": 1000, "grossRevenue": "1000.00"}},
        lee_token))["reportUsage"]
    assert used["errors"] == [], used
    statement = used["statement"]
    # royalty 10% of 1000.00 = 100.00; the 50.00 advance is recouped first.
    assert (statement["royalty"], statement["recouped"], statement["payable"]) == (
        "100.00", "50.00", "50.00")
    assert {line["party"]["id"]: line["amount"] for line in statement["lines"]} == {
        alice: "30.00", bob: "20.00"}

    async def statement_notified() -> bool:
        note = await next_data(alice_ws, "notificationReceived")
        return "statement" in note["eventType"] and note["subjectId"] == licence_id

    try:
        assert await wait_for(statement_notified) is True
    finally:
        await inbox_socket.__aexit__(None, None, None)

    # The co-owner sees the deal end to end, notifications included once they are delivered.
    async def bobs_view() -> dict[str, Any] | None:
        view = (await platform.call(LICENCE_VIEW, {"l": licence_id}, bob_token))["licence"]
        sources = {entry["source"] for entry in view["timeline"]}
        return view if sources == {"filing", "licensing", "notifications"} else None

    view = await wait_for(bobs_view)
    assert view["status"] == "ACTIVE" and view["licensee"]["name"] == "Lee Streaming Co"
    assert view["statements"][0]["payable"] == "50.00"
    times = [entry["at"] for entry in view["timeline"]]
    assert times == sorted(times)
    types = [entry["type"] for entry in view["timeline"] if entry["source"] == "licensing"]
    assert types == ["licence.awaiting_owners", "licence.owner_consented", "licence.offered",
                     "licence.activated", "usage.reported", "royalty.statement_issued"]
    assert view["timeline"][0]["source"] == "filing"

    # Nobody outside the deal sees it, through any field.
    outside = await platform.call(
        """query ($l: ID!, $w: ID!) { licence(id: $l) { id }
             work(id: $w) { title licences { id } } }""",
        {"l": licence_id, "w": work_id}, stranger_token)
    assert outside == {"licence": None, "work": {"title": title, "licences": []}}

    async def alices_inbox() -> list[dict[str, Any]] | None:
        data = await platform.call("{ notifications(first: 50) { totalCount edges { node { "
                                   "eventType subjectId message } } } }", None, alice_token)
        nodes = [e["node"] for e in data["notifications"]["edges"]]
        return nodes if any("statement" in n["eventType"] for n in nodes) else None

    inbox = await wait_for(alices_inbox)
    assert any(n["subjectId"] == licence_id for n in inbox)

    await _mandates_and_refusals(platform, work_id, (alice, alice_token), (bob, bob_token), lee)


MANDATE = "mandate { id media validFrom revokedAt grantor { id } agent { id } work { id } }"


async def _mandates_and_refusals(
    platform: Platform, work_id: str, alice: tuple[str, str], bob: tuple[str, str], lee: str
) -> None:
    """Bob refuses an exclusive offer; then gives Alice a mandate for sync licences of the
    work, so her next exclusive sync offer needs nobody, until he revokes it."""
    (alice_id, alice_token), (bob_id, bob_token) = alice, bob
    today = datetime.now(UTC).date()

    async def offer(territory: str) -> dict[str, Any]:
        offered = (await platform.call(
            """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
                 licence { id status ownerConsents { party { id } status } }
                 errors { code message field } } }""",
            {"i": {"workId": work_id, "licenseeId": lee, "territories": [territory],
                   "media": ["SYNC"], "exclusive": True, "start": today.isoformat(),
                   "royaltyRate": "5.00", "currency": "USD"}}, alice_token))["offerLicence"]
        assert offered["errors"] == [], offered
        licence: dict[str, Any] = offered["licence"]
        return licence

    first = await offer("KH")
    assert first["status"] == "AWAITING_OWNERS"
    refused = (await platform.call(
        """mutation ($l: ID!) { refuseLicence(licenceId: $l, reason: "sync needs my say") {
             licence { status statusReason ownerConsents { party { id } status reason } }
             errors { code message field } } }""", {"l": first["id"]}, bob_token))["refuseLicence"]
    assert refused["errors"] == []
    assert (refused["licence"]["status"], refused["licence"]["statusReason"]) == (
        "REFUSED_BY_OWNERS", "sync needs my say")
    assert {"party": {"id": bob_id}, "status": "REFUSED", "reason": "sync needs my say"} in (
        refused["licence"]["ownerConsents"])

    granted = (await platform.call(
        f"""mutation ($i: GrantMandateInput!) {{ grantMandate(input: $i) {{ {MANDATE}
             errors {{ code message field }} }} }}""",
        {"i": {"agentId": alice_id, "workId": work_id, "media": ["SYNC"],
               "validFrom": today.isoformat()}}, bob_token))["grantMandate"]
    assert granted["errors"] == [], granted
    mandate = granted["mandate"]
    assert (mandate["grantor"], mandate["agent"], mandate["work"], mandate["media"]) == (
        {"id": bob_id}, {"id": alice_id}, {"id": work_id}, ["SYNC"])
    for token in (alice_token, bob_token):
        mine = (await platform.call("{ myMandates { id } }", None, token))["myMandates"]
        assert mine == [{"id": mandate["id"]}]

    second = await offer("LA")
    assert second["status"] == "OFFERED"
    assert {"party": {"id": bob_id}, "status": "MANDATE"} in second["ownerConsents"]

    revoke = """mutation ($m: ID!) { revokeMandate(mandateId: $m) { mandate { revokedAt }
                  errors { code field } } }"""
    by_agent = (await platform.call(revoke, {"m": mandate["id"]}, alice_token))["revokeMandate"]
    assert by_agent == {"mandate": None,
                        "errors": [{"code": "NOT_THE_GRANTOR", "field": "mandateId"}]}
    revoked = (await platform.call(revoke, {"m": mandate["id"]}, bob_token))["revokeMandate"]
    assert revoked["errors"] == [] and revoked["mandate"]["revokedAt"] is not None
    assert (await offer("MM"))["status"] == "AWAITING_OWNERS"


async def test_work_updates_reach_a_subscriber_live(
    identities: Identities, platform: Platform
) -> None:
    alice, alice_token = await register(platform, identities, "Alice")
    _, critic_token = await register(platform, identities, "Critic")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id } errors { code } } }""",
        {"i": {"title": f"Rain {uuid.uuid4().hex[:8]}", "kind": "LITERARY",
               "countryOfOrigin": "VN",
               "rightsHolders": [{"partyId": alice, "role": "AUTHOR", "share": "100"}]}},
        alice_token))["fileWork"]
    work_id = filed["work"]["id"]
    async with subscription(
        platform, alice_token,
        "subscription ($w: ID!) { workUpdated(workId: $w) { id status history { action } } }",
        {"w": work_id},
    ) as ws:
        disputed = (await platform.call(
            """mutation ($w: ID!) { disputeWork(workId: $w, reason: "I wrote it first",
                 claimedRole: AUTHOR, claimedShare: "50") {
                 work { status } errors { code message } } }""", {"w": work_id}, critic_token))
        assert disputed["disputeWork"] == {"work": {"status": "DISPUTED"}, "errors": []}

        async def shows_dispute() -> bool:
            return (await next_data(ws, "workUpdated"))["status"] == "DISPUTED"

        assert await wait_for(shows_dispute) is True


async def test_licensing_and_the_gateway_agree_on_who_sees_a_licence_after_shares_move(
    identities: Identities,
    platform: Platform,
) -> None:
    """DOMAIN.md Access, once in contracts.access: the licensor keeps sight of the licence it
    granted after selling its share, a former owner who did not grant it loses it, and the
    service's own API and the gateway give each caller the same answer."""
    alice, alice_token = await register(platform, identities, "Alice Offeror")
    bob, bob_token = await register(platform, identities, "Bob Buyer")
    carol, carol_token = await register(platform, identities, "Carol Seller")
    lee, lee_token = await register(platform, identities, "Lee Licensee")
    _, stranger_token = await register(platform, identities, "Sam Stranger")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id status }
             errors { code message } } }""",
        {"i": {"title": f"Delta Tide {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
               "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "50.00"},
                                 {"partyId": bob, "role": "LYRICIST", "share": "30.00"},
                                 {"partyId": carol, "role": "ARRANGER", "share": "20.00"}]}},
        alice_token))["fileWork"]
    assert filed["errors"] == [] and filed["work"]["status"] == "AWAITING_CONSENT", filed
    work_id = filed["work"]["id"]
    confirmed = await confirm_over_graphql(platform.call, work_id, [bob_token, carol_token])
    assert confirmed["status"] == "REGISTERED", confirmed
    offered = (await platform.call(
        """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) { licence { id }
             errors { code message } } }""",
        {"i": {"workId": work_id, "licenseeId": lee, "territories": ["TH"],
               "media": ["STREAMING"], "exclusive": False, "start": "2026-01-01",
               "royaltyRate": "5.00", "currency": "THB"}}, alice_token))["offerLicence"]
    assert offered["errors"] == [], offered
    licence_id = offered["licence"]["id"]
    for token, share in ((alice_token, "50.00"), (carol_token, "20.00")):
        moved = (await platform.call(
            """mutation ($i: TransferShareInput!) { transferShare(input: $i) {
                 errors { code message } } }""",
            {"i": {"workId": work_id, "toPartyId": bob, "share": share}}, token))
        assert moved["transferShare"]["errors"] == [], moved

    async with httpx.AsyncClient(base_url=platform.licensing_url, timeout=30) as licensing:
        async def service_sees(token: str) -> bool:
            answer = await licensing.get(f"/licences/{licence_id}",
                                         headers={"authorization": f"Bearer {token}"})
            assert answer.status_code in (200, 404), answer.text
            return answer.status_code == 200

        async def service_knows_carol_sold() -> bool:
            return not await service_sees(carol_token)

        # Licensing learns of the transfers from filing's events, in order.
        await wait_for(service_knows_carol_sold)
        tokens = {"alice": alice_token, "bob": bob_token, "carol": carol_token,
                  "lee": lee_token, "stranger": stranger_token}
        service = {name: await service_sees(token) for name, token in tokens.items()}
    gateway = {
        name: (await platform.call("query ($l: ID!) { licence(id: $l) { id } }",
                                   {"l": licence_id}, token))["licence"] is not None
        for name, token in tokens.items()
    }
    expected = {"alice": True, "bob": True, "carol": False, "lee": True, "stranger": False}
    assert service == expected
    assert gateway == expected


TRANSFER = """mutation ($i: TransferShareInput!) { transferShare(input: $i) {
  work { rightsHolders { share party { id } } } errors { code message field } } }"""


async def test_a_retried_transfer_through_graphql_moves_the_share_once(
    identities: Identities,
    platform: Platform,
) -> None:
    alice, alice_token = await register(platform, identities, "Alice Keyed")
    bob, _ = await register(platform, identities, "Bob Keyed")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id }
             errors { code message field } } }""",
        {"i": {"title": f"Keyed Song {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
               "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "100.00"}]}},
        alice_token))["fileWork"]
    assert filed["errors"] == [], filed
    transfer = {"workId": filed["work"]["id"], "toPartyId": bob, "share": "25.00",
                "idempotencyKey": f"gw-{uuid.uuid4()}"}

    first = (await platform.call(TRANSFER, {"i": transfer}, alice_token))["transferShare"]
    retried = (await platform.call(TRANSFER, {"i": transfer}, alice_token))["transferShare"]
    assert first["errors"] == [] and retried == first
    shares = {h["party"]["id"]: h["share"] for h in retried["work"]["rightsHolders"]}
    assert shares == {alice: "75.00", bob: "25.00"}

    reused = (await platform.call(TRANSFER, {"i": {**transfer, "share": "5.00"}},
                                  alice_token))["transferShare"]
    assert [(e["code"], e["field"]) for e in reused["errors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", "idempotencyKey")]
    malformed = (await platform.call(TRANSFER, {"i": {**transfer, "idempotencyKey": "a b"}},
                                     alice_token))["transferShare"]
    assert [(e["code"], e["field"]) for e in malformed["errors"]] == [
        ("INVALID_INPUT", "idempotencyKey")]
    work = (await platform.call(
        "query ($w: ID!) { work(id: $w) { rightsHolders { share party { id } } } }",
        {"w": filed["work"]["id"]}, alice_token))["work"]
    assert {h["party"]["id"]: h["share"] for h in work["rightsHolders"]} == shares


async def test_a_co_owner_lists_its_consent_requests_and_a_rejection_returns_the_filing(
    identities: Identities, platform: Platform,
) -> None:
    """DOMAIN.md, "Co-owners' consent to a filing", through GraphQL: the co-owner finds the
    request in myConsentRequests, rejects it with a reason, and the filer sees it returned."""
    alice, alice_token = await register(platform, identities, "Alice Filer")
    bob, bob_token = await register(platform, identities, "Bob Co-owner")
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
             work { id status consentDeadline consents { party { id } role share status } }
             errors { code message field } } }""",
        {"i": {"title": f"Borrowed Tune {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
               "countryOfOrigin": "TH",
               "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "70.00"},
                                 {"partyId": bob, "role": "LYRICIST", "share": "30.00"}]}},
        alice_token))["fileWork"]
    assert filed["errors"] == [] and filed["work"]["status"] == "AWAITING_CONSENT", filed
    work_id = filed["work"]["id"]
    assert filed["work"]["consentDeadline"]
    assert filed["work"]["consents"] == [
        {"party": {"id": bob}, "role": "LYRICIST", "share": "30.00", "status": "PENDING"}]

    asked = (await platform.call("{ myConsentRequests { id } }", None, bob_token))
    assert work_id in [w["id"] for w in asked["myConsentRequests"]]
    assert (await platform.call("{ myConsentRequests { id } }", None, alice_token)) == {
        "myConsentRequests": []}
    not_asked = (await platform.call(
        """mutation ($w: ID!) { confirmHolding(workId: $w) { work { id }
             errors { code field } } }""", {"w": work_id}, alice_token))["confirmHolding"]
    assert not_asked["work"] is None, not_asked  # the filer is never asked
    assert [e["code"] for e in not_asked["errors"]] == ["NOT_ASKED"], not_asked

    rejected = (await platform.call(
        """mutation ($w: ID!, $r: String!) { rejectHolding(workId: $w, reason: $r) {
             work { status statusReason consents { status reason decidedAt } }
             errors { code message field } } }""",
        {"w": work_id, "r": "I did not write these lyrics"}, bob_token))["rejectHolding"]
    assert rejected["errors"] == [], rejected
    work = rejected["work"]
    assert work["status"] == "RETURNED"
    assert "I did not write these lyrics" in work["statusReason"]
    assert work["consents"][0]["status"] == "REJECTED" and work["consents"][0]["decidedAt"]
    assert (await platform.call("{ myConsentRequests { id } }", None, bob_token)) == {
        "myConsentRequests": []}
