"""`rights tail`: the event topics read as a collecting society reads them, with its own
Kafka credential, each record decoded as a CloudEvent (contracts.envelope) and printed as a
table row or a JSON line; `rights replay TOPIC`: every record of a topic from offset 0 to its
end decoded against the contract, with a progress bar (what a rebuild would read)."""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord
from contracts.envelope import MalformedRecord, decode
from contracts.topics import EVENT_TOPICS
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from runtime.kafka_security import ADMIN, SASL_MECHANISM, client_security, ssl_context
from runtime.settings import PlatformSettings

from rights_ops.output import console, errors, json_line, print_json, table


@dataclass(frozen=True)
class Login:
    """A society's Kafka login, given on the command line or in the environment."""

    username: str
    password: str

    def client_arguments(self, settings: PlatformSettings) -> dict[str, Any]:
        if settings.kafka_security_protocol == "PLAINTEXT":
            return {"security_protocol": "PLAINTEXT"}
        context: ssl.SSLContext | None = ssl_context(settings)
        return {
            "security_protocol": settings.kafka_security_protocol,
            "sasl_mechanism": SASL_MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": context,
        }


def event_row(topic: str, partition: int, offset: int, record: ConsumerRecord[Any, Any]
              ) -> dict[str, Any]:
    """A record as the tail prints it: its place, CloudEvents attributes and payload; a
    record that is not a valid event of the contract says why instead."""
    place = {"topic": topic, "partition": partition, "offset": offset}
    try:
        event = decode(record.value, record.headers, key=record.key)
    except MalformedRecord as exc:
        return place | {"malformed": str(exc)}
    return place | {
        "id": str(event.id),
        "type": event.type,
        "source": event.source,
        "subject": event.subject,
        "time": event.time.isoformat(),
        "data": event.data.model_dump(mode="json"),
    }


