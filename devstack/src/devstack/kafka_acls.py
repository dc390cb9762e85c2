"""Who may do what on Kafka (KAFKA.md): the ACLs of every principal for one topic prefix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runtime.kafka_security import FILING, GATEWAY, LICENSING, NOTIFICATIONS, SOCIETY

from contracts import topics as t

Operation = Literal["READ", "WRITE", "DESCRIBE", "CREATE"]


@dataclass(frozen=True)
class Grant:
    """ALLOW `operation` to `principal` on a topic or group; `prefixed` matches names by prefix."""

    principal: str
    resource: Literal["TOPIC", "GROUP"]
    name: str
    operation: Operation
    prefixed: bool = False


# What each principal writes (its own topics and its consumer groups' dead letters), reads,
# and which consumer groups it joins (`*` marks a group-name prefix: one group per instance).
WRITES: dict[str, tuple[str, ...]] = {
    FILING: (t.FILING_PARTIES, t.FILING_WORKS, t.FILING_IMPORTS, t.FILING_SOCIETIES),
    LICENSING: (t.LICENSING_LICENCES, t.LICENSING_ROYALTIES, t.dlq(t.LICENSING_GROUP)),
    NOTIFICATIONS: (t.NOTIFICATIONS_DELIVERIES, t.dlq(t.NOTIFICATIONS_GROUP)),
}
READS: dict[str, tuple[str, ...]] = {
    LICENSING: (t.FILING_PARTIES, t.FILING_WORKS, t.dlq(t.LICENSING_GROUP)),
    NOTIFICATIONS: (
        t.FILING_PARTIES,
        t.FILING_WORKS,
        t.FILING_IMPORTS,
        t.FILING_SOCIETIES,
        t.LICENSING_LICENCES,
        t.LICENSING_ROYALTIES,
        t.dlq(t.NOTIFICATIONS_GROUP),
    ),
    GATEWAY: (
        t.FILING_WORKS,
        t.LICENSING_LICENCES,
        t.LICENSING_ROYALTIES,
        t.NOTIFICATIONS_DELIVERIES,
    ),
}
GROUPS: dict[str, tuple[str, ...]] = {
    LICENSING: (t.LICENSING_GROUP,),
    NOTIFICATIONS: (t.NOTIFICATIONS_GROUP,),
    GATEWAY: ("gateway-*",),
}


def society_grants(principal: str, prefix: str = "") -> list[Grant]:
    """A collecting society's consumer (the demo's, or one `rights clients create-society`
    adds): it reads the public event topics only, never a dead-letter topic, in consumer
    groups named `<principal>.…`."""
    grants = [Grant(principal, "TOPIC", prefix + name, "READ") for name in t.EVENT_TOPICS]
    grants.append(Grant(principal, "GROUP", f"{prefix}{principal}.", "READ", prefixed=True))
    return grants


def access_plan(prefix: str = "") -> list[Grant]:
    """Every grant for the topics and groups named with `prefix` (test runs use their own)."""
    grants: list[Grant] = society_grants(SOCIETY, prefix)
    for principal, names in WRITES.items():
        for name in names:
            for op in ("WRITE", "DESCRIBE", "CREATE"):
                grants.append(Grant(principal, "TOPIC", prefix + name, op))
    for principal, names in READS.items():
        for name in names:
            grants.append(Grant(principal, "TOPIC", prefix + name, "READ"))
    for principal, groups in GROUPS.items():
        for group in groups:
            wildcard = group.endswith("*")
            grants.append(
                Grant(principal, "GROUP", prefix + group.rstrip("*"), "READ", prefixed=wildcard)
            )
    return grants
