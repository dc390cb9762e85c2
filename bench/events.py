"""Filing events as the filing service writes them, generated fast enough to fill a topic with
a million: real contract events encoded once as templates, then copied with fresh ids."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from aiokafka import AIOKafkaProducer
from contracts.enums import PartyKind, Role, WorkKind, WorkStatus
from contracts.envelope import KafkaRecord, decode, encode
from contracts.topics import FILING_PARTIES, FILING_WORKS
from devstack.kafka_access import admin_login

from contracts import events as ev

# Placeholders replaced in each copy; the same length as what replaces them keeps the JSON valid.
_WORK = "00000000-0000-4000-8000-00000000aaaa"
_HOLDER_A = "00000000-0000-4000-8000-00000000bbbb"
_HOLDER_B = "00000000-0000-4000-8000-00000000cccc"
# Today, as filing would stamp it (a four-digit year keeps the numbers' length).
_AT = datetime.now(UTC)
_FILING_NO = f"F-{_AT.year}-999999"
_REG_NO = f"R-{_AT.year}-999999"
_TITLE = "Bench work 9999999"


def _work_state(status: WorkStatus) -> ev.WorkState:
    return ev.WorkState(
        id=uuid.UUID(_WORK),
        filing_number=_FILING_NO,
        registration_number=_REG_NO if status == WorkStatus.REGISTERED else None,
        title=_TITLE,
        alternate_titles=["ชื่อเรื่องทดสอบ", "Tên tác phẩm thử nghiệm"],
        kind=WorkKind.MUSICAL_WORK,
        status=status,
        country_of_origin="TH",
        rights_holders=[
            ev.RightsHolder(party_id=uuid.UUID(_HOLDER_A), role=Role.COMPOSER,
                            share=Decimal("60.00")),
            ev.RightsHolder(party_id=uuid.UUID(_HOLDER_B), role=Role.LYRICIST,
                            share=Decimal("40.00")),
        ],
        filed_by=uuid.UUID(_HOLDER_A),
        filed_at=_AT,
    )


def _templates() -> tuple[KafkaRecord, KafkaRecord]:
    filed = encode(ev.WorkFiled(occurred_at=_AT, work=_work_state(WorkStatus.FILED),
                                actor_id=uuid.UUID(_HOLDER_A), version=1))
    registered = encode(ev.WorkRegistered(occurred_at=_AT + timedelta(milliseconds=1),
                                          work=_work_state(WorkStatus.REGISTERED), version=2))
    return filed, registered


def party_record(party_id: uuid.UUID, n: int) -> KafkaRecord:
    return encode(ev.PartyRegistered(
        occurred_at=_AT - timedelta(days=1), version=1,
        party=ev.PartyState(id=party_id, name=f"Bench creator {n}", kind=PartyKind.PERSON,
                            country="TH"),
    ))


class FilingStream:
    """`parties` party.registered events, then per work `work.filed` + `work.registered`
    (two holdings, composer and lyricist, both the filer's), the pair a filing that passes
    examination writes. A holding of another party would make filing ask its consent first
    (DOMAIN.md, "Co-owners' consent to a filing": four events, not this pair)."""

    def __init__(self, parties: int = 200) -> None:
        self.party_ids = [uuid.uuid4() for _ in range(parties)]
        self.filed, self.registered = _templates()
        self.work_ids: list[uuid.UUID] = []

    def parties(self) -> Iterator[KafkaRecord]:
        for n, party_id in enumerate(self.party_ids):
            yield party_record(party_id, n)

    def works(self, count: int, start: int = 0) -> Iterator[KafkaRecord]:
        """`2 * count` work events; `start` offsets the numbering of later calls."""
        parties = [str(p) for p in self.party_ids]
        for n in range(start, start + count):
            work_id = uuid.uuid4()
            self.work_ids.append(work_id)
            subs = {
                _WORK: str(work_id),
                _HOLDER_A: parties[n % len(parties)],
                _HOLDER_B: parties[n % len(parties)],  # the filer again: no consent asked
                _FILING_NO: f"F-{_AT.year}-{n + 1:06d}",
                _REG_NO: f"R-{_AT.year}-{n + 1:06d}",
                _TITLE: f"Bench work {n:07d}",
            }
            for template in (self.filed, self.registered):
                yield _copy(template, subs)

    def size_bytes(self) -> int:
        return len(self.filed.value)


def _copy(template: KafkaRecord, subs: dict[str, str]) -> KafkaRecord:
    value = template.value.decode()
    for old, new in subs.items():
        value = value.replace(old, new)
    headers = []
    for name, raw in template.headers:
        if name == "ce_id":
            raw = str(uuid.uuid4()).encode()
        elif name == "ce_subject":
            raw = subs[_WORK].encode()
        headers.append((name, raw))
    return KafkaRecord(template.topic, subs[_WORK].encode(), value.encode(), headers)


def check_templates() -> None:
    """The copies must still be valid contract events (decode validates them fully)."""
    stream = FilingStream(parties=3)
    for record in [*stream.parties(), *stream.works(2)]:
        decode(record.value, record.headers, key=record.key)


async def produce(
    bootstrap: str, prefix: str, records: Iterator[KafkaRecord], *, window: int = 20_000
) -> dict[str, Any]:
    """Pipelined raw producer (idempotent, acks=all): sends `window` records, then awaits them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **admin_login(),
                                enable_idempotence=True, acks="all",
                                linger_ms=20, max_batch_size=512 * 1024,
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    count = 0
    started = time.perf_counter()
    try:
        pending: list[Any] = []
        for record in records:
            pending.append(await producer.send(prefix + record.topic, value=record.value,
                                               key=record.key, headers=record.headers))
            count += 1
            if len(pending) >= window:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    elapsed = time.perf_counter() - started
    return {"records": count, "seconds": round(elapsed, 1), "per_s": round(count / elapsed)}


TOPICS = (FILING_PARTIES, FILING_WORKS)
