"""A service built with the shared runtime starts, answers health/readiness/metrics over real
HTTP, verifies bearer tokens, maps domain errors to 4xx bodies, and stops cleanly."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from contracts.errors import Conflict
from devstack.kafka_access import admin_login
from fastapi import APIRouter
from runtime.auth import CurrentPrincipal
from runtime.http import create_app, running_server
from runtime.service import ServiceRuntime
from runtime.settings import ServiceSettings
from runtime.uow import UnitOfWork

pytestmark = pytest.mark.asyncio(loop_scope="session")

ENV_PY = """
from sqlmodel import SQLModel
import runtime.outbox  # noqa: F401
from runtime.migrations_env import run_migrations
run_migrations(SQLModel.metadata)
"""
MIGRATION = """
revision = "0001"
down_revision = None
from alembic import op
import sqlalchemy as sa

def upgrade() -> None:
    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))

def downgrade() -> None:
    op.drop_table("thing")
"""


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / "script.py.mako").write_text("")
    (tmp_path / "versions" / "0001_thing.py").write_text(MIGRATION)
    return tmp_path


async def test_service_skeleton_serves_health_auth_and_errors_then_stops(
    create_database: Any, migrations: Path, token_for: Any
) -> None:
    url = await create_database(f"skeleton_{uuid.uuid4().hex[:6]}")
    # The test's own service name and topics: it logs in as the admin, who may use any.
    settings = ServiceSettings(service_name="skeleton", database_url=url, kafka_principal="admin")
    rt = ServiceRuntime(settings, migrations_dir=migrations, produces=[])
    router = APIRouter()

    @router.post("/things/{thing_id}/close")
    async def close(thing_id: str, caller: CurrentPrincipal) -> dict[str, str]:
        raise Conflict(
            f"thing {thing_id} is already closed", field="thing_id", code="ALREADY_CLOSED"
        )

    @router.get("/me")
    async def me(caller: CurrentPrincipal) -> dict[str, Any]:
        return {"party_id": caller.party_id, "roles": sorted(caller.roles)}

    app = create_app(rt, title="skeleton", routers=[router])
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as http:
        assert (await http.get("/health")).json()["status"] == "ok"
        ready = await http.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["database"] == "ok"
        assert (await http.get("/me")).status_code == 401
        forged = await http.get("/me", headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401
        assert forged.json()["code"] == "UNAUTHENTICATED"
        token = token_for("p-1", "examiner")
        me = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json() == {"party_id": "p-1", "roles": ["examiner"]}
        closed = await http.post("/things/7/close", headers={"Authorization": f"Bearer {token}"})
        assert closed.status_code == 409
        assert closed.json() == {
            "code": "ALREADY_CLOSED",
            "field": "thing_id",
            "message": "thing 7 is already closed",
        }
        metrics = await http.get("/metrics")
        assert "rights_http_request_seconds" in metrics.text
    assert not rt.started
    assert rt.relay is not None and not rt.relay.running


async def test_stalled_consumer_makes_the_service_not_ready_until_it_moves_again(
    create_database: Any, migrations: Path, kafka_bootstrap: str
) -> None:
    from datetime import UTC, datetime

    from aiokafka import AIOKafkaProducer
    from contracts.envelope import encode
    from contracts.events import PartyRegistered, PartyState

    url = await create_database(f"stall_{uuid.uuid4().hex[:6]}")
    topic = f"stall-{uuid.uuid4().hex[:6]}"
    settings = ServiceSettings(
        service_name="stall",
        database_url=url,
        consumer_batch_size=5,
        consumer_stall_seconds=1.0,
        kafka_principal="admin",
    )
    rt = ServiceRuntime(settings, migrations_dir=migrations, produces=[topic])
    release = asyncio.Event()

    async def stuck(uow: UnitOfWork, events: Sequence[Any]) -> None:
        await release.wait()  # stands for a fetcher that stopped after a rebalance

    rt.consumer(group_id=f"g-{topic}", topics=[topic], handler=stuck)
    # processed_event lives in the runtime's metadata; the test migration only has outbox.
    engine_url = url
    app = create_app(rt, title="stall", routers=[])
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as http:
        from runtime.db import create_engine
        from sqlmodel import SQLModel

        engine = create_engine(engine_url)
        async with engine.begin() as conn:
            await conn.run_sync(
                SQLModel.metadata.create_all, tables=[SQLModel.metadata.tables["processed_event"]]
            )
        await engine.dispose()
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **admin_login())
        await producer.start()
        for n in range(30):
            event = PartyRegistered(
                occurred_at=datetime.now(UTC),
                party=PartyState(id=uuid.uuid4(), name=f"P{n}", kind="PERSON", country="TH"),
            )
            record = encode(event)
            await producer.send_and_wait(
                settings.topic(topic), value=record.value, key=record.key, headers=record.headers
            )
        await producer.stop()

        async def ready_state() -> tuple[int, dict[str, Any]]:
            response = await http.get("/ready")
            return response.status_code, response.json()

        deadline = asyncio.get_running_loop().time() + 30
        status, body = await ready_state()
        while not (status == 503 and body["consumers"][0]["stalled"]):
            assert asyncio.get_running_loop().time() < deadline, body
            await asyncio.sleep(0.2)
            status, body = await ready_state()
        assert body["consumers"][0]["lag"][topic] > 0

        release.set()
        # Ready again once it moves; the lag then drains batch by batch to nothing.
        deadline = asyncio.get_running_loop().time() + 60
        while not (status == 200 and body["consumers"][0]["lag"].get(topic, 0) == 0):
            assert asyncio.get_running_loop().time() < deadline, body
            await asyncio.sleep(0.2)
            status, body = await ready_state()
        assert status == 200 and body["consumers"][0]["lag"].get(topic, 0) == 0
