"""The gateway's limits over real HTTP and a real WebSocket, in front of the running services
(real PostgreSQL and Kafka): the amplification query of issue 14 refused before any service
call, bursts answered 429 RATE_LIMITED, an oversized body 413, the subscription quota."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography.fernet import Fernet
from devstack.polling import eventually
from filing.app import create_app as create_filing_app
from filing.settings import FilingSettings
from gateway.app import build_state, create_app
from gateway.context import GatewayState
from gateway.settings import GatewaySettings
from licensing.app import create_app as build_licensing
from licensing.settings import LicensingSettings
from notifications.app import create_app as build_notifications
from notifications.settings import NotificationsSettings
from runtime.http import running_server
from runtime.settings import PlatformSettings
from websockets.asyncio.client import connect

pytestmark = pytest.mark.slow

# Issue 14: every work's holders, and each holder's works again (about 400 service searches
# and 3.2 MB with 20 parties before the limit).
AMPLIFICATION = """{ works(first: 20) { edges { node { title rightsHolders { party { name
  works(first: 20) { edges { node { title rightsHolders { party { name } } } } } } } } } } }"""
REGISTER = """mutation ($i: RegisterPartyInput!) {
  registerParty(input: $i) { party { id } token errors { code message field } } }"""


@dataclass
class Services:
    platform: PlatformSettings
    filing: str
    licensing: str
    notifications: str


@dataclass
class Gateway:
    client: httpx.AsyncClient
    url: str
    state: GatewayState
    calls: list[str]  # every request the gateway made to a service

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return await self.client.post("/graphql", json={"query": query,
                                                         "variables": variables or {}},
                                       headers=headers)


@pytest.fixture(scope="module")
async def services(create_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[Services]:
    base = PlatformSettings()
    shared = base.model_copy(
        update={"rights_topic_prefix": f"{base.rights_topic_prefix}lim{uuid.uuid4().hex[:6]}."})
    # Small pools: the shared PostgreSQL serves everybody's tests at once.
    filing = create_filing_app(FilingSettings(database_url=await create_database("lim_filing"),
                                              platform=shared, database_pool_size=2))
    licensing = build_licensing(LicensingSettings(
        database_url=await create_database("lim_licensing"), platform=shared,
        database_pool_size=2))
    notifications = build_notifications(NotificationsSettings(
        database_url=await create_database("lim_notifications"), platform=shared,
        secret_key=Fernet.generate_key().decode(), database_pool_size=2))
    async with contextlib.AsyncExitStack() as stack:
        yield Services(
            platform=shared,
            filing=await stack.enter_async_context(running_server(filing)),
            licensing=await stack.enter_async_context(running_server(licensing)),
            notifications=await stack.enter_async_context(running_server(notifications)),
        )


@pytest.fixture
def gateway(services: Services) -> Callable[..., contextlib.AbstractAsyncContextManager[Gateway]]:
    """`async with gateway(max_body_bytes=...) as gw:` a gateway with these settings, served
    over HTTP, whose calls to the services are recorded."""

    @contextlib.asynccontextmanager
    async def started(**overrides: Any) -> AsyncIterator[Gateway]:
        settings = GatewaySettings(
            filing_url=services.filing, licensing_url=services.licensing,
            notifications_url=services.notifications, platform=services.platform,
            subscriptions_enabled=False, **overrides)
        calls: list[str] = []

        async def record(request: httpx.Request) -> None:
            calls.append(f"{request.method} {request.url.path}")

        http = httpx.AsyncClient(timeout=10, event_hooks={"request": [record]})
        state = build_state(settings, http=http)
        async with serving(create_app(settings, state=state)) as url, \
                httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Gateway(client=client, url=url, state=state, calls=calls)

    return started


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """The gateway over HTTP as `python -m gateway` serves it: uvicorn's own trust of
    X-Forwarded-For off, so GATEWAY_TRUST_FORWARDED_FOR alone decides."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                           access_log=False, proxy_headers=False))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: _started(server, task))
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # start-up failed: raise its error here
    return bool(server.started)


async def register(gw: Gateway, name: str) -> tuple[str, str]:
    response = await gw.post(REGISTER, {"i": {
        "name": name, "kind": "PERSON", "country": "TH",
        "registrationKey": f"lim-{uuid.uuid4()}"}})
    payload = response.json()["data"]["registerParty"]
    assert payload["errors"] == [], payload
    return payload["party"]["id"], payload["token"]


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_the_amplification_query_is_refused_before_any_service_call(
    gateway: Callable[..., Any],
) -> None:
    async with gateway() as gw:
        alice, alice_token = await register(gw, "Alice Composer")
        bob, _ = await register(gw, "Bob Lyricist")
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


async def test_mutations_have_their_own_stricter_bucket(gateway: Callable[..., Any]) -> None:
    async with gateway(rate_limit_mutations="2/minute") as gw:
        await register(gw, "First")
        await register(gw, "Second")
        gw.calls.clear()
        refused = await gw.post(REGISTER, {"i": {"name": "Third", "kind": "PERSON",
                                                 "country": "TH"}})
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
