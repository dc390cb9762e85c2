"""The web app's client of /graphql as its own process (`WEB_GATEWAY_URL`): over HTTP, the
person's token as the bearer, the gateway's refusals as page statuses (WEB.md)."""

from __future__ import annotations

import json

import httpx
import pytest
from web.api import APIError, GatewayAPI


async def test_an_operation_is_posted_with_the_bearer_token_and_its_data_returned() -> None:
    seen: list[httpx.Request] = []

    def gateway(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"me": {"id": "p1"}}})

    api = GatewayAPI(url="http://gateway.test/graphql",
                     client=httpx.AsyncClient(transport=httpx.MockTransport(gateway)))
    data = await api.run("query { me { id } }", {"a": 1}, token="t0k")
    await api.aclose()

    assert data == {"me": {"id": "p1"}}
    assert seen[0].url == "http://gateway.test/graphql"
    assert seen[0].headers["authorization"] == "Bearer t0k"
    assert json.loads(seen[0].content) == {"query": "query { me { id } }", "variables": {"a": 1}}


async def test_a_rate_limit_keeps_its_retry_after() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "3"}, json={
            "errors": [{"message": "slow down", "extensions": {"code": "RATE_LIMITED"}}]})

    api = GatewayAPI(url="http://gateway.test/graphql",
                     client=httpx.AsyncClient(transport=httpx.MockTransport(gateway)))
    with pytest.raises(APIError) as refused:
        await api.run("{ __typename }")
    assert (refused.value.status, refused.value.retry_after) == (429, "3")


async def test_an_unreachable_gateway_is_a_502_page() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    api = GatewayAPI(url="http://gateway.test/graphql",
                     client=httpx.AsyncClient(transport=httpx.MockTransport(gateway)))
    with pytest.raises(APIError) as refused:
        await api.run("{ __typename }")
    assert refused.value.status == 502
