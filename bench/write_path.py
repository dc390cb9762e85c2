"""Scenario 5, the write path: one command's transaction (state + outbox rows together);
fileWork through the real gateway with real tokens, sustained; and the outbox relay's publish
rate as a ratio of a bare aiokafka producer sending the very same records in the same run."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from contracts.enums import Role, WorkKind, WorkStatus
from contracts.envelope import KafkaRecord, encode
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
from sqlalchemy import text

from bench.common import BOOTSTRAP, Latencies, create_database, pick, topic_prefix, url_of
from bench.e2e_latency import Load
from bench.platform import (
    cpu_share,
    cpu_snapshot,
    finish_profiles,
    profiling_self,
    register_party,
    running_platform,
    start_profiles,
)
from bench.raw_kafka import produce_records


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
    owner = uuid.uuid4()
    principal = Principal(party_id=str(owner), roles=frozenset({"party"}))
    await filing.register_party(
        uow=uow, principal=principal, party_id=owner,
        command=RegisterParty.model_validate(
            {"name": "Bench composer", "kind": "PERSON", "country": "TH"}))
    # The filer the only holder: a co-owner would leave the work awaiting consent, another
    # path (DOMAIN.md, "Co-owners' consent to a filing"); this one examines and registers.
    holders = [{"party_id": str(owner), "role": "COMPOSER", "share": "100"}]
    hist = Latencies()

    async def one() -> None:
        await filing.file_work(uow=uow, principal=principal, command=FileWork.model_validate({
            "title": f"Bench write path {uuid.uuid4().hex}",
            "kind": "MUSICAL_WORK", "country_of_origin": "TH",
            "rights_holders": holders,
        }))

    writer = filing.FilingWriter(uow, max_batch=64)
    filework = FileWork.model_validate({
        "title": "Bench write path", "kind": "MUSICAL_WORK", "country_of_origin": "TH",
        "rights_holders": holders})

    async def batched() -> None:
        await writer.file_work(principal=principal, command=filework.model_copy(
            update={"title": f"Bench write path {uuid.uuid4().hex}"}))

    throughput: dict[str, Any] = {}
    grouped: dict[str, Any] = {}
    try:
        for n in range(warmup + count):
            started = time.perf_counter()
            await one()
            if n >= warmup:
                hist.record_seconds(time.perf_counter() - started)
        # Concurrent commands, each its own transaction: the numbering counters are locked
        # until each commit. Then the same through filing's writer (group commit).
        await writer.start()
        for found, call, levels in ((throughput, one, (1, 4, 16)),
                                    (grouped, batched, (1, 16, 64))):
            for concurrency in levels:
                done = 0
                stop_at = time.perf_counter() + throughput_seconds

                async def worker(stop_at: float = stop_at, call: Any = call) -> None:
                    nonlocal done
                    while time.perf_counter() < stop_at:
                        await call()
                        done += 1

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                found[str(concurrency)] = round(done / (time.perf_counter() - started), 1)
    finally:
        await writer.stop()
        await engine.dispose()
    return {**hist.summary_ms(), "commands_per_s_at_concurrency": throughput,
            "group_commit_per_s_at_concurrency": grouped,
            "group_commit_ratio": round(max(grouped.values()) / max(throughput.values()), 2)}


async def relay_rate(database_url: str, count: int, batch_size: int,
                     profile_dir: Path | None = None) -> dict[str, Any]:
    """Stages `count` events, then times a bare aiokafka producer sending the very same
    records (read back from the outbox) to a twin topic, and one relay draining the outbox
    (publish + mark sent): the relay's ratio to raw produce of the same records."""
    prefix = topic_prefix("relay")
    settings = FilingSettings(
        service_name="bench-relay", database_url=database_url, outbox_batch_size=batch_size,
        kafka_principal="admin",  # the benchmark's own topics
        platform=PlatformSettings(rights_topic_prefix=prefix, kafka_bootstrap_servers=BOOTSTRAP),
    )
    topic = settings.topic("filing.works.v1")
    twin = topic + ".raw"
    await ensure_topics(BOOTSTRAP, [(topic, "filing.works.v1"), (twin, "filing.works.v1")],
                        security=settings.kafka_security())
    await migrate(MIGRATIONS, database_url)  # filing's own tables, outbox included
    engine = create_engine(database_url)
    sessions = session_maker(engine)
    for start in range(0, count, 1000):
        async with UnitOfWork(sessions) as uow:
            uow.emit(*(work_event(n) for n in range(start, min(count, start + 1000))))
    # Warm-up: the broker's topic metadata and leaders before either clock starts.
    warm = reliable_producer(BOOTSTRAP, **settings.kafka_security())
    await warm.start()
    for name in (topic, twin):
        await warm.send_and_wait(name, b"{}", key=b"warm")
    await warm.stop()
    raw_per_s = await raw_produce_of_outbox(engine, twin)
    relay = OutboxRelay(engine=engine, settings=settings)
    published = 0
    profiles: dict[str, Any] = {}
    try:
        # The relay runs in this process: py-spy samples it while it drains.
        with profiling_self(profile_dir, "relay", profiles):
            await relay.start()  # its loop starts publishing at once; we time from here
            started = time.perf_counter()
            while published < count:
                published = relay.published_total
                if published < count:
                    await asyncio.sleep(0.05)  # sampling the backlog; the relay never waits on us
            elapsed = time.perf_counter() - started
    finally:
        await relay.stop()
        await engine.dispose()
    relay_per_s = count / elapsed
    return {"events": count, "seconds": round(elapsed, 2), "relay_per_s": round(relay_per_s),
            "raw_produce_same_records_per_s": round(raw_per_s),
            "relay_ratio": round(relay_per_s / raw_per_s, 3), "profiles": profiles}


