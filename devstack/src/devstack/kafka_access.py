"""Sets up a SASL broker for one topic prefix as the admin: SCRAM users, topics and ACLs.

Idempotent: users are upserted, existing topics kept, and an ACL that exists already is a
no-op for the broker. aiokafka's admin client has neither SCRAM users nor ACLs, so this uses
confluent-kafka's (librdkafka).
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from concurrent.futures import Future
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from contracts.topics import ALL_TOPICS, PARTITIONS
from runtime.kafka import topic_configs
from runtime.kafka_security import (
    ADMIN,
    PRINCIPALS,
    client_security,
    librdkafka_security,
    password_of,
)
from runtime.settings import PlatformSettings

from devstack.kafka_acls import Grant, access_plan, society_grants
from devstack.real_clock import real_clock_env, under_faketime

# RFC 7677's minimum is 4096; Kafka's own tools default to 4096 as well.
SCRAM_ITERATIONS = 8192


def admin_client(settings: PlatformSettings) -> AdminClient:
    config: dict[str, str | int | float | bool] = {
        "bootstrap.servers": settings.kafka_bootstrap_servers
    }
    config.update(librdkafka_security(settings, ADMIN))
    return AdminClient(config)


def _wait(futures: dict[Any, Future[Any]], tolerated: tuple[int, ...] = ()) -> None:
    for key, future in futures.items():
        try:
            future.result(timeout=60)
        except KafkaException as exc:
            error: KafkaError = exc.args[0]
            if error.code() not in tolerated:
                raise RuntimeError(f"kafka admin: {key}: {error.str()}") from exc


def upsert_users(admin: AdminClient, settings: PlatformSettings) -> None:
    """Every principal but the admin (whose credential is bootstrapped at format time)."""
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    upserts: list[UserScramCredentialAlteration] = [
        UserScramCredentialUpsertion(name, info, password_of(settings, name).encode())
        for name in PRINCIPALS
        if name != ADMIN
    ]
    _wait(admin.alter_user_scram_credentials(upserts))


def create_topics(
    admin: AdminClient, prefix: str, replication: int, min_insync_replicas: int
) -> list[str]:
    """Creates the missing contract topics and sets `topic_configs` on the existing ones
    (incrementally: a topic's other overrides stay); returns the topics created."""
    existing = set(admin.list_topics(timeout=30).topics)
    missing = [prefix + name for name in ALL_TOPICS if prefix + name not in existing]
    if missing:
        new = [
            NewTopic(
                name, PARTITIONS[name[len(prefix) :]], replication,
                config=topic_configs(
                    name[len(prefix) :], min_insync_replicas=min_insync_replicas
                ),
            )
            for name in missing
        ]
        _wait(admin.create_topics(new), tolerated=(KafkaError.TOPIC_ALREADY_EXISTS,))
    kept = [
        ConfigResource(
            "TOPIC", prefix + name,
            incremental_configs=[
                ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
                for key, value in topic_configs(
                    name, min_insync_replicas=min_insync_replicas
                ).items()
            ],
        )
        for name in ALL_TOPICS
        if prefix + name in existing
    ]
    if kept:
        _wait(admin.incremental_alter_configs(kept))
    return missing


def _binding(grant: Grant) -> AclBinding:
    return AclBinding(
        ResourceType[grant.resource],
        grant.name,
        ResourcePatternType.PREFIXED if grant.prefixed else ResourcePatternType.LITERAL,
        f"User:{grant.principal}",
        "*",
        AclOperation[grant.operation],
        AclPermissionType.ALLOW,
    )


def create_acls(
    admin: AdminClient, prefix: str, timeout: float = 30.0, grants: list[Grant] | None = None
) -> int:
    """Creates the grants (default: the platform's, `access_plan`) and returns once the
    broker's authorizer applies every one (the controller acknowledges before the broker has
    replayed them)."""
    bindings = [_binding(g) for g in (access_plan(prefix) if grants is None else grants)]
    _wait(admin.create_acls(bindings))
    # None matches any name, principal and host (librdkafka's filter; its stubs say str).
    anything: Any = None
    everything = AclBindingFilter(
        ResourceType.ANY, anything, ResourcePatternType.ANY, anything, anything,
        AclOperation.ANY, AclPermissionType.ANY,
    )
    deadline = time.monotonic() + timeout
    while True:
        applied = set(admin.describe_acls(everything).result(timeout=timeout))
        missing = [b for b in bindings if b not in applied]
        if not missing:
            return len(bindings)
        if time.monotonic() > deadline:
            raise RuntimeError(f"kafka admin: {len(missing)} ACLs not applied, e.g. {missing[0]}")
        # select's relative timeout, not time.sleep: under libfaketime (the e2e suite's moved
        # clock) Python's sleep, an absolute clock_nanosleep, fails with EINVAL.
        select.select([], [], [], 0.1)


def provision(
    settings: PlatformSettings, prefix: str = "", replication: int | None = None
) -> list[str]:
    """Users, the contract's topics under `prefix` (replicated as `settings` say:
    KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS; `replication` overrides the first,
    as callers from before those settings pass it), and their ACLs; returns topics created."""
    if replication is not None:
        settings = settings.model_copy(update={"kafka_replication_factor": replication})
    if under_faketime():
        return _provision_on_the_real_clock(settings, prefix)
    admin = admin_client(settings)
    if settings.kafka_security_protocol != "PLAINTEXT":
        upsert_users(admin, settings)
    created = create_topics(
        admin, prefix, settings.kafka_replication_factor, settings.kafka_min_insync_replicas
    )
    if settings.kafka_security_protocol != "PLAINTEXT":
        create_acls(admin, prefix)
    return created


def add_society(settings: PlatformSettings, principal: str, password: str) -> int:
    """A collecting society's own Kafka login: SCRAM user `principal` (upserted) with the
    read-only grants of `society_grants` on the topics of the settings' prefix; returns the
    grants. The password is the caller's to hand over: it is never logged."""
    if principal in PRINCIPALS:
        raise ValueError(f"principal: {principal!r} is one of the platform's own")
    admin = admin_client(settings)
    info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
    _wait(admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(principal, info, password.encode())]
    ))
    prefix = settings.rights_topic_prefix
    return create_acls(admin, prefix, grants=society_grants(principal, prefix))


