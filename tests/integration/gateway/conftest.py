"""Fixtures of the gateway tests served over HTTP: the three services on this run's topics and
scratch databases (`services`, once per module) and a gateway in front of them with the
settings a test asks for (`gateway`)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from filing.app import create_app as create_filing_app
from filing.settings import FilingSettings
from gateway.app import build_state, create_app
from gateway.settings import GatewaySettings
from licensing.app import create_app as build_licensing
from licensing.settings import LicensingSettings
from notifications.app import create_app as build_notifications
from notifications.settings import NotificationsSettings
from runtime.http import running_server
from runtime.settings import PlatformSettings

from .served import Gateway, Services, serving


@pytest.fixture(scope="module")
async def services(create_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[Services]:
    base = PlatformSettings()
    shared = base.model_copy(
        update={"rights_topic_prefix": f"{base.rights_topic_prefix}lim{uuid.uuid4().hex[:6]}."})
    databases = {name: await create_database(f"lim_{name}")
                 for name in ("filing", "licensing", "notifications")}
    # Small pools: the shared PostgreSQL serves everybody's tests at once.
    filing = create_filing_app(FilingSettings(database_url=databases["filing"],
                                              platform=shared, database_pool_size=2))
    licensing = build_licensing(LicensingSettings(
        database_url=databases["licensing"], platform=shared, database_pool_size=2))
    notifications = build_notifications(NotificationsSettings(
        database_url=databases["notifications"], platform=shared,
        secret_key=Fernet.generate_key().decode(), database_pool_size=2))
    async with contextlib.AsyncExitStack() as stack:
        yield Services(
            platform=shared,
            filing=await stack.enter_async_context(running_server(filing)),
            licensing=await stack.enter_async_context(running_server(licensing)),
            notifications=await stack.enter_async_context(running_server(notifications)),
            databases=databases,
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
