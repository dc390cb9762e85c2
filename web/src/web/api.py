"""The web app's one way to data: GraphQL operations sent to the gateway's public `/graphql`
with the person's own token (WEB.md, "A client of the public API only")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

# Mounted, requests never leave the process: the host is only a name for the URL.
IN_PROCESS_URL = "http://gateway.in-process/graphql"
# As its own process, unless WEB_GATEWAY_URL says otherwise: the local gateway.
LOCAL_GATEWAY = "http://127.0.0.1:8000/graphql"


@dataclass
class APIError(Exception):
    """The gateway refused or failed an operation; `status` is the page's HTTP status."""

    status: int
    code: str
    message: str
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


# A GraphQL error's code (extensions.code) -> the status of the page that shows it.
STATUS_OF_CODE = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "INVALID_INPUT": 400,
    "BAD_REQUEST": 400,
    "RATE_LIMITED": 429,
    "QUERY_TOO_COSTLY": 400,
}


def read_answer(status: int, body: Any, retry_after: str | None = None) -> dict[str, Any]:
    """The operation's data, or the APIError for the first error the gateway gave."""
    if not isinstance(body, dict):
        raise APIError(502, "BAD_GATEWAY", f"the gateway answered {status} without JSON")
    errors = body.get("errors") or []
    if errors:
        first = errors[0]
        code = str((first.get("extensions") or {}).get("code") or "INTERNAL")
        page_status = STATUS_OF_CODE.get(code, status if status >= 400 else 502)
        raise APIError(page_status, code, str(first.get("message", "")), retry_after)
    if status != 200 or not isinstance(body.get("data"), dict):
        raise APIError(502, "BAD_GATEWAY", f"the gateway answered {status}")
    data: dict[str, Any] = body["data"]
    return data


class GatewayAPI:
    """Sends one operation and returns its data. In process (`app`: the gateway's ASGI app)
    each request carries the browser's address as its client, so the gateway's per-address
    limits count browsers; otherwise over HTTP to `url`."""

    def __init__(
        self, *, url: str = IN_PROCESS_URL, app: ASGIApp | None = None,
        client: httpx.AsyncClient | None = None, timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.app = app
        self.client = client or (None if app is not None else httpx.AsyncClient(timeout=timeout))

    async def run(
        self, operation: str, variables: dict[str, Any] | None = None, *,
        token: str | None = None, client_address: str = "127.0.0.1",
    ) -> dict[str, Any]:
        headers = {"accept": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = httpx.Request(
            "POST", self.url, json={"query": operation, "variables": variables or {}},
            headers=headers,
        )
        if self.app is not None:
            transport = httpx.ASGITransport(app=self.app, client=(client_address, 0))
            response = await transport.handle_async_request(request)
        else:
            assert self.client is not None
            try:
                response = await self.client.send(request)
            except httpx.HTTPError as exc:
                raise APIError(502, "BAD_GATEWAY", f"the gateway is unreachable: {exc}") from exc
        await response.aread()
        try:
            body = response.json()
        except ValueError:
            body = None
        return read_answer(response.status_code, body, response.headers.get("retry-after"))

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
