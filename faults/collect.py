"""Everything the checker reads, gathered into plain data once the system has settled: each
service's database, every topic from its first offset, the SMTP sink's mail and the webhook
receiver's calls."""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from contracts.topics import EVENT_TOPICS, PARTITIONS, ROYALTY_STATEMENT_ISSUED
from devstack.kafka_access import admin_login
from runtime.settings import PlatformSettings


@dataclass(frozen=True)
class Record:
    """One topic record: where it is, its CloudEvents id and type, and its JSON data."""

    topic: str  # without the run's prefix
    partition: int
    offset: int
    key: str
    ce_id: str
    ce_type: str
    data: dict[str, Any]


@dataclass
class Observed:
    works: dict[str, dict[str, Any]] = field(default_factory=dict)  # filing
    transfer_rows: Counter[str] = field(default_factory=Counter)  # filing history, per work
    consents: dict[str, dict[str, str]] = field(default_factory=dict)  # work -> party -> status
    filing_keys: dict[str, Any] = field(default_factory=dict)  # op id -> stored answer
    licensing_keys: dict[str, Any] = field(default_factory=dict)
    register_works: dict[str, dict[str, Any]] = field(default_factory=dict)  # licensing
    licences: dict[str, dict[str, Any]] = field(default_factory=dict)
    licence_events: dict[str, Counter[str]] = field(default_factory=dict)  # licence -> ce_type
    reports: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    known_works: set[str] = field(default_factory=set)  # notifications
    known_licences: dict[str, str] = field(default_factory=dict)  # id -> status
    notifications: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    unsent: dict[str, int] = field(default_factory=dict)  # service -> outbox rows unsent
    records: list[Record] = field(default_factory=list)
    mail_ids: list[str] = field(default_factory=list)  # delivery ids of mails received
    webhook_ids: list[str] = field(default_factory=list)  # delivery ids of webhook calls


def plain_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _rows(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_url(url))
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def _answer(body: str | None) -> Any:
    return json.loads(body) if body else None


async def read_databases(urls: dict[str, str], observed: Observed) -> None:
    filing, licensing, notes = urls["filing"], urls["licensing"], urls["notifications"]
    holders: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in await _rows(filing, "SELECT work_id, party_id, sum(share) AS share "
                                 "FROM rights_holder GROUP BY work_id, party_id"):
        holders[str(r["work_id"])][str(r["party_id"])] = Decimal(r["share"])
    for r in await _rows(filing, "SELECT id, title, status, version FROM work"):
        observed.works[str(r["id"])] = {"title": r["title"], "status": r["status"],
                                        "version": r["version"],
                                        "holders": holders.get(str(r["id"]), {})}
    for r in await _rows(filing, "SELECT work_id, count(*) AS n FROM work_history "
                                 "WHERE action = 'OWNERSHIP_TRANSFERRED' GROUP BY work_id"):
        observed.transfer_rows[str(r["work_id"])] = r["n"]
    for r in await _rows(filing, "SELECT work_id, party_id, status FROM work_consent"):
        observed.consents.setdefault(str(r["work_id"]), {})[str(r["party_id"])] = r["status"]
    for url, into in ((filing, observed.filing_keys), (licensing, observed.licensing_keys)):
        for r in await _rows(url, "SELECT key, status, body FROM idempotency_key"):
            into[r["key"]] = {"status": r["status"], "answer": _answer(r["body"])}
    reg_holders: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in await _rows(licensing, "SELECT work_id, party_id, sum(share) AS share "
                                    "FROM register_holder GROUP BY work_id, party_id"):
        reg_holders[str(r["work_id"])][str(r["party_id"])] = Decimal(r["share"])
    for r in await _rows(licensing, "SELECT id, status, version FROM register_work"):
        observed.register_works[str(r["id"])] = {
            "status": r["status"], "version": r["version"],
            "holders": reg_holders.get(str(r["id"]), {})}
    for r in await _rows(licensing, "SELECT id, work_id, licensee_id, status, advance "
                                    "FROM licence"):
        observed.licences[str(r["id"])] = {"work": str(r["work_id"]),
                                           "licensee": str(r["licensee_id"]),
                                           "status": r["status"], "advance": r["advance"]}
    for r in await _rows(licensing, "SELECT licence_id, type FROM licence_event"):
        observed.licence_events.setdefault(str(r["licence_id"]), Counter())[r["type"]] += 1
    for r in await _rows(licensing, "SELECT id, licence_id, period_start, units, gross_revenue "
                                    "FROM usage_report"):
        observed.reports.append({"id": str(r["id"]), "licence": str(r["licence_id"]),
                                 "start": r["period_start"].isoformat(), "units": r["units"],
                                 "gross": r["gross_revenue"]})
    for r in await _rows(licensing, "SELECT id, report_id, licence_id FROM royalty_statement"):
        observed.statements.append({"id": str(r["id"]), "report": str(r["report_id"]),
                                    "licence": str(r["licence_id"])})
    observed.known_works = {str(r["id"]) for r in await _rows(notes, "SELECT id FROM known_work")}
    observed.known_licences = {
        str(r["id"]): r["status"]
        for r in await _rows(notes, "SELECT id, status FROM known_licence")
    }
    observed.notifications = [
        {"event": str(r["event_id"]), "recipient": str(r["recipient_id"]),
         "type": r["event_type"], "subject": r["subject_id"]}
        for r in await _rows(notes, "SELECT event_id, recipient_id, event_type, subject_id "
                                    "FROM notification")
    ]
    observed.deliveries = [
        {"id": str(r["id"]), "event": str(r["event_id"]), "recipient": str(r["recipient_id"]),
         "channel": r["channel"], "status": r["status"]}
        for r in await _rows(notes, "SELECT id, event_id, recipient_id, channel, status "
                                    "FROM delivery")
    ]
    observed.unsent = await unsent_outbox(urls)


