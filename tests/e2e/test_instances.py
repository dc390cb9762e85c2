"""The e2e platform runs two instances of every service as the normal case: each is ready,
runs its outbox relay, and holds partitions of every consumer group its service joins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from devstack.platform import SERVICES
from devstack.polling import eventually

from .conftest import E2E_INSTANCES

pytestmark = [pytest.mark.asyncio(loop_scope="session")]


async def test_every_service_runs_several_instances_sharing_its_groups(platform: Any) -> None:
    async def reports(http: httpx.AsyncClient, service: str) -> list[dict[str, Any]]:
        urls = platform.config.instance_urls(service)
        return [(await http.get(f"{url}/ready")).json() for url in urls]

    async with httpx.AsyncClient(timeout=10) as http:
        for service in SERVICES:

            async def sharing(service: str = service) -> list[dict[str, Any]] | None:
                each = await reports(http, service)
                holding = all(
                    c["assigned_partitions"] > 0 for report in each for c in report["consumers"]
                )
                return each if holding else None

            each = await eventually(
                sharing, timeout=90, what=f"every {service} instance holding partitions"
            )
            assert len(each) == E2E_INSTANCES >= 2
            assert all(r["ready"] and r["outbox_relay"]["running"] for r in each), each
