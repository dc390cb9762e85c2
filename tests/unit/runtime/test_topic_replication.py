"""Topics are created with the platform's replication settings (KAFKA_REPLICATION_FACTOR,
KAFKA_MIN_INSYNC_REPLICAS): 1/1 on the local broker, what a cluster asks for elsewhere."""

from __future__ import annotations

import pytest
from contracts.topics import FILING_WORKS, LICENSING_LICENCES
from pydantic import ValidationError
from runtime.kafka import topic_configs
from runtime.settings import PlatformSettings


def test_local_defaults_suit_one_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_REPLICATION_FACTOR", raising=False)
    monkeypatch.delenv("KAFKA_MIN_INSYNC_REPLICAS", raising=False)
    settings = PlatformSettings()
    assert (settings.kafka_replication_factor, settings.kafka_min_insync_replicas) == (1, 1)


def test_a_cluster_sets_both_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("KAFKA_MIN_INSYNC_REPLICAS", "2")
    settings = PlatformSettings()
    assert (settings.kafka_replication_factor, settings.kafka_min_insync_replicas) == (3, 2)


def test_more_in_sync_replicas_than_copies_is_refused_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "1")
    monkeypatch.setenv("KAFKA_MIN_INSYNC_REPLICAS", "2")
    monkeypatch.setenv("KAFKA_ADMIN_PASSWORD", "an-admin-secret")
    with pytest.raises(ValidationError) as refused:
        PlatformSettings()
    assert "KAFKA_MIN_INSYNC_REPLICAS" in str(refused.value)
    assert "KAFKA_REPLICATION_FACTOR" in str(refused.value)
    assert "an-admin-secret" not in str(refused.value)  # the error shows no other setting


def test_every_topic_carries_its_min_isr_and_register_topics_stay_compacted() -> None:
    works = topic_configs(FILING_WORKS, min_insync_replicas=2)
    licences = topic_configs(LICENSING_LICENCES, min_insync_replicas=2)
    assert works["min.insync.replicas"] == licences["min.insync.replicas"] == "2"
    assert works["cleanup.policy"] == "compact"
    assert "cleanup.policy" not in licences
