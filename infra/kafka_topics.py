"""Creates the topics of the event contract (EVENTS.md), the SCRAM users and their ACLs
(KAFKA.md) idempotently, logged in as the Kafka admin."""

from __future__ import annotations

import argparse
import sys

from contracts.topics import ALL_TOPICS
from devstack.kafka_access import provision
from runtime.settings import PlatformSettings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", default=None, help="default: KAFKA_BOOTSTRAP_SERVERS")
    parser.add_argument("--prefix", default=None, help="default: RIGHTS_TOPIC_PREFIX")
    parser.add_argument(
        "--replication", type=int, default=None,
        help="default: KAFKA_REPLICATION_FACTOR (min ISR: KAFKA_MIN_INSYNC_REPLICAS)",
    )
    args = parser.parse_args()
    settings = PlatformSettings()
    if args.bootstrap:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": args.bootstrap})
    if args.replication is not None:
        settings = PlatformSettings(
            **settings.model_dump(exclude={"kafka_replication_factor"}),
            kafka_replication_factor=args.replication,
        )
    prefix = settings.rights_topic_prefix if args.prefix is None else args.prefix
    created = provision(settings, prefix)
    print(
        f"kafka: topics ready ({len(created)} created, {len(ALL_TOPICS) - len(created)} existed)"
        + ("" if settings.kafka_security_protocol == "PLAINTEXT" else "; users and ACLs set")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
