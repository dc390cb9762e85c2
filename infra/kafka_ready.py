"""Waits until the Kafka broker answers a metadata request with every expected broker."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from aiokafka.admin import AIOKafkaAdminClient
from runtime.kafka_security import ADMIN, client_security
from runtime.settings import PlatformSettings


async def brokers_seen(bootstrap: str) -> int:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=3000,
        **client_security(PlatformSettings(), ADMIN),
    )
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return len(cluster["brokers"])
    finally:
        await admin.close()


async def main() -> int:
    logging.getLogger("aiokafka").setLevel(
        logging.CRITICAL
    )  # refused connections are expected while it boots
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--brokers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            seen = await brokers_seen(args.bootstrap)
            if seen >= args.brokers:
                return 0
            last_error = f"{seen} of {args.brokers} brokers registered"
        except Exception as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(0.25)
    print(f"kafka: not ready: {last_error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