def remove_society(settings: PlatformSettings, principal: str) -> None:
    """Revokes a society's Kafka login: its grants and its SCRAM credential."""
    if principal in PRINCIPALS:
        raise ValueError(f"principal: {principal!r} is one of the platform's own")
    admin = admin_client(settings)
    anything: Any = None
    _wait(admin.delete_acls([
        AclBindingFilter(
            ResourceType.ANY, anything, ResourcePatternType.ANY, f"User:{principal}", anything,
            AclOperation.ANY, AclPermissionType.ANY,
        )
    ]))
    _wait(
        admin.alter_user_scram_credentials(
            [UserScramCredentialDeletion(principal, ScramMechanism.SCRAM_SHA_512)]
        ),
        tolerated=(KafkaError.RESOURCE_NOT_FOUND,),
    )


def delete_topics(settings: PlatformSettings, prefix: str) -> list[str]:
    """Deletes every topic whose name starts with `prefix` (a test run's own), as the admin.
    A broker serving run after run otherwise keeps every run's partitions: thousands of them
    ran a local broker out of heap."""
    if not prefix:
        raise ValueError("a prefix is required: this deletes topics")
    if under_faketime():
        deleted: list[str] = _on_the_real_clock(settings, "delete_topics", prefix)
        return deleted
    admin = admin_client(settings)
    names = sorted(t for t in admin.list_topics(timeout=30).topics if t.startswith(prefix))
    if names:
        _wait(admin.delete_topics(names, operation_timeout=60),
              tolerated=(KafkaError.UNKNOWN_TOPIC_OR_PART,))
    return names


def _provision_on_the_real_clock(settings: PlatformSettings, prefix: str) -> list[str]:
    created: list[str] = _on_the_real_clock(settings, "provision", prefix)
    return created


def _on_the_real_clock(settings: PlatformSettings, step: str, *args: str | int) -> Any:
    """librdkafka's threads wait on absolute deadlines that libfaketime (the e2e suite's moved
    clock) puts a year away, so closing the admin client hangs: under it, an admin step runs
    in a child process on the real clock. Kafka itself keeps the real clock anyway."""
    env = real_clock_env()
    env["KAFKA_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap_servers
    env["KAFKA_REPLICATION_FACTOR"] = str(settings.kafka_replication_factor)
    env["KAFKA_MIN_INSYNC_REPLICAS"] = str(settings.kafka_min_insync_replicas)
    script = (
        "import json, sys; from devstack import kafka_access; "
        "from runtime.settings import PlatformSettings; "
        "args = [int(a) if a.isdigit() else a for a in sys.argv[2:]]; "
        "print(json.dumps(getattr(kafka_access, sys.argv[1])(PlatformSettings(), *args)))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script, step, *map(str, args)],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kafka admin (real clock): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def admin_login(settings: PlatformSettings | None = None) -> dict[str, Any]:
    """aiokafka keyword arguments for the admin: tests' and tools' own raw clients."""
    return client_security(settings or PlatformSettings(), ADMIN)
