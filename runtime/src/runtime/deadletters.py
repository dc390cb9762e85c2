"""The dead-letter command: list, show and redrive the records in the `<group>.dlq` topics.

    python -m runtime.deadletters list [--group licensing] [--json]
    python -m runtime.deadletters show licensing.dlq:0:12 [--json]
    python -m runtime.deadletters redrive licensing.dlq:0:12 [...] | --group licensing --all

A dead letter is named by its place in the DLQ (`<group>.dlq:<partition>:<offset>`, without
the run's topic prefix). Redrive republishes the original record (key, value, CloudEvents
headers; the `dlq_*` headers dropped) to its original topic and partition, so the consumer
applies it in key order. Redriving is idempotent: a dead-lettered event is never recorded as
processed, and the tracking row written when it is finally applied makes every further copy
a duplicate. Settings come from the environment (`KAFKA_BOOTSTRAP_SERVERS`,
`RIGHTS_TOPIC_PREFIX`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from contracts.topics import dlq

from runtime.kafka import reliable_producer
from runtime.kafka_security import ADMIN, client_security
from runtime.settings import PlatformSettings

DLQ_SUFFIX = ".dlq"


class DeadLetterError(Exception):
    """A request the command cannot carry out (unknown dead letter, missing header)."""


@dataclass(frozen=True)
class DeadLetter:
    """One record of a DLQ topic, with what the consumer wrote about its failure."""

    ref: str  # <group>.dlq:<partition>:<offset>
    topic: str  # the DLQ topic's full name
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(repr=False)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace") if value is not None else None
        return None

    @property
    def original(self) -> tuple[str, int, int] | None:
        topic = self.header("dlq_original_topic")
        partition, offset = self.header("dlq_original_partition"), self.header(
            "dlq_original_offset"
        )
        if topic is None or partition is None or offset is None:
            return None
        return topic, int(partition), int(offset)

    def summary(self) -> dict[str, Any]:
        original = self.original
        return {
            "ref": self.ref,
            "event_id": self.header("ce_id"),
            "event_type": self.header("ce_type"),
            "subject": self.header("ce_subject"),
            "error_type": self.header("dlq_error_type"),
            "error": self.header("dlq_error"),
            "attempts": self.header("dlq_attempts"),
            "failed_at": self.header("dlq_failed_at"),
            "consumer_group": self.header("dlq_consumer_group"),
            "original_topic": original[0] if original else None,
            "original_partition": original[1] if original else None,
            "original_offset": original[2] if original else None,
        }

    def details(self) -> dict[str, Any]:
        value: Any = None
        if self.value is not None:
            try:
                value = json.loads(self.value)
            except ValueError:
                value = self.value.decode(errors="replace")
        return self.summary() | {
            "key": self.key.decode(errors="replace") if self.key is not None else None,
            "headers": {k: (v.decode(errors="replace") if v else v) for k, v in self.headers},
            "value": value,
        }


def parse_ref(ref: str) -> tuple[str, int, int]:
    """`licensing.dlq:0:12` -> ("licensing.dlq", 0, 12)."""
    try:
        topic, partition, offset = ref.rsplit(":", 2)
        if not topic.endswith(DLQ_SUFFIX):
            raise ValueError
        return topic, int(partition), int(offset)
    except ValueError:
        raise DeadLetterError(
            f"ref {ref!r}: expected <group>.dlq:<partition>:<offset>, e.g. licensing.dlq:0:12"
        ) from None


class DeadLetters:
    """Reads the DLQ topics of one platform (its topic prefix) and republishes from them."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        # An operator's tool: it reads every dead-letter topic and writes to every topic, which
        # only the admin principal may (KAFKA.md).
        self._login = client_security(settings, ADMIN)
        self.prefix = settings.rights_topic_prefix

    def _reader(self) -> AIOKafkaConsumer:
        # No group: reading dead letters must not move anyone's offsets.
        return AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            **self._login,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )

    async def partitions(self, full_topic: str) -> list[int]:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, **self._login
        )
        await admin.start()
        try:
            [described] = await admin.describe_topics([full_topic])
        finally:
            await admin.close()
        if described.get("error_code"):
            return []  # no such topic: no dead letters
        return sorted(p["partition"] for p in described.get("partitions", ()))

    async def dlq_topics(self, groups: Sequence[str] = ()) -> list[str]:
        """The contract names (`<group>.dlq`) of the DLQ topics that exist."""
        reader = self._reader()
        await reader.start()
        try:
            existing = await reader.topics()
        finally:
            await reader.stop()
        names = sorted(
            t.removeprefix(self.prefix)
            for t in existing
            if t.startswith(self.prefix) and t.endswith(DLQ_SUFFIX)
        )
        if groups:
            wanted = {dlq(g) for g in groups}
            names = [n for n in names if n in wanted]
        return names

    async def read(
        self, topic: str, *, partition: int | None = None, offset: int | None = None
    ) -> list[DeadLetter]:
        """Every record of DLQ `topic` (contract name) up to its current end, or the one at
        (`partition`, `offset`)."""
        full = self.settings.topic(topic)
        partitions = await self.partitions(full)
        if partition is not None:
            partitions = [p for p in partitions if p == partition]
        tps = [TopicPartition(full, p) for p in partitions]
        if not tps:
            return []
        reader = self._reader()
        await reader.start()
        letters: list[DeadLetter] = []
        try:
            reader.assign(tps)
            ends = await reader.end_offsets(tps)
            for tp in tps:
                if offset is not None:
                    if offset >= ends[tp]:
                        continue
                    reader.seek(tp, offset)
                    ends[tp] = offset + 1
                else:
                    await reader.seek_to_beginning(tp)
            pending = {tp for tp in tps if await reader.position(tp) < ends[tp]}
            while pending:
                batch = await reader.getmany(*pending, timeout_ms=1000)
                for tp, records in batch.items():
                    for r in records:
                        if r.offset < ends[tp]:
                            letters.append(
                                DeadLetter(
                                    ref=f"{topic}:{r.partition}:{r.offset}",
                                    topic=full,
                                    partition=r.partition,
                                    offset=r.offset,
                                    key=r.key,
                                    value=r.value,
                                    headers=list(r.headers),
                                )
                            )
                    if await reader.position(tp) >= ends[tp]:
                        pending.discard(tp)
        finally:
            await reader.stop()
        return sorted(letters, key=lambda d: (d.partition, d.offset))

    async def of_groups(self, groups: Sequence[str] = ()) -> list[DeadLetter]:
        letters: list[DeadLetter] = []
        for topic in await self.dlq_topics(groups):
            letters += await self.read(topic)
        return letters

    async def get(self, ref: str) -> DeadLetter:
        topic, partition, offset = parse_ref(ref)
        found = await self.read(topic, partition=partition, offset=offset)
        if not found:
            raise DeadLetterError(f"no dead letter at {ref}")
        return found[0]

    async def redrive(self, letters: Sequence[DeadLetter]) -> list[tuple[DeadLetter, str]]:
        """Republishes each dead letter to its original topic and partition; returns where
        each went (`topic:partition:offset`)."""
        for letter in letters:
            if letter.original is None:
                raise DeadLetterError(f"{letter.ref} has no dlq_original_* headers")
        producer = reliable_producer(self.settings.kafka_bootstrap_servers, **self._login)
        await producer.start()
        sent: list[tuple[DeadLetter, str]] = []
        try:
            for letter in letters:
                assert letter.original is not None
                topic, partition, _ = letter.original
                headers = [(k, v) for k, v in letter.headers if not k.startswith("dlq_")]
                headers.append(("dlq_redriven_from", letter.ref.encode()))
                meta = await producer.send_and_wait(
                    topic,
                    value=letter.value,
                    key=letter.key,
                    partition=partition,
                    headers=headers,
                )
                sent.append((letter, f"{topic}:{meta.partition}:{meta.offset}"))
        finally:
            await producer.stop()
        return sent


