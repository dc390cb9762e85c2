"""The gateway wired to the in-memory fake of the three services (fake_services.py), and the
fixtures the gateway's unit tests share: keys, tokens, settings and an in-process client."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from gateway.settings import GatewaySettings
from runtime.auth import ensure_keypair, mint_token
from runtime.settings import PlatformSettings

from .fake_services import FakeServices
from .gateway_client import Gateway, make_gateway_client

HOSTS = {"filing": "http://filing", "licensing": "http://licensing",
         "notifications": "http://notifications"}


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("gateway-keys")
    ensure_keypair(directory)
    return directory


def gateway_settings(key_dir: Path, **overrides: Any) -> GatewaySettings:
    platform = PlatformSettings(
        jwt_public_key_path=key_dir / "jwt-public.pem",
        rights_environment=overrides.pop("environment", "local"),
    )
    return GatewaySettings(
        jwt_private_key_path=key_dir / "jwt-private.pem",
        filing_url=HOSTS["filing"], licensing_url=HOSTS["licensing"],
        notifications_url=HOSTS["notifications"],
        subscriptions_enabled=False, platform=platform, **overrides,
    )


@pytest.fixture
def fake(key_dir: Path) -> FakeServices:
    return FakeServices((key_dir / "jwt-public.pem").read_bytes())


@pytest.fixture
def token(key_dir: Path) -> Callable[..., str]:
    private = (key_dir / "jwt-private.pem").read_bytes()

    def mint(party_id: str, *roles: str) -> str:
        return mint_token(private, party_id=party_id, roles=roles or ("party",))

    return mint


@pytest.fixture
def anyone(token: Callable[..., str]) -> str:
    """A token of a party that owns nothing and is party to nothing."""
    return token(str(uuid.uuid4()))


@pytest.fixture
async def gateway(key_dir: Path, fake: FakeServices) -> AsyncIterator[Gateway]:
    async with make_gateway_client(gateway_settings(key_dir), fake) as client:
        yield Gateway(client, fake)


@pytest.fixture
def open_gateway(key_dir: Path) -> Callable[..., Any]:
    """`async with open_gateway(fake, max_depth=5) as gw:` a gateway with other settings."""
    @contextlib.asynccontextmanager
    async def opened(fake: FakeServices, **overrides: Any) -> AsyncIterator[Gateway]:
        async with make_gateway_client(gateway_settings(key_dir, **overrides), fake) as client:
            yield Gateway(client, fake)

    return opened


@pytest.fixture
def leaky_fake(key_dir: Path) -> FakeServices:
    return FakeServices((key_dir / "jwt-public.pem").read_bytes(), leaky_reads=True)


@pytest.fixture
def settings_for(key_dir: Path) -> Callable[..., GatewaySettings]:
    return lambda **overrides: gateway_settings(key_dir, **overrides)


@pytest.fixture
def make_fake(key_dir: Path) -> Callable[..., FakeServices]:
    public = (key_dir / "jwt-public.pem").read_bytes()
    return lambda **kw: FakeServices(public, **kw)
