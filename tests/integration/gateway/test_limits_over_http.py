"""The gateway's limits over real HTTP and a real WebSocket, in front of the running services
(real PostgreSQL and Kafka): the amplification query of issue 14 refused before any service
call, bursts answered 429 RATE_LIMITED, an oversized body 413, the subscription quota."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from devstack.identity import Identities
from devstack.polling import eventually
from websockets.asyncio.client import connect

from .served import REGISTER, register

pytestmark = pytest.mark.slow

# Issue 14: every work's holders, and each holder's works again (about 400 service searches
# and 3.2 MB with 20 parties before the limit).
AMPLIFICATION = """{ works(first: 20) { edges { node { title rightsHolders { party { name
  works(first: 20) { edges { node { title rightsHolders { party { name } } } } } } } } } } }"""


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_the_amplification_query_is_refused_before_any_service_call(
    identities: Identities,
    gateway: Callable[..., Any],
) -> None:
    async with gateway() as gw:
        alice, alice_token = await register(gw, identities, "Alice Composer")
        bob, _ = await register(gw, identities, "Bob Lyricist")
        filed = (await gw.post(
            """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
                 work { id } errors { code message } } }""",
            {"i": {"title": f"Amplified {uuid.uuid4().hex[:8]}", "kind": "MUSICAL_WORK",
                   "countryOfOrigin": "TH",
                   "rightsHolders": [{"partyId": alice, "role": "COMPOSER", "share": "50.00"},
                                     {"partyId": bob, "role": "LYRICIST", "share": "50.00"}]}},
            alice_token)).json()["data"]["fileWork"]
        assert filed["errors"] == [], filed
        gw.calls.clear()

        refused = await gw.post(AMPLIFICATION, token=alice_token)
        assert code(refused) == "QUERY_TOO_COSTLY"
        assert refused.json()["data"] is None
        assert "over the budget of 50000" in refused.json()["errors"][0]["message"]
        assert gw.calls == []

        # A page of works with their holders' names is well within the budget, and is served.
        served = await gw.post("""query ($a: ID!) { works(first: 20, filter: {holderId: $a}) {
            edges { node { title rightsHolders { party { name } } } } } }""", {"a": alice},
                               alice_token)
        body = served.json()
        assert not body.get("errors"), body
        holders = body["data"]["works"]["edges"][0]["node"]["rightsHolders"]
        assert {h["party"]["name"] for h in holders} == {"Alice Composer", "Bob Lyricist"}
        assert gw.calls, "the served query went to the services"


async def test_a_burst_over_an_accounts_rate_gets_429_rate_limited_with_retry_after(
    gateway: Callable[..., Any], token_for: Callable[..., str],
) -> None:
    async with gateway(rate_limit_per_account="5/minute", rate_limit_per_ip="100/minute") as gw:
        greedy, other = token_for(uuid.uuid4()), token_for(uuid.uuid4())
        answers = [await gw.post("{ me { id } }", token=greedy) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert code(refused) == "RATE_LIMITED"
        retry_after = int(refused.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert refused.json()["errors"][0]["extensions"]["retryAfter"] == retry_after
        # Another account from the same address is not held back by the first one's burst.
        assert (await gw.post("{ me { id } }", token=other)).status_code == 200
        # A forged token counts against no account (nor spends the greedy one's allowance).
        forged = greedy[:-4] + "AAAA"
        assert (await gw.post("{ me { id } }", token=forged)).status_code == 200


async def test_a_burst_from_one_address_gets_429_rate_limited(
    gateway: Callable[..., Any],
) -> None:
    async with gateway(rate_limit_per_ip="4/minute") as gw:
        answers = [await gw.post("{ __typename }") for _ in range(5)]
        assert [a.status_code for a in answers] == [200] * 4 + [429]
        assert code(answers[-1]) == "RATE_LIMITED"
        # Behind no trusted proxy, a client cannot pick another address to escape its limit.
        spoofed = await gw.client.post("/graphql", json={"query": "{ __typename }"},
                                       headers={"x-forwarded-for": "203.0.113.9"})
        assert spoofed.status_code == 429


async def test_the_trusted_proxys_forwarded_address_is_the_one_limited(
    gateway: Callable[..., Any],
) -> None:
    async with gateway(rate_limit_per_ip="2/minute", trust_forwarded_for=True) as gw:
        def via(address: str) -> dict[str, str]:
            return {"x-forwarded-for": f"198.51.100.1, {address}"}

        first = [await gw.client.post("/graphql", json={"query": "{ __typename }"},
                                      headers=via("203.0.113.7")) for _ in range(3)]
        assert [a.status_code for a in first] == [200, 200, 429]
        other = await gw.client.post("/graphql", json={"query": "{ __typename }"},
                                     headers=via("203.0.113.8"))
        assert other.status_code == 200


async def test_mutations_have_their_own_stricter_bucket(
    identities: Identities, gateway: Callable[..., Any]
) -> None:
    async with gateway(rate_limit_mutations="2/minute") as gw:
        # One account's mutations: the sign-up, then the same registration once more.
        _, token = await register(gw, identities, "First")
        again = {"i": {"name": "First", "kind": "PERSON", "country": "TH"}}
        assert (await gw.post(REGISTER, again, token)).status_code == 200
        gw.calls.clear()
        refused = await gw.post(REGISTER, again, token)
        assert refused.status_code == 429
        assert code(refused) == "RATE_LIMITED"
        assert "mutations" in refused.json()["errors"][0]["message"]
        assert gw.calls == []
        # Queries from the same address are still answered.
        assert (await gw.post("{ __typename }")).status_code == 200


async def test_an_oversized_body_gets_413_and_reaches_no_service(
    gateway: Callable[..., Any], token_for: Callable[..., str],
) -> None:
    async with gateway(max_body_bytes=2048) as gw:
        caller = token_for(uuid.uuid4())
        padding = " " * 4000
        big = await gw.post("{ me { id } }" + padding, token=caller)
        assert big.status_code == 413
        assert code(big) == "BODY_TOO_LARGE"
        assert "2048 bytes" in big.json()["errors"][0]["message"]

        # Without a Content-Length (chunked), the body is counted as it arrives.
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "{ me { id } }'
            for _ in range(10):
                yield b" " * 400
            yield b'"}'

        chunked = await gw.client.post("/graphql", content=chunks(), headers={
            "content-type": "application/json", "authorization": f"Bearer {caller}"})
        assert chunked.status_code == 413
        assert code(chunked) == "BODY_TOO_LARGE"
        assert gw.calls == []

        small = await gw.post("{ me { id } }", token=caller)
        assert small.status_code == 200, small.text
        assert gw.calls, "a body within the limit is served"


async def test_variables_over_their_size_are_refused_before_any_service_call(
    gateway: Callable[..., Any], token_for: Callable[..., str],
) -> None:
    async with gateway(max_variables_bytes=512) as gw:
        query = "query ($t: String) { works(filter: {text: $t}) { totalCount } }"
        refused = await gw.post(query, {"t": "x" * 1000}, token_for(uuid.uuid4()))
        assert code(refused) == "VARIABLES_TOO_LARGE"
        assert gw.calls == []


async def test_one_subscription_over_the_accounts_quota_is_refused_until_one_ends(
    gateway: Callable[..., Any], token_for: Callable[..., str],
) -> None:
    party = str(uuid.uuid4())
    inbox = {"query": "subscription { notificationReceived { id } }"}
    async with gateway(max_subscriptions_per_account=2) as gw:
        quota = gw.state.subscriptions

        async def open_count_is(n: int) -> bool:
            return quota.open_count(party) == n

        async with connect(gw.url.replace("http", "ws") + "/graphql",
                           subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"Authorization": f"Bearer {token_for(party)}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            for n in ("1", "2"):
                await ws.send(json.dumps({"id": n, "type": "subscribe", "payload": inbox}))
            await eventually(lambda: open_count_is(2))

            await ws.send(json.dumps({"id": "3", "type": "subscribe", "payload": inbox}))
            refusal = await _message_for(ws, "3")
            errors = refusal["payload"] if refusal["type"] == "error" \
                else refusal["payload"]["errors"]
            assert errors[0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
            assert "at most 2" in errors[0]["message"]
            assert quota.open_count(party) == 2

            # Ending one gives its place back.
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            await eventually(lambda: open_count_is(1))
            await ws.send(json.dumps({"id": "4", "type": "subscribe", "payload": inbox}))
            await eventually(lambda: open_count_is(2))
        # Closing the socket ends its subscriptions and frees the account's quota.
        await eventually(lambda: open_count_is(0))


async def _message_for(ws: Any, operation: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        if message.get("id") == operation:
            return message
