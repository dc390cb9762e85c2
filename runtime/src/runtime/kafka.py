"""Kafka clients configured the one way the platform needs them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from contracts.topics import PARTITIONS, REGISTER_TOPICS
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity

log = logging.getLogger(__name__)

# The broker stamps every record with its own clock. With the default (CreateTime) each
# producer stamps it with its wall clock, and a Kafka 4 broker refuses a record stamped more
# than an hour ahead of its own (`log.message.timestamp.after.max.ms`): a producer whose clock
# runs ahead could publish nothing at all. No consumer of ours orders by record timestamps.
TOPIC_CONFIGS = {"message.timestamp.type": "LogAppendTime"}

# A register topic keeps every aggregate's latest record whatever its age, and compacts
# nothing younger than the brokers' 7-day retention, so a reader that needs every event
# (notifications) sees as much as before (KAFKA.md, "Retention").
REGISTER_COMPACTION_LAG_MS = 7 * 24 * 3600 * 1000
_DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs v1+ `config_source` of a topic's own override


def topic_configs(name: str, *, min_insync_replicas: int = 1) -> dict[str, str]:
    """The configs the contract topic `name` (no prefix) is created with and aligned to;
    `min_insync_replicas` is the platform's `KAFKA_MIN_INSYNC_REPLICAS`."""
    configs = TOPIC_CONFIGS | {"min.insync.replicas": str(min_insync_replicas)}
    if name in REGISTER_TOPICS:
        return configs | {
            "cleanup.policy": "compact",
            "min.compaction.lag.ms": str(REGISTER_COMPACTION_LAG_MS),
        }
    return configs


def reliable_producer(bootstrap_servers: str, **overrides: object) -> AIOKafkaProducer:
    """An idempotent producer that waits for every in-sync replica: no loss, no duplicates
    from the producer's own retries."""
    options: dict[str, object] = {
        "bootstrap_servers": bootstrap_servers,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 2,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 30_000,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def group_consumer(
    bootstrap_servers: str, *topics: str, group_id: str, **overrides: object
) -> AIOKafkaConsumer:
    """A member of `group_id` reading `topics` from its committed offsets (the earliest
    record when it has none), committing only when told to: after the database commit."""
    options: dict[str, object] = {
        "bootstrap_servers": bootstrap_servers,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


def event_broker(bootstrap_servers: str, security: BaseSecurity | None = None) -> KafkaBroker:
    """The faststream broker a service's consumers hang off (its publisher is idempotent too).

    `bootstrap_servers` may list several brokers, comma-separated (KAFKA_BOOTSTRAP_SERVERS of
    a cluster): aiokafka's own clients split such a string, faststream takes a string as one
    address, so it gets the list."""
    return KafkaBroker(
        [server.strip() for server in bootstrap_servers.split(",") if server.strip()],
        security=security,
        enable_idempotence=True,
        acks="all",
        # Per-message "Received/Processed" lines would drown the JSON event log.
        log_level=logging.DEBUG,
    )


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[tuple[str, str]],
    *,
    replication_factor: int = 1,
    min_insync_replicas: int = 1,
    security: dict[str, Any] | None = None,
) -> None:
    """Creates missing topics and aligns existing register topics to `topic_configs`;
    `topics` pairs each full name with its contract name. A service passes its platform's
    `KAFKA_REPLICATION_FACTOR` and `KAFKA_MIN_INSYNC_REPLICAS`.

    `security` is the caller's login (`client_security`); a principal sees only the topics it
    may describe, and may create only those its ACLs allow (KAFKA.md). Only the admin may
    alter a topic's configs: for any other login an existing topic is left to provisioning."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **(security or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        pairs = list(topics)
        missing = [
            NewTopic(
                name=full,
                num_partitions=PARTITIONS.get(base, 3),
                replication_factor=replication_factor,
                topic_configs=topic_configs(base, min_insync_replicas=min_insync_replicas),
            )
            for full, base in pairs
            if full not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created it between our list and create
        await _align(admin, {
            full: topic_configs(base, min_insync_replicas=min_insync_replicas)
            for full, base in pairs
            if full in existing and base in REGISTER_TOPICS
        })
    finally:
        await admin.close()


async def _align(admin: AIOKafkaAdminClient, wanted: dict[str, dict[str, str]]) -> None:
    """Sets `wanted` on the topics that differ. AlterConfigs replaces a topic's whole set of
    overrides, so each topic's other overrides are sent along and kept."""
    if not wanted:
        return
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in wanted]
        )
        changes = [
            ConfigResource(ConfigResourceType.TOPIC, name, configs=overrides | wanted[name])
            for name, overrides in _overrides(responses).items()
            if name in wanted and any(overrides.get(k) != v for k, v in wanted[name].items())
        ]
        if changes:
            for response in await admin.alter_configs(changes):
                for error_code, message, _, name in response.resources:
                    if error_code:
                        raise KafkaError(f"{name}: error {error_code} {message}")
    except KafkaError as exc:
        log.warning("topic configs not aligned (%s); run infra/kafka_topics.py as admin", exc)


def _overrides(responses: Iterable[Any]) -> dict[str, dict[str, str]]:
    """Each described topic's own overrides, from DescribeConfigs v0 (`is_default`) or v1+
    (`config_source`); a topic the login may not describe raises."""
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for error_code, message, _, name, entries in response.resources:
            if error_code:
                raise KafkaError(f"{name}: error {error_code} {message}")
            v0 = response.API_VERSION == 0
            found[name] = {
                entry[0]: entry[1]
                for entry in entries
                if (not entry[3] if v0 else entry[3] == _DYNAMIC_TOPIC_CONFIG)
            }
    return found
