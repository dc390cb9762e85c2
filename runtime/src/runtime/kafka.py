"""Kafka clients configured the one way the platform needs them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from contracts.topics import PARTITIONS
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity

log = logging.getLogger(__name__)

# The broker stamps every record with its own clock. With the default (CreateTime) each
# producer stamps it with its wall clock, and a Kafka 4 broker refuses a record stamped more
# than an hour ahead of its own (`log.message.timestamp.after.max.ms`): a producer whose clock
# runs ahead could publish nothing at all. No consumer of ours orders by record timestamps.
TOPIC_CONFIGS = {"message.timestamp.type": "LogAppendTime"}


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


def event_broker(bootstrap_servers: str, security: BaseSecurity | None = None) -> KafkaBroker:
    """The faststream broker a service's consumers hang off (its publisher is idempotent too)."""
    return KafkaBroker(
        bootstrap_servers,
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
    security: dict[str, Any] | None = None,
) -> None:
    """Creates missing topics; `topics` pairs each full name with its contract name.

    `security` is the caller's login (`client_security`); a principal sees only the topics it
    may describe, and may create only those its ACLs allow (KAFKA.md)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **(security or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=full,
                num_partitions=PARTITIONS.get(base, 3),
                replication_factor=replication_factor,
                topic_configs=TOPIC_CONFIGS,
            )
            for full, base in topics
            if full not in existing
        ]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created it between our list and create
    finally:
        await admin.close()