async def _partitions(
    settings: PlatformSettings, login: dict[str, Any], topics: Sequence[str]
) -> list[TopicPartition]:
    """Every partition of `topics` (full names) that `login` may read; a topic that does not
    exist or that it may not describe is refused by name."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **login)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    refused = [t["topic"] for t in described if t.get("error_code")]
    if refused:
        raise typer.BadParameter(f"no such topic, or not readable: {', '.join(refused)}",
                                 param_hint="--topic")
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        for p in sorted(t["partitions"], key=lambda p: p["partition"])
    ]


async def tail_events(
    settings: PlatformSettings,
    login: dict[str, Any],
    topics: Sequence[str],
    *,
    from_beginning: bool,
    group: str | None,
    max_events: int | None,
    idle_seconds: float | None,
    show: Callable[[dict[str, Any]], None],
) -> int:
    """Prints records of `topics` (full names) until `max_events` or `idle_seconds` without
    one (or forever); returns how many. Without a group the committed offsets of nobody move;
    with one (a society's `<username>.…`), the offsets are committed as it reads."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        **login,
        group_id=group,
        enable_auto_commit=group is not None,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    shown = 0
    try:
        if group is None:
            partitions = await _partitions(settings, login, topics)
            consumer.assign(partitions)
            if from_beginning:
                await consumer.seek_to_beginning(*partitions)
            else:
                await consumer.seek_to_end(*partitions)
            for tp in partitions:  # resolve the start now: later records are never missed
                await consumer.position(tp)
        else:
            consumer.subscribe(list(topics))
        while max_events is None or shown < max_events:
            timeout = int((idle_seconds or 1.0) * 1000)
            batch = await consumer.getmany(timeout_ms=timeout, max_records=500)
            if not batch and idle_seconds is not None:
                break
            for tp, records in sorted(batch.items(), key=lambda item: (item[0].topic,
                                                                      item[0].partition)):
                for record in records:
                    name = tp.topic.removeprefix(settings.rights_topic_prefix)
                    show(event_row(name, tp.partition, record.offset, record))
                    shown += 1
                    if max_events is not None and shown >= max_events:
                        return shown
    finally:
        await consumer.stop()
    return shown


def tail(
    username: Annotated[str, typer.Option(envvar="SOCIETY_KAFKA_USERNAME",
                                          help="the society's Kafka login")],
    password: Annotated[str, typer.Option(envvar="SOCIETY_KAFKA_PASSWORD", prompt=True,
                                          hide_input=True, help="its password")],
    topic: Annotated[list[str], typer.Option(help="an event topic (default: all six)")]
    = [],  # noqa: B006 - typer reads the default; it is never mutated
    from_beginning: Annotated[bool, typer.Option(help="from the oldest record kept")] = False,
    group: Annotated[str | None, typer.Option(help="a consumer group of the society's "
                                              "(<username>.…): offsets committed")] = None,
    max_events: Annotated[int | None, typer.Option(min=1, help="stop after this many")] = None,
    idle_seconds: Annotated[float | None, typer.Option(
        min=0.1, help="stop when nothing arrives for this long")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
) -> None:
    """Follows the event topics as a collecting society does, with its own credential."""
    wanted = topic or list(EVENT_TOPICS)
    unknown = [t for t in wanted if t not in EVENT_TOPICS]
    if unknown:
        raise typer.BadParameter(f"{unknown[0]!r} is not an event topic "
                                 f"({', '.join(EVENT_TOPICS)})", param_hint="--topic")
    if group is not None and not group.startswith(f"{username}."):
        raise typer.BadParameter(f"a society's groups are named {username}.…",
                                 param_hint="--group")
    settings = PlatformSettings()
    login = Login(username, password).client_arguments(settings)

    def show(row: dict[str, Any]) -> None:
        if as_json:
            json_line(row)
            return
        rows = Table.grid(padding=(0, 1))
        summary = row.get("type") or f"malformed: {row.get('malformed')}"
        rows.add_row(f"{row['topic']}:{row['partition']}:{row['offset']}", summary,
                     str(row.get("subject", "")), str(row.get("time", "")))
        console.print(rows)

    try:
        shown = asyncio.run(tail_events(
            settings, login, [settings.topic(t) for t in wanted],
            from_beginning=from_beginning, group=settings.topic(group) if group else None,
            max_events=max_events, idle_seconds=idle_seconds, show=show,
        ))
    except KafkaConnectionError as exc:
        # aiokafka says a refused login and an unreachable broker alike (its log says which).
        errors.print(f"error: no Kafka session at {settings.kafka_bootstrap_servers} as "
                     f"{username} (wrong credential, or the broker is unreachable): {exc}")
        raise typer.Exit(1) from None
    if not as_json:
        errors.print(f"{shown} event(s)")


async def replay_topic(
    settings: PlatformSettings, topic: str, on_record: Callable[[dict[str, Any]], None],
    on_progress: Callable[[int, int], None],
) -> None:
    """Reads every record of `topic` (contract name) from offset 0 to its end at the start,
    as the admin, in no group: nobody's offsets move."""
    full = settings.topic(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        **client_security(settings, ADMIN),
        group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = await _partitions(settings, client_security(settings, ADMIN), [full])
        consumer.assign(partitions)
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        total = sum(ends[tp] - starts[tp] for tp in partitions)
        await consumer.seek_to_beginning(*partitions)
        done = 0
        on_progress(done, total)
        pending = {tp for tp in partitions if ends[tp] > starts[tp]}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000, max_records=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        on_record(event_row(topic, tp.partition, record.offset, record))
                        done += 1
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
            on_progress(done, total)
    finally:
        await consumer.stop()


def replay(
    topic: Annotated[str, typer.Argument(help="an event topic, e.g. filing.works.v1")],
    progress: Annotated[bool, typer.Option(help="show the progress bar")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="the summary as JSON")] = False,
) -> None:
    """Reads a topic from its oldest record to its end, as a rebuild would, and checks every
    record against the event contract: counts by type, and each malformed record's place."""
    if topic not in EVENT_TOPICS:
        raise typer.BadParameter(f"not an event topic ({', '.join(EVENT_TOPICS)})",
                                 param_hint="TOPIC")
    types: Counter[str] = Counter()
    malformed: list[dict[str, Any]] = []

    def counted(row: dict[str, Any]) -> None:
        if "malformed" in row:
            malformed.append(row)
        else:
            types[row["type"]] += 1

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   console=errors, disable=not progress)
    with bar:
        task = bar.add_task(f"replaying {topic}", total=None)
        asyncio.run(replay_topic(PlatformSettings(), topic, counted,
                                 lambda done, total: bar.update(task, completed=done,
                                                                total=total)))
    summary = {"topic": topic, "records": sum(types.values()) + len(malformed),
               "by_type": dict(sorted(types.items())), "malformed": malformed}
    if as_json:
        print_json(summary)
    else:
        table(f"{topic}: {summary['records']} record(s)", ["type", "records"],
              sorted(types.items()))
        for row in malformed:
            console.print(f"malformed at {row['partition']}:{row['offset']}: {row['malformed']}")
    if malformed:
        raise typer.Exit(1)
