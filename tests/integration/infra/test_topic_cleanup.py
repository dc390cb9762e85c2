"""A test run deletes its own topics at the end (`devstack.kafka_access.delete_topics`, called
by the session fixture): exactly the topics of its prefix, nobody else's."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka.admin import NewTopic
from devstack.kafka_access import admin_client, delete_topics
from runtime.settings import PlatformSettings


def test_only_the_topics_of_the_prefix_are_deleted(platform_settings: PlatformSettings) -> None:
    prefix = f"{platform_settings.rights_topic_prefix}cleanup-{uuid.uuid4().hex[:6]}."
    neighbour = f"{prefix.rstrip('.')}-neighbour.kept.v1"
    ours = [f"{prefix}a.v1", f"{prefix}b.v1"]
    admin = admin_client(platform_settings)
    for future in admin.create_topics(
        [NewTopic(name, num_partitions=1, replication_factor=1) for name in [*ours, neighbour]]
    ).values():
        future.result(timeout=60)
    assert delete_topics(platform_settings, prefix) == ours
    left = set(admin.list_topics(timeout=30).topics)
    assert neighbour in left and not left & set(ours)
    delete_topics(platform_settings, neighbour)


def test_no_prefix_deletes_nothing(platform_settings: PlatformSettings) -> None:
    with pytest.raises(ValueError, match="prefix"):
        delete_topics(platform_settings, "")
