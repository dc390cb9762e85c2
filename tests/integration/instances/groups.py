"""What the brokers say of a consumer group (the outside view of the instances): its members
and the partitions each holds, its committed offsets and the topics' end offsets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec
from devstack.kafka_access import admin_client
from runtime.settings import PlatformSettings

Partition = tuple[str, int]  # (topic without the run's prefix, partition)


@dataclass(frozen=True)
class Member:
    member_id: str
    partitions: frozenset[Partition]


class GroupView:
    """The admin's view of the groups of one topic prefix on one cluster."""

    def __init__(self, settings: PlatformSettings, prefix: str) -> None:
        self.prefix = prefix
        self.admin: AdminClient = admin_client(settings)

    def _base(self, topic: str) -> str:
        return topic.removeprefix(self.prefix)

    async def members(self, group: str) -> list[Member]:
        """The group's members and what each holds (nothing while it rebalances)."""

        def describe() -> list[Member]:
            future = self.admin.describe_consumer_groups([self.prefix + group])[self.prefix + group]
            described = future.result(timeout=30)
            return [
                Member(
                    m.member_id,
                    frozenset(
                        (self._base(tp.topic), tp.partition)
                        for tp in (m.assignment.topic_partitions if m.assignment else [])
                    ),
                )
                for m in described.members
            ]

        return await asyncio.to_thread(describe)

    async def committed(self, group: str) -> dict[Partition, int]:
        """The group's committed offset of every partition it has committed on."""

        def list_offsets() -> dict[Partition, int]:
            request = [ConsumerGroupTopicPartitions(self.prefix + group)]
            future = self.admin.list_consumer_group_offsets(request)[self.prefix + group]
            return {
                (self._base(tp.topic), tp.partition): tp.offset
                for tp in future.result(timeout=30).topic_partitions
                if tp.offset >= 0
            }

        return await asyncio.to_thread(list_offsets)

    async def end_offsets(self, partitions: set[Partition]) -> dict[Partition, int]:
        """Each partition's log end: the offset its next record will get."""

        def list_ends() -> dict[Partition, int]:
            request = {
                TopicPartition(self.prefix + topic, p): OffsetSpec.latest()
                for topic, p in partitions
            }
            return {
                (self._base(tp.topic), tp.partition): info.result(timeout=30).offset
                for tp, info in self.admin.list_offsets(request).items()
            }

        return await asyncio.to_thread(list_ends)
