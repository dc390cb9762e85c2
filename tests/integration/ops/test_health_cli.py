"""`rights health`: the real PostgreSQL, Kafka and identity provider up, a running filing
service up and ready, and a service that is not running reported down (exit 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from devstack.platform import free_port
from filing.app import create_app
from filing.settings import FilingSettings
from runtime.http import running_server

from .conftest import Rights

pytestmark = [pytest.mark.asyncio(loop_scope="session")]


async def test_health_shows_every_component_and_fails_when_one_is_down(
    rights: Rights, create_database: Any
) -> None:
    url = await create_database("ops_health")
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with running_server(create_app(FilingSettings(database_url=url))) as filing:
        result = await rights("health", "--json", "--timeout", "10", env={
            "GATEWAY_FILING_URL": filing,
            "GATEWAY_LICENSING_URL": nowhere,
            "GATEWAY_NOTIFICATIONS_URL": nowhere,
            "FILING_DATABASE_URL": url,
        })
    assert result.exit_code == 1, result.output
    checks = {(c["component"], c["target"]): c for c in json.loads(result.output)}
    up = {key for key, c in checks.items() if c["ok"]}
    assert {("filing", f"{filing}/health"), ("filing", f"{filing}/ready")} <= up
    assert {k[0] for k in up} >= {"postgresql (filing)", "postgresql (licensing)",
                                  "postgresql (notifications)", "kafka", "identity provider"}
    down = {key for key, c in checks.items() if not c["ok"]}
    assert ("licensing", f"{nowhere}/health") in down
    assert ("notifications", f"{nowhere}/ready") in down
    # Database URLs are shown without their passwords (the defaults carry one).
    shown = [c["target"] for c in checks.values() if c["component"] == "postgresql (licensing)"]
    assert shown == ["postgresql+asyncpg://licensing:***@127.0.0.1:5432/licensing"]

    table = await rights("health", "--timeout", "3", env={
        "GATEWAY_FILING_URL": nowhere, "GATEWAY_LICENSING_URL": nowhere,
        "GATEWAY_NOTIFICATIONS_URL": nowhere})
    assert table.exit_code == 1 and "DOWN" in table.output and "up" in table.output
