"""The gateway served over real HTTP in front of the three services (real PostgreSQL, Kafka and
Keycloak), for the tests in this folder: what the `services` and `gateway` fixtures
(conftest.py) hand out, and a person's sign-up through it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from devstack.identity import Identities
from devstack.polling import eventually
from gateway.context import GatewayState
from runtime.settings import PlatformSettings

REGISTER = """mutation ($i: RegisterPartyInput!) {
  registerParty(input: $i) { party { id } errors { code message field } } }"""


@dataclass
class Services:
    platform: PlatformSettings
    filing: str
    licensing: str
    notifications: str
    # The services' own databases, for tests that look behind the APIs (the bulk import).
    databases: dict[str, str] = field(default_factory=dict)


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


async def register(gw: Gateway, identities: Identities, name: str) -> tuple[str, str]:
    """A person signs in at Keycloak and registers a party: (its id, the person's token)."""

    async def call(query: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
        data: dict[str, Any] = (await gw.post(query, variables, token)).json()["data"]
        return data

    person = await identities.sign_up(call, {"name": name, "kind": "PERSON", "country": "TH"})
    return person.party_id, person.token


