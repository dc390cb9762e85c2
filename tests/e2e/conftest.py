"""The whole platform, started as `make run` starts it (devstack's supervisor, two instances
of every service, the gateway and the SMTP server), on free ports, fresh databases and this
run's topics; plus a real webhook receiver. Tests drive it only through GraphQL and Kafka, with
real Keycloak tokens: people sign up (account, sign-in, registerParty, refresh), machines and
examiners get client-credential tokens."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from devstack.graphql import GraphQLClient
from devstack.identity import Identities, Person
from devstack.platform import SERVICES, PlatformConfig, free_port, running_platform
from devstack.real_clock import real_clock_env
from playwright.async_api import Browser, async_playwright
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

E2E_INSTANCES = 2


@dataclass
class WebhookReceiver:
    """A real HTTP endpoint that keeps every request it receives."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.received.append({"path": scope["path"], "headers": headers, "body": body})
        async with self.arrived:
            self.arrived.notify_all()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        async def found() -> dict[str, Any] | None:
            return next((r for r in self.received if predicate(r)), None)

        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: any(predicate(r) for r in self.received)), timeout
            )
        hit = await found()
        assert hit is not None
        return hit


@dataclass
class Platform:
    config: PlatformConfig
    state_dir: Path
    trace_file: Path
    gql: GraphQLClient
    identities: Identities
    webhooks: WebhookReceiver

    def token(self, party_id: str | None, *roles: str) -> str:
        """A machine identity's token (an examiner, a licensee's system)."""
        return self.identities.token_for(party_id, *roles)

    async def sign_up(self, name: str, country: str, kind: str = "PERSON", **extra: Any) -> Person:
        """A person signs in at Keycloak and registers a party; `.token` acts for it."""
        party = {"name": name, "kind": kind, "country": country, **extra}
        return await self.identities.sign_up(self.gql, party)

    def mail(self) -> list[str]:
        mail_dir = self.state_dir / "mail"
        if not mail_dir.exists():
            return []
        return [p.read_text(errors="replace") for p in sorted(mail_dir.glob("*.eml"))]

    def spans(self) -> list[dict[str, Any]]:
        if not self.trace_file.exists():
            return []
        return [json.loads(line) for line in self.trace_file.read_text().splitlines() if line]


@pytest.fixture(scope="session")
async def webhooks() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver.app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            interface="asgi3",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "webhook receiver failed to start"
        await asyncio.sleep(0.02)
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    yield receiver
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def platform(
    create_database: Any,
    topic_prefix: str,
    tmp_path_factory: pytest.TempPathFactory,
    webhooks: WebhookReceiver,
    identities: Identities,
) -> AsyncIterator[Platform]:
    state_dir = tmp_path_factory.mktemp("platform-state")
    trace_file = state_dir / "spans.jsonl"
    config = PlatformConfig.on_free_ports(
        # Every test meets shared consumer groups, competing relays and a gateway that calls
        # each instance in turn: several instances are the normal case (ARCHITECTURE.md).
        instances=E2E_INSTANCES,
        topic_prefix=f"{topic_prefix}e2e.",
        state_dir=state_dir,
        database_urls={s: await create_database(f"e2e_{s}") for s in SERVICES},
        extra_env={
            "RIGHTS_TRACE_FILE": str(trace_file),
            "LOG_JSON": "true",
            # Webhook retries in tenths of a second, so a failing endpoint resolves quickly.
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "0.1",
            "NOTIFICATIONS_RETRY_CAP_SECONDS": "1",
            "NOTIFICATIONS_RETRY_MAX_ATTEMPTS": "3",
            "LICENSING_EXPIRY_INTERVAL_SECONDS": "1",
        },
    )
    async with running_platform(config, log_path=state_dir / "platform.log"):
        gql = GraphQLClient(config.gateway_url)
        try:
            yield Platform(config, state_dir, trace_file, gql, identities, webhooks)
        finally:
            await gql.close()


class BrowserSettings(BaseSettings):
    """`TEST_CHROMIUM`: the browser to drive (Playwright never downloads one here)."""

    model_config = SettingsConfigDict(env_prefix="TEST_")

    chromium: str = Field(default_factory=lambda: shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, for the browser tests (GraphiQL, the web app)."""
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        # The browser keeps the real clock: `make test` runs this suite again under
        # libfaketime, which Chromium does not survive; the platform's clock is what is moved.
        browser = await playwright.chromium.launch(
            executable_path=BrowserSettings().chromium, headless=True, args=["--no-sandbox"],
            env=real_clock_env(),
        )
        try:
            yield browser
        finally:
            await browser.close()
