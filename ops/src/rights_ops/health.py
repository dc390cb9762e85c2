"""`rights health`: every component at a glance: each service's database, Kafka, the identity
provider, each service instance's /health and /ready, and the gateway's. Where each is comes
from the platform's own settings (`<SERVICE>_DATABASE_URL`, `KAFKA_BOOTSTRAP_SERVERS`,
`IDENTITY_ISSUER`, `KEYCLOAK_MANAGEMENT_PORT`, `GATEWAY_<SERVICE>_URL`, `GATEWAY_HOST`/`_PORT`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Annotated

import asyncpg
import httpx
import typer
from aiokafka.admin import AIOKafkaAdminClient
from devstack.identity import KeycloakConfig
from filing.settings import FilingSettings
from gateway.settings import GatewaySettings
from licensing.settings import LicensingSettings
from notifications.settings import NotificationsSettings
from runtime.db import connect_args
from runtime.identity import IdentitySettings
from runtime.kafka_security import ADMIN, client_security
from runtime.settings import PlatformSettings
from sqlalchemy.engine import make_url

from rights_ops.output import print_json, table


@dataclass(frozen=True)
class Check:
    component: str
    target: str
    ok: bool
    detail: str


async def _checked(
    component: str, target: str, probe: Callable[[], Awaitable[str]], timeout: float
) -> Check:
    try:
        detail = await asyncio.wait_for(probe(), timeout)
        return Check(component, target, True, detail)
    except Exception as exc:
        return Check(component, target, False, f"{type(exc).__name__}: {exc}"[:200])


def _database(url: str) -> Callable[[], Awaitable[str]]:
    async def probe() -> str:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(plain, **connect_args(url))
        try:
            version = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        return f"PostgreSQL {version}"

    return probe


def _kafka(settings: PlatformSettings) -> Callable[[], Awaitable[str]]:
    async def probe() -> str:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=5000,
            **client_security(settings, ADMIN),
        )
        await admin.start()
        try:
            cluster = await admin.describe_cluster()
        finally:
            await admin.close()
        return f"{len(cluster['brokers'])} broker(s), controller {cluster['controller_id']}"

    return probe


def _http(client: httpx.AsyncClient, url: str) -> Callable[[], Awaitable[str]]:
    async def probe() -> str:
        answer = await client.get(url)
        if answer.status_code != 200:
            raise RuntimeError(f"HTTP {answer.status_code} {answer.text[:120]}")
        return "HTTP 200"

    return probe


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def check_all(timeout: float) -> list[Check]:
    platform = PlatformSettings()
    gateway = GatewaySettings()
    checks: list[Awaitable[Check]] = []
    for service, settings in (("filing", FilingSettings()), ("licensing", LicensingSettings()),
                              ("notifications", NotificationsSettings())):
        url = settings.database_url
        checks.append(_checked(f"postgresql ({service})", _redacted(url), _database(url),
                               timeout))
    checks.append(_checked("kafka", platform.kafka_bootstrap_servers, _kafka(platform), timeout))
    async with httpx.AsyncClient(timeout=timeout) as client:
        issuer = IdentitySettings().issuer.rstrip("/")
        discovery = f"{issuer}/.well-known/openid-configuration"
        checks.append(_checked("identity provider", discovery, _http(client, discovery), timeout))
        management = f"{KeycloakConfig.from_env().management_url}/health/ready"
        checks.append(_checked("identity provider", management, _http(client, management),
                               timeout))
        for service, urls in gateway.service_instances().items():
            for base in urls:
                for path in ("/health", "/ready"):
                    checks.append(_checked(service, base + path,
                                           _http(client, base + path), timeout))
        gateway_url = f"http://{gateway.host}:{gateway.port}"
        for path in ("/health", "/ready"):
            checks.append(_checked("gateway", gateway_url + path,
                                   _http(client, gateway_url + path), timeout))
        return list(await asyncio.gather(*checks))


def health(
    timeout: Annotated[float, typer.Option(min=0.1, help="seconds each check may take")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts")] = False,
) -> None:
    """Every component's state; exits 1 when any is down."""
    checks = asyncio.run(check_all(timeout))
    if as_json:
        print_json([asdict(c) for c in checks])
    else:
        table("health", ["component", "where", "state", "detail"],
              [(c.component, c.target, "[green]up[/]" if c.ok else "[red]DOWN[/]", c.detail)
               for c in checks])
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
