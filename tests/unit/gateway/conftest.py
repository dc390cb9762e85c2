"""The gateway wired to the in-memory fake of the three services (fake_services.py), and the
fixtures the gateway's unit tests share: a fake identity provider, tokens, settings and an
in-process client."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway.settings import GatewaySettings
from runtime.settings import PlatformSettings

from .fake_identity import FakeIdentityProvider, new_key
from .fake_services import FakeServices
from .gateway_client import Gateway, make_gateway_client

HOSTS = {"filing": "http://filing", "licensing": "http://licensing",
         "notifications": "http://notifications"}


@pytest.fixture(scope="session")
def idp_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def idp(idp_key: rsa.RSAPrivateKey) -> FakeIdentityProvider:
    """The fake identity provider whose tokens the gateway and the fake services accept; its
    accounts are this test's own."""
    return FakeIdentityProvider(key=idp_key)


def gateway_settings(**overrides: Any) -> GatewaySettings:
    platform = PlatformSettings(rights_environment=overrides.pop("environment", "local"))
    return GatewaySettings(
        filing_url=HOSTS["filing"], licensing_url=HOSTS["licensing"],
        notifications_url=HOSTS["notifications"],
        subscriptions_enabled=False, platform=platform, **overrides,
    )


@pytest.fixture
def fake(idp: FakeIdentityProvider) -> FakeServices:
    return FakeServices(idp)


@pytest.fixture
def token(idp: FakeIdentityProvider) -> Callable[..., str]:
    """`token(party_id, *roles)`: an access token acting for that party (default role party)."""

    def mint(party_id: str, *roles: str) -> str:
        return idp.token(party_id, *(roles or ("party",)))

    return mint


@pytest.fixture
def anyone(token: Callable[..., str]) -> str:
    """A token of a party that owns nothing and is party to nothing."""
    return token(str(uuid.uuid4()))


@pytest.fixture
async def gateway(fake: FakeServices) -> AsyncIterator[Gateway]:
    async with make_gateway_client(gateway_settings(), fake) as client:
        yield Gateway(client, fake)


@pytest.fixture
def open_gateway() -> Callable[..., Any]:
    """`async with open_gateway(fake, max_depth=5) as gw:` a gateway with other settings."""
    @contextlib.asynccontextmanager
    async def opened(fake: FakeServices, **overrides: Any) -> AsyncIterator[Gateway]:
        async with make_gateway_client(gateway_settings(**overrides), fake) as client:
            yield Gateway(client, fake)

    return opened


@pytest.fixture
def leaky_fake(idp: FakeIdentityProvider) -> FakeServices:
    return FakeServices(idp, leaky_reads=True)


@pytest.fixture
def settings_for() -> Callable[..., GatewaySettings]:
    return lambda **overrides: gateway_settings(**overrides)


@pytest.fixture
def make_fake(idp: FakeIdentityProvider) -> Callable[..., FakeServices]:
    return lambda **kw: FakeServices(idp, **kw)
