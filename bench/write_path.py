"""Scenario 5, the write path: one command's transaction (state + outbox rows together), and
the outbox relay's sustained publish rate as a ratio of raw aiokafka produce."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from contracts.enums import Role, WorkKind, WorkStatus
from contracts.envelope import encode
from contracts.events import RightsHolder, WorkRegistered, WorkState
from filing import service as filing
from filing.app import MIGRATIONS
from filing.commands import FileWork, RegisterParty
from filing.settings import FilingSettings
from runtime.auth import Principal
from runtime.db import create_engine, migrate, session_maker
from runtime.kafka import ensure_topics, reliable_producer
from runtime.outbox import OutboxRelay
from runtime.settings import PlatformSettings
from runtime.uow import UnitOfWork, unit_of_work_factory

from bench.common import BOOTSTRAP, Latencies, create_database, topic_prefix, url_of


def work_event(n: int) -> WorkRegistered:
    """A work.registered event of about 1 KiB on the wire, like scenario 1's records."""
    holders = [uuid.uuid4(), uuid.uuid4()]
    now = datetime.now(UTC)
    return WorkRegistered(occurred_at=now, actor_id=holders[0], work=WorkState(
        id=uuid.uuid4(), filing_number=f"F-{now.year}-{n + 1:06d}",
        registration_number=f"R-{now.year}-{n + 1:06d}", title=f"Bench relay work {n}",
        alternate_titles=["ชื่อเรื่องทดสอบ", "Tên tác phẩm thử nghiệm", "x" * 200],
        kind=WorkKind.MUSICAL_WORK, status=WorkStatus.REGISTERED, country_of_origin="TH",
        rights_holders=[RightsHolder(party_id=holders[0], role=Role.COMPOSER, share=Decimal("60")),
                        RightsHolder(party_id=holders[1], role=Role.LYRICIST, share=Decimal("40"))],
        filed_by=holders[0], filed_at=now))


async def command_latency(database_url: str, count: int, warmup: int,
                          throughput_seconds: float = 4) -> dict[str, Any]:
    """filing's own `file_work` use case, in-process: parties checked, examination locks and
    numbering, the work and its history written, two events staged, one commit."""
    await migrate(MIGRATIONS, database_url)
    engine = create_engine(database_url, pool_size=16)
    uow = unit_of_work_factory(session_maker(engine))
    owner, co = uuid.uuid4(), uuid.uuid4()
    principal = Principal(party_id=str(owner), roles=frozenset({"party"}))
    for party_id, name in ((owner, "Bench composer"), (co, "Bench lyricist")):
        await filing.register_party(
            uow=uow,
            principal=Principal(party_id=str(party_id), roles=frozenset({"party"})),
            party_id=party_id,
            command=RegisterParty.model_validate({"name": name, "kind": "PERSON", "country": "TH"}))
    hist = Latencies()

    async def one() -> None:
        await filing.file_work(uow=uow, principal=principal, command=FileWork.model_validate({
            "title": f"Bench write path {uuid.uuid4().hex}",
            "kind": "MUSICAL_WORK", "country_of_origin": "TH",
            "rights_holders": [{"party_id": str(owner), "role": "COMPOSER", "share": "60"},
                               {"party_id": str(co), "role": "LYRICIST", "share": "40"}],
        }))

    throughput = {}
    try:
        for n in range(warmup + count):
            started = time.perf_counter()
            await one()
            if n >= warmup:
                hist.record_seconds(time.perf_counter() - started)
        # Concurrent commands: the numbering counters are locked until each commit.
        for concurrency in (1, 4, 16):
            done = 0
            stop_at = time.perf_counter() + throughput_seconds

            async def worker(stop_at: float = stop_at) -> None:
                nonlocal done
                while time.perf_counter() < stop_at:
                    await one()
                    done += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            throughput[str(concurrency)] = round(done / (time.perf_counter() - started), 1)
    finally:
        await engine.dispose()
    return {**hist.summary_ms(), "commands_per_s_at_concurrency": throughput}


