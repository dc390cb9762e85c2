"""Co-owners' consent in tests (DOMAIN.md, "Co-owners' consent to a filing"): a filing that
names other rights holders waits for each of them; every test that needs such a work on the
register confirms as each co-owner through these, over filing's HTTP API or GraphQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

CONFIRM_HOLDING = """mutation ($w: ID!) { confirmHolding(workId: $w) {
    work { id status registrationNumber statusReason } errors { code message field } } }"""

# A GraphQL call as the tests' platforms make it: (query, variables, token) -> data.
GraphQLCall = Callable[[str, dict[str, Any], str], Awaitable[dict[str, Any]]]


async def confirm_over_graphql(
    call: GraphQLCall, work_id: str, tokens: Iterable[str]
) -> dict[str, Any]:
    """Each co-owner (by its token, in order) confirms its holding; answers the work as the
    last confirmation left it (examined: usually REGISTERED)."""
    work: dict[str, Any] = {}
    for token in tokens:
        answer = (await call(CONFIRM_HOLDING, {"w": work_id}, token))["confirmHolding"]
        assert answer["errors"] == [], answer
        work = answer["work"]
    return work


async def confirm_over_http(
    clients: Iterable[httpx.AsyncClient], work_id: str
) -> dict[str, Any]:
    """`confirm_over_graphql` over filing's own API: each client calls as one co-owner."""
    work: dict[str, Any] = {}
    for client in clients:
        response = await client.post(f"/works/{work_id}/consent", json={})
        assert response.status_code == 200, response.text
        work = response.json()
    return work