async def unsent_outbox(urls: dict[str, str]) -> dict[str, int]:
    return {service: (await _rows(url, "SELECT count(*) AS n FROM outbox "
                                       "WHERE sent_at IS NULL"))[0]["n"]
            for service, url in urls.items()}


async def read_topics(prefix: str, bootstrap: str) -> list[Record]:
    """Every record of the contract's event topics, from offset 0 to the end as of now."""
    settings = PlatformSettings(kafka_bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", **admin_login(settings))
    await consumer.start()
    records: list[Record] = []
    try:
        partitions = [TopicPartition(prefix + t, p) for t in EVENT_TOPICS
                      for p in range(PARTITIONS[t])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, batch in batches.items():
                for m in batch:
                    headers = {k: v.decode() for k, v in m.headers}
                    records.append(Record(
                        topic=tp.topic[len(prefix):], partition=tp.partition, offset=m.offset,
                        key=(m.key or b"").decode(), ce_id=headers.get("ce_id", ""),
                        ce_type=headers.get("ce_type", ""), data=json.loads(m.value or b"{}"),
                    ))
                    if m.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return records


_MESSAGE_ID = re.compile(r"<([^@>]+)@")


def read_mail(mail_dir: Path) -> list[str]:
    """The delivery id (Message-ID) of every mail the SMTP sink kept."""
    ids = []
    for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found = _MESSAGE_ID.search(str(message.get("Message-ID", "")))
        ids.append(found.group(1) if found else f"unidentified:{path.name}")
    return ids


_ANNOUNCED = ("SELECT count(DISTINCT event_id) AS n FROM notification "  # noqa: S608 - a constant
              f"WHERE event_type = '{ROYALTY_STATEMENT_ISSUED}'")


async def unsettled(urls: dict[str, str]) -> list[str]:
    """What still has to travel before the services agree (empty: settled): unsent outbox
    rows, works or licences a consumer has not caught up with, statements nobody was told
    of yet, deliveries still owed."""
    filing, licensing, notes = urls["filing"], urls["licensing"], urls["notifications"]
    waiting = [f"{s}: {n} outbox rows unsent" for s, n in (await unsent_outbox(urls)).items()
               if n]
    works = {r["id"]: r["version"] for r in await _rows(filing, "SELECT id, version FROM work")}
    register = {r["id"]: r["version"]
                for r in await _rows(licensing, "SELECT id, version FROM register_work")}
    behind = sum(1 for w, v in works.items() if register.get(w) != v)
    if behind:
        waiting.append(f"licensing: {behind} works behind filing")
    known = {r["id"] for r in await _rows(notes, "SELECT id FROM known_work")}
    if missing := len(set(works) - known):
        waiting.append(f"notifications: {missing} works unknown")
    licences = {r["id"]: r["status"]
                for r in await _rows(licensing, "SELECT id, status FROM licence")}
    told = {r["id"]: r["status"]
            for r in await _rows(notes, "SELECT id, status FROM known_licence")}
    if stale := sum(1 for lic, status in licences.items() if told.get(lic) != status):
        waiting.append(f"notifications: {stale} licences behind licensing")
    statements = (await _rows(licensing, "SELECT count(*) AS n FROM royalty_statement"))[0]["n"]
    announced = (await _rows(notes, _ANNOUNCED))[0]["n"]
    if statements != announced:
        waiting.append(f"notifications: {statements - announced} statements not yet told")
    pending = (await _rows(notes, "SELECT count(*) AS n FROM delivery "
                                  "WHERE status = 'PENDING'"))[0]["n"]
    if pending:
        waiting.append(f"notifications: {pending} deliveries pending")
    return waiting
