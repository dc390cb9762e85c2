"""The gateway's unit tests' client: GraphQL posted to the app in-process, its services the
fake of fake_services.py, and what the tests read from its answers."""

from __future__ import annotations

from typing import Any

import httpx
from gateway.app import build_state, create_app
from gateway.settings import GatewaySettings

from .fake_services import FakeServices, Json


def codes(result: Json) -> list[str]:
    """The `extensions.code` of each error of a GraphQL answer."""
    return [e.get("extensions", {}).get("code") for e in result.get("errors", [])]


class Gateway:
    """Posts GraphQL to the app in-process (ASGI transport; the services are the fake)."""

    def __init__(self, client: httpx.AsyncClient, fake: FakeServices):
        self.client = client
        self.fake = fake

    async def raw(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None) -> Json:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query,
                                                            "variables": variables or {}},
                                          headers=headers)
        result: Json = response.json()
        return result

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> Json:
        result = await self.raw(query, variables, token)
        assert not result.get("errors"), result["errors"]
        data: Json = result["data"]
        return data

    async def refused(self, query: str, variables: dict[str, Any] | None = None,
                      token: str | None = None) -> Json:
        """The answer to a request the gateway must refuse alone: no service was called."""
        result = await self.raw(query, variables, token)
        assert self.fake.calls == [], self.fake.calls
        return result


def make_gateway_client(settings: GatewaySettings, fake: FakeServices) -> httpx.AsyncClient:
    state = build_state(
        settings, http=httpx.AsyncClient(transport=fake.transport()), identity=fake.idp.verifier()
    )
    app = create_app(settings, state=state)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
