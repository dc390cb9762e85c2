"""HTTP limits in front of GraphQL: the body's size (413) and request rates per account and
per client address, with a stricter bucket for mutations (429 with Retry-After).

Counts live in the storage `GATEWAY_RATE_LIMIT_STORAGE_URI` names: this process's memory by
default, so each gateway instance counts on its own; several instances share a storage URI.
Every refusal is a GraphQL-shaped body whose error carries a code in `extensions.code`.
"""

from __future__ import annotations

import functools
import json
import math
import time
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from limits import RateLimitItem
from limits import parse as parse_limit
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from runtime.identity import IdentityProviderUnavailable, IdentityVerifier
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import Unauthenticated, bearer_token, verify
from gateway.settings import GatewaySettings

GRAPHQL_PATH = "/graphql"


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    retry_after: int | None = None


def async_storage_uri(uri: str) -> str:
    """The `limits` library's async flavour of a storage URI (`memory://` -> `async+memory://`)."""
    return uri if uri.startswith("async+") else f"async+{uri}"


CACHED_QUERY_CHARS = 8192


def is_mutation(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation a request runs is a mutation; a broken document is not (the
    schema answers it). Cached: clients send the same few documents again and again; long
    ones are parsed each time so that the cache cannot be filled with megabytes."""
    if len(query) <= CACHED_QUERY_CHARS:
        return _is_mutation_cached(query, operation_name, max_tokens)
    return _is_mutation(query, operation_name, max_tokens)


def _is_mutation(query: str, operation_name: str | None, max_tokens: int) -> bool:
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        named = operation.name.value if operation.name else None
        if (operation_name is None and len(operations) == 1) or named == operation_name:
            return operation.operation == OperationType.MUTATION
    return False


_is_mutation_cached = functools.lru_cache(maxsize=512)(_is_mutation)


class RateLimits:
    """The moving-window buckets: one per account, one per address, one for mutations."""

    def __init__(self, settings: GatewaySettings):
        storage = storage_from_string(async_storage_uri(settings.rate_limit_storage_uri))
        self.limiter = MovingWindowRateLimiter(storage)
        self.per_account = parse_limit(settings.rate_limit_per_account)
        self.per_ip = parse_limit(settings.rate_limit_per_ip)
        self.mutations = parse_limit(settings.rate_limit_mutations)

    async def check(self, ip: str, account: str | None, mutation: bool) -> Refusal | None:
        buckets: list[tuple[RateLimitItem, str, str]] = [(self.per_ip, "ip", ip)]
        if account is not None:
            buckets.append((self.per_account, "account", account))
        if mutation:
            who = f"account:{account}" if account is not None else f"ip:{ip}"
            buckets.append((self.mutations, "mutations", who))
        for item, bucket, key in buckets:
            if not await self.limiter.hit(item, bucket, key):
                stats = await self.limiter.get_window_stats(item, bucket, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                return Refusal(
                    429,
                    "RATE_LIMITED",
                    f"too many requests ({bucket} limit {item}); retry in {retry_after} s",
                    retry_after,
                )
        return None


class RequestLimits:
    """ASGI middleware for /graphql: body size first, then the rate limits."""

    def __init__(self, app: ASGIApp, settings: GatewaySettings, identity: IdentityVerifier):
        self.app = app
        self.settings = settings
        self.identity = identity
        self.rates = RateLimits(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].rstrip("/") != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        ip = self._client_ip(scope)
        if scope["type"] == "websocket":
            # A socket's token comes in its first message; the handshake counts per address.
            if not await self.rates.limiter.hit(self.rates.per_ip, "ip", ip):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if (_header(scope, b"content-type") or "").startswith("multipart/form-data"):
            # An upload (GraphQL multipart request spec) is a mutation; its body streams on
            # to the GraphQL server, which spools its files, so only its stated size is
            # checked here.
            refusal = self._check_upload(scope) or await self.rates.check(
                ip, await self._account(scope), True
            )
            if refusal is not None:
                await _answer(send, refusal)
                return
            await self.app(scope, receive, send)
            return
        body, refusal = await self._read_body(scope, receive)
        if refusal is None:
            refusal = await self.rates.check(
                ip, await self._account(scope), scope["method"] == "POST" and self._mutation(body)
            )
        if refusal is not None:
            await _answer(send, refusal)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_upload(self, scope: Scope) -> Refusal | None:
        limit = self.settings.max_upload_bytes
        declared = _header(scope, b"content-length")
        if declared is None or not declared.isdigit():
            return Refusal(411, "LENGTH_REQUIRED", "an upload must state its Content-Length")
        if int(declared) > limit:
            return Refusal(413, "BODY_TOO_LARGE", f"the upload is over {limit} bytes")
        return None

    async def _read_body(self, scope: Scope, receive: Receive) -> tuple[bytes, Refusal | None]:
        limit = self.settings.max_body_bytes
        too_large = Refusal(413, "BODY_TOO_LARGE", f"the request body is over {limit} bytes")
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return b"", too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), None

    def _mutation(self, body: bytes) -> bool:
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return False
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return False
        name = payload.get("operationName")
        return is_mutation(
            payload["query"], name if isinstance(name, str) else None, self.settings.max_tokens
        )

    async def _account(self, scope: Scope) -> str | None:
        token = bearer_token({"authorization": _header(scope, b"authorization") or ""})
        if token is None:
            return None
        try:
            # The account, not the party: each member of an organisation has its own allowance.
            return (await verify(self.identity, token)).subject
        except (Unauthenticated, IdentityProviderUnavailable):
            return None  # a forged token must not spend someone else's allowance

    def _client_ip(self, scope: Scope) -> str:
        if self.settings.trust_forwarded_for:
            forwarded = _header(scope, b"x-forwarded-for")
            if forwarded:
                return forwarded.split(",")[-1].strip()
        client = scope.get("client")
        return str(client[0]) if client else "unknown"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _answer(send: Send, refusal: Refusal) -> None:
    extensions: dict[str, Any] = {"code": refusal.code}
    headers = [(b"content-type", b"application/json")]
    if refusal.retry_after is not None:
        extensions["retryAfter"] = refusal.retry_after
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    body = json.dumps(
        {"data": None, "errors": [{"message": refusal.message, "extensions": extensions}]}
    ).encode()
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
