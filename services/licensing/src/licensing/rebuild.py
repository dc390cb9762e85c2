"""Rebuilding the register read model from scratch by replaying the filing topics.

Run while the service is stopped (`python -m licensing rebuild-read-model`): it empties the
read-model tables and the consumer's tracking rows, and rewinds the register consumer group
to the start of `filing.parties.v1` and `filing.works.v1`; the next start replays them all.
Licences, reports and statements are licensing's own state and are left alone.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from contracts.topics import FILING_PARTIES, FILING_WORKS
from runtime.db import create_engine
from sqlalchemy import text

from licensing.settings import LicensingSettings

READ_MODEL_TABLES = ("register_party", "register_work", "register_holder", "register_shares")


async def rebuild_read_model(settings: LicensingSettings) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(READ_MODEL_TABLES)}"))
            await conn.execute(
                text("DELETE FROM processed_event WHERE consumer = :group"),
                {"group": settings.register_group},
            )
    finally:
        await engine.dispose()
    bootstrap = settings.platform.kafka_bootstrap_servers
    topics = [settings.topic(FILING_PARTIES), settings.topic(FILING_WORKS)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **settings.kafka_security())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        for partition in topic["partitions"]
    ]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        **settings.kafka_security(),
        group_id=settings.topic(settings.register_group),
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()
