"""What a resolver gets: the caller, their backends and loaders, and the process's shared parts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from runtime.identity import IdentityProviderUnavailable, IdentityVerifier
from strawberry.fastapi import BaseContext

from gateway.auth import GatewayIdentity, Principal, Unauthenticated, bearer_token, verify
from gateway.backends import Backends, BackendUrls, backends_for
from gateway.limits import SubscriptionQuota
from gateway.loaders import Loaders
from gateway.settings import GatewaySettings
from gateway.subscriptions import UpdateHub


@dataclass
class GatewayState:
    """Built once per process at start-up (no engines at import time)."""

    settings: GatewaySettings
    http: httpx.AsyncClient
    identity: IdentityVerifier  # checks every caller's token
    account: GatewayIdentity  # the gateway's own client (registration)
    hub: UpdateHub
    subscriptions: SubscriptionQuota = field(default_factory=SubscriptionQuota)
    _turns: dict[str, Iterator[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Several instances of a service share one database, so any of them answers any call:
        # a plain round robin over the listed URLs (ARCHITECTURE.md, several instances).
        self._turns = {
            service: itertools.cycle(urls)
            for service, urls in self.settings.service_instances().items()
        }

    @property
    def urls(self) -> BackendUrls:
        """The services to call next: each time the next instance of each, in turn."""
        chosen = {service: next(turn) for service, turn in self._turns.items()}
        everyone = self.settings.service_instances()
        return BackendUrls(
            filing=chosen["filing"],
            licensing=chosen["licensing"],
            notifications=chosen["notifications"],
            others={
                service: _after(everyone[service], url) for service, url in chosen.items()
            },
        )


def _after(urls: list[str], chosen: str) -> tuple[str, ...]:
    """The other instances, in the order they come after the chosen one."""
    at = urls.index(chosen)
    return tuple(urls[at + 1 :] + urls[:at])


class GatewayContext(BaseContext):
    def __init__(self, state: GatewayState):
        super().__init__()
        self.state = state
        self._principal: Principal | None = None
        self._auth_error: str | None = None
        self._authenticated = False
        self._loaders: Loaders | None = None

    @property
    def settings(self) -> GatewaySettings:
        return self.state.settings

    def headers(self) -> dict[str, Any]:
        """The request's headers, and a socket's connection_init payload over them."""
        headers: dict[str, Any] = {}
        if self.request is not None:
            headers.update(self.request.headers)
        if isinstance(self.connection_params, dict):
            headers.update(self.connection_params)
        return headers

    async def authenticate_from(self, headers: Mapping[str, Any]) -> Principal | None:
        """Verifies the caller's token once, before any resolver runs (HTTP: when the context
        is made; WebSocket: at connection_init). A missing or bad token leaves an anonymous
        caller, who sees only what needs no account."""
        self._authenticated = True
        token = bearer_token(headers)
        if token is not None:
            try:
                self._principal = await verify(self.state.identity, token)
            except Unauthenticated as exc:
                self._auth_error = str(exc)
            except IdentityProviderUnavailable:
                self._auth_error = "tokens cannot be checked right now; retry shortly"
        return self._principal

    def authenticate(self) -> Principal | None:
        if not self._authenticated:
            return None  # not verified (yet): anonymous
        return self._principal

    @property
    def principal(self) -> Principal | None:
        return self.authenticate()

    def require_principal(self) -> Principal:
        principal = self.authenticate()
        if principal is None:
            raise Unauthenticated(self._auth_error or "a bearer token is required")
        return principal

    @property
    def backends(self) -> Backends:
        principal = self.principal
        token = principal.token if principal else None
        return backends_for(self.state.http, self.state.urls, token)

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.backends)
        return self._loaders

    def refresh_loaders(self) -> None:
        """A subscription lives long: each event it delivers reads fresh state."""
        self._loaders = None