async def relay_rate(database_url: str, count: int, batch_size: int) -> dict[str, Any]:
    """Stages `count` events, then times one relay draining them (publish + mark sent)."""
    prefix = topic_prefix("relay")
    settings = FilingSettings(
        service_name="bench-relay", database_url=database_url, outbox_batch_size=batch_size,
        kafka_principal="admin",  # the benchmark's own topics
        platform=PlatformSettings(rights_topic_prefix=prefix, kafka_bootstrap_servers=BOOTSTRAP),
    )
    await ensure_topics(BOOTSTRAP, [(settings.topic("filing.works.v1"), "filing.works.v1")],
                        security=settings.kafka_security())
    await migrate(MIGRATIONS, database_url)  # filing's own tables, outbox included
    engine = create_engine(database_url)
    sessions = session_maker(engine)
    for start in range(0, count, 1000):
        async with UnitOfWork(sessions) as uow:
            uow.emit(*(work_event(n) for n in range(start, min(count, start + 1000))))
    relay = OutboxRelay(engine=engine, settings=settings)
    # Warm-up: the broker's topic metadata and leaders before the clock starts.
    warm = reliable_producer(BOOTSTRAP, **settings.kafka_security())
    await warm.start()
    await warm.send_and_wait(settings.topic("filing.works.v1"), b"{}", key=b"warm")
    await warm.stop()
    published = 0
    await relay.start()  # its loop starts publishing at once; we time from here
    started = time.perf_counter()
    try:
        while published < count:
            published = relay.published_total
            if published < count:
                await asyncio.sleep(0.05)  # sampling the backlog; the relay never waits on us
        elapsed = time.perf_counter() - started
    finally:
        await relay.stop()
        await engine.dispose()
    return {"events": count, "seconds": round(elapsed, 2), "relay_per_s": round(count / elapsed)}


async def pg_round_trips(database_url: str, count: int = 3000) -> dict[str, Any]:
    """One statement's round trip to PostgreSQL on loopback, with asyncpg's default TLS
    negotiation (sslmode prefer, what every service gets today) and with TLS off."""
    import asyncpg

    found: dict[str, Any] = {}
    for label, ssl in (("tls_default", None), ("tls_off", False)):
        conn = await asyncpg.connect(url_of(database_url), ssl=ssl)
        try:
            statement = await conn.prepare("SELECT $1::int")
            hist = Latencies()
            for n in range(count + 200):
                started = time.perf_counter()
                await statement.fetchval(n)
                if n >= 200:
                    hist.record_seconds(time.perf_counter() - started)
            summary = hist.summary_ms()
            found[label] = {
                "p50_us": round(summary["p50_ms"] * 1000),
                "p99_us": round(summary["p99_ms"] * 1000),
                "ssl_in_use": bool(await conn.fetchval(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")),
            }
        finally:
            await conn.close()
    return found


async def run(*, commands: int, warmup: int, relay_events: int, batch_size: int,
              raw_produce_per_s: float | None) -> dict[str, Any]:
    command = await command_latency(await create_database("write_cmd"), commands, warmup)
    relay_url = await create_database("write_relay")
    relay = await relay_rate(relay_url, relay_events, batch_size)
    round_trips = await pg_round_trips(relay_url)
    result: dict[str, Any] = {
        "setup": {"command": f"filing.service.file_work in-process (2 holders; work + history "
                            f"+ 2 outbox rows + NOTIFY, one transaction), {commands} sequential "
                            f"after {warmup} warm-up; then commands/s with 1, 4 and 16 "
                            "concurrent callers (4 s each, one process, pool of 16)",
                  "relay": f"{relay_events} work.registered rows "
                           f"({len(encode(work_event(0)).value)}"
                           f" B values) staged in 1,000-row transactions, then one OutboxRelay "
                           f"drains them, outbox_batch_size={batch_size} (publish the batch, await "
                           "acks=all, mark sent); timed from relay start to the last row marked"},
        "command": command,
        "relay_per_s": relay["relay_per_s"],
        "postgres_statement_round_trip": round_trips,
        "relay": relay,
        "ratio_definition": "relay_per_s / scenario 1 raw aiokafka produce_per_s",
    }
    if raw_produce_per_s:
        result["ratio"] = round(relay["relay_per_s"] / raw_produce_per_s, 3)
    return result
