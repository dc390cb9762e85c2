"""Creates the topics of the event contract (EVENTS.md) idempotently."""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from contracts.topics import ALL_TOPICS, PARTITIONS
from runtime.kafka import TOPIC_CONFIGS


async def ensure_topics(bootstrap: str, prefix: str, replication: int) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [prefix + t for t in ALL_TOPICS]
        missing = [t for t in wanted if t not in existing]
        if missing:
            await admin.create_topics(
                [
                    NewTopic(
                        name=t,
                        num_partitions=PARTITIONS[t[len(prefix) :]],
                        replication_factor=replication,
                        topic_configs=TOPIC_CONFIGS,
                    )
                    for t in missing
                ]
            )
        return missing
    finally:
        await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--prefix", default="")
    parser.add_argument("--replication", type=int, default=1)
    args = parser.parse_args()
    created = asyncio.run(ensure_topics(args.bootstrap, args.prefix, args.replication))
    print(f"kafka: topics ready ({len(created)} created, {len(ALL_TOPICS) - len(created)} existed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