async def raw_produce_of_outbox(engine: Any, topic: str) -> float:
    """Records/s of scenario 1's raw producer (`raw_kafka.produce_records`) sending the
    outbox's records as stored (key, value, headers) to `topic`; reading them is not timed."""
    async with engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY id"))).all()
    records = [
        KafkaRecord(topic, _bytes(row.key), _bytes(row.value),
                    [(k, v.encode()) for k, v in row.headers])
        for row in rows
    ]
    return float((await produce_records(BOOTSTRAP, records, topic=topic))["per_s"])


def _bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


async def filework_through_gateway(*, seconds: float, concurrency: int, filers: int,
                                   profile_dir: Path | None,
                                   extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """fileWork mutations through the real gateway (platform as `make run` starts it: gateway,
    the three services and their consumers), each filer with its own Keycloak machine token;
    closed loop at `concurrency` after a warm-up, sustained for `seconds`."""
    async with running_platform(extra_env) as platform:
        load = Load(platform, [await register_party(platform, f"Write filer {i}")
                               for i in range(filers)])

        async def loop(window: float, workers: int, profile: bool) -> dict[str, Any]:
            done = 0
            load.errors = 0
            stop_at = time.perf_counter() + window
            profiles = (start_profiles(platform, int(window), profile_dir)
                        if profile and profile_dir else None)
            before = cpu_snapshot(platform)
            started = time.perf_counter()

            async def worker() -> None:
                nonlocal done
                while time.perf_counter() < stop_at:
                    work_id, _ = await load.file_one()
                    done += work_id is not None

            await asyncio.gather(*(worker() for _ in range(workers)))
            elapsed = time.perf_counter() - started
            cpu = cpu_share(before, cpu_snapshot(platform), elapsed)
            found: dict[str, Any] = {
                "concurrency": workers, "seconds": round(elapsed, 1),
                "mutations_per_s": round(done / elapsed, 1), "errors": load.errors,
                "cpu_cores_used": cpu,
                # CPU per mutation: what a shared, busy machine does not distort much.
                "cpu_ms_per_mutation": {k: round(1000 * v / max(done / elapsed, 1e-9), 2)
                                        for k, v in cpu.items()}}
            if profiles is not None and profile_dir:
                found["profiles"] = await finish_profiles(profiles, profile_dir)
            return found

        await loop(min(3.0, seconds), 4, False)  # warm-up: connections, caches, compilations
        return await loop(seconds, concurrency, True)


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
              raw_produce_per_s: float | None, profile_dir: Path | None = None) -> dict[str, Any]:
    command = await command_latency(await create_database("write_cmd"), commands, warmup)
    relay_url = await create_database("write_relay")
    relay = await relay_rate(relay_url, relay_events, batch_size, profile_dir)
    round_trips = await pg_round_trips(relay_url)
    gateway_seconds = pick("filework_gateway_seconds", 15, 3)
    gateway_concurrency = pick("filework_gateway_concurrency", 64, 8)
    # Same run, same load, filing without its group commit (each filing its own transaction).
    alone = await filework_through_gateway(
        seconds=gateway_seconds, concurrency=gateway_concurrency, filers=8, profile_dir=None,
        extra_env={"FILING_GROUP_COMMIT_MAX": "1"})
    gateway = await filework_through_gateway(
        seconds=gateway_seconds, concurrency=gateway_concurrency, filers=8,
        profile_dir=profile_dir)
    gateway["without_group_commit"] = alone
    gateway["ratio_to_without_group_commit"] = round(
        gateway["mutations_per_s"] / max(alone["mutations_per_s"], 1e-9), 2)
    result: dict[str, Any] = {
        "setup": {"command": f"filing.service.file_work in-process (the filer the only holder: "
                            f"registered at once; work + history "
                            f"+ 2 outbox rows + NOTIFY, one transaction), {commands} sequential "
                            f"after {warmup} warm-up; then commands/s with 1, 4 and 16 "
                            "concurrent callers (4 s each, one process, pool of 16); then "
                            "through filing's FilingWriter (group commit, batches of at most "
                            "64) with 1, 16 and 64 callers",
                  "relay": f"{relay_events} work.registered rows "
                           f"({len(encode(work_event(0)).value)}"
                           f" B values) staged in 1,000-row transactions, then one OutboxRelay "
                           f"drains them, outbox_batch_size={batch_size} (rounds of whole "
                           "batches per partition, unawaited, acks=all; each round marked in one "
                           "statement while the next is sent); timed from relay start to the "
                           "last row marked; baseline: scenario 1's raw producer "
                           "(raw_kafka.produce_records) sends the same rows' key, value and "
                           "headers to a twin topic, before the relay",
                  "filework_gateway": f"fileWork mutations through the gateway (whole platform "
                                      f"running, consumers included), 8 filers with their own "
                                      f"Keycloak machine tokens, closed loop at "
                                      f"{gateway_concurrency} concurrent requests for "
                                      f"{gateway_seconds} s after a 3 s warm-up at 4; the load "
                                      "generator shares the machine (its CPU is in "
                                      "cpu_cores_used); baseline in the same run: the same "
                                      "load on a platform with FILING_GROUP_COMMIT_MAX=1"},
        "command": command,
        "relay_per_s": relay["relay_per_s"],
        "postgres_statement_round_trip": round_trips,
        "relay": relay,
        "relay_ratio": relay["relay_ratio"],
        "filework_gateway_per_s": gateway["mutations_per_s"],
        "filework_gateway": gateway,
        "ratio_definition": "relay_per_s / scenario 1 raw aiokafka produce_per_s; relay_ratio: "
                            "relay_per_s / raw produce of the same records in this run",
    }
    if raw_produce_per_s:
        result["ratio"] = round(relay["relay_per_s"] / raw_produce_per_s, 3)
    return result
