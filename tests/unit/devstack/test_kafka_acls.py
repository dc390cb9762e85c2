"""The ACL plan (KAFKA.md) against what the services really do: each principal writes only
topics named for it, reads what its consumers subscribe to, and societies see no dead letters."""

from __future__ import annotations

from contracts.topics import DLQ_TOPICS, EVENT_TOPICS, TOPIC_SOURCE
from devstack.kafka_acls import access_plan, society_grants
from gateway.subscriptions import TOPIC_KINDS
from notifications.handlers import CONSUMED_TOPICS
from runtime.kafka_security import SOCIETY

PREFIX = "run1."


def names(principal: str, resource: str, operation: str) -> set[str]:
    return {
        g.name.removeprefix(PREFIX)
        for g in access_plan(PREFIX)
        if g.principal == principal and g.resource == resource and g.operation == operation
    }


def test_each_service_writes_only_topics_named_for_it() -> None:
    for principal in ("filing", "licensing", "notifications"):
        written = names(principal, "TOPIC", "WRITE")
        assert written and all(t.startswith(principal + ".") for t in written)
    for topic, source in TOPIC_SOURCE.items():  # every event topic: exactly its writer
        writers = {g.principal for g in access_plan(PREFIX)
                   if g.name == PREFIX + topic and g.operation == "WRITE"}
        assert writers == {source.strip("/")}


def test_consumers_may_read_what_they_subscribe_to() -> None:
    assert set(CONSUMED_TOPICS) <= names("notifications", "TOPIC", "READ")
    assert set(TOPIC_KINDS) <= names("gateway", "TOPIC", "READ")
    assert {"filing.parties.v1", "filing.works.v1"} <= names("licensing", "TOPIC", "READ")


def test_a_society_reads_the_public_topics_only_and_writes_nothing() -> None:
    assert names(SOCIETY, "TOPIC", "READ") == set(EVENT_TOPICS)
    assert not names(SOCIETY, "TOPIC", "READ") & set(DLQ_TOPICS)
    assert not [g for g in access_plan(PREFIX) if g.principal == SOCIETY and g.operation != "READ"]


def test_groups_are_bound_to_their_principals() -> None:
    groups = {(g.principal, g.name, g.prefixed) for g in access_plan(PREFIX) if g.resource == "GROUP"}
    assert groups == {
        ("licensing", "run1.licensing", False),
        ("notifications", "run1.notifications", False),
        ("gateway", "run1.gateway-", True),
        (SOCIETY, f"run1.{SOCIETY}.", True),
    }


def test_a_new_society_reads_the_event_topics_only_in_groups_of_its_name() -> None:
    grants = society_grants("amrs", PREFIX)
    topics = {g.name for g in grants if g.resource == "TOPIC"}
    assert topics == {PREFIX + t for t in EVENT_TOPICS}  # never a .dlq
    assert {g.operation for g in grants} == {"READ"}
    [group] = [g for g in grants if g.resource == "GROUP"]
    assert (group.name, group.prefixed) == (f"{PREFIX}amrs.", True)