def _print_table(rows: list[dict[str, Any]]) -> None:
    columns = ["ref", "event_id", "event_type", "error_type", "error", "original_topic",
               "original_partition", "original_offset", "failed_at"]
    if not rows:
        print("no dead letters")
        return
    for row in rows:
        print("  ".join(f"{c}={row.get(c)}" for c in columns[:4]))
        print(f"    error: {row.get('error')}")
        print(
            f"    from {row.get('original_topic')} partition {row.get('original_partition')} "
            f"offset {row.get('original_offset')}, failed at {row.get('failed_at')} "
            f"after {row.get('attempts')} attempt(s)"
        )


async def run(args: argparse.Namespace, settings: PlatformSettings) -> int:
    letters = DeadLetters(settings)
    if args.command == "list":
        rows = [d.summary() for d in await letters.of_groups(args.group)]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            _print_table(rows)
        return 0
    if args.command == "show":
        detail = (await letters.get(args.ref)).details()
        print(json.dumps(detail, indent=2, ensure_ascii=False))
        return 0
    # redrive
    if args.all:
        if not args.group:
            raise DeadLetterError("redrive --all needs --group (which consumer's dead letters)")
        chosen = await letters.of_groups(args.group)
    else:
        if not args.refs:
            raise DeadLetterError("redrive: name dead letters (ref ...) or use --group G --all")
        chosen = [await letters.get(ref) for ref in args.refs]
    for letter, target in await letters.redrive(chosen):
        line = {"ref": letter.ref, "event_id": letter.header("ce_id"), "redriven_to": target}
        print(json.dumps(line) if args.json else f"{letter.ref} -> {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m runtime.deadletters",
        description="List, inspect and redrive dead-lettered events (<group>.dlq topics).",
    )
    commands = root.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every dead letter, with its error and origin")
    listing.add_argument("--group", action="append", default=[], help="only this consumer group")
    listing.add_argument("--json", action="store_true")
    show = commands.add_parser("show", help="one dead letter in full (headers and payload)")
    show.add_argument("ref", help="<group>.dlq:<partition>:<offset>")
    redrive = commands.add_parser("redrive", help="republish to the original topic")
    redrive.add_argument("refs", nargs="*", help="<group>.dlq:<partition>:<offset> ...")
    redrive.add_argument("--group", action="append", default=[])
    redrive.add_argument("--all", action="store_true", help="every dead letter of --group")
    redrive.add_argument("--json", action="store_true")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return asyncio.run(run(args, PlatformSettings()))
    except DeadLetterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
