"""The Kubernetes manifests read against the code they run: every variable a process gets is
one of its settings, each process gets its own secrets only, the topics are the contract's
with replication 3 and min ISR 2, the Kafka users' ACLs are KAFKA.md's, and every process is
probed, bounded and covered by a disruption budget."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from contracts.topics import ALL_TOPICS, PARTITIONS
from devstack.kafka_acls import Grant, access_plan
from runtime.kafka import topic_configs
from runtime.kafka_security import SOCIETY

from .conftest import OVERLAYS, PROCESSES, ROOT, SERVICES, accepted, documents, of_kind


@pytest.fixture(scope="module", params=OVERLAYS)
def docs(request: pytest.FixtureRequest, rendered: dict[str, Path]) -> list[dict[str, Any]]:
    return documents(rendered[request.param])


def by_name(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, kind)}


def container_env(container: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Every variable the container gets: its `env` and the keys of what `envFrom` names
    (a Secret the overlay leaves to the operator counts by its name alone)."""
    env: dict[str, Any] = {e["name"]: e for e in container.get("env", [])}
    maps, secrets = by_name(docs, "ConfigMap"), by_name(docs, "Secret")
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= {key: {} for key in maps[source["configMapRef"]["name"]]["data"]}
        else:
            secret = secrets.get(source["secretRef"]["name"], {})
            env |= {key: {} for key in [*secret.get("data", {}), *secret.get("stringData", {})]}
    return env


def platform_containers(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(process, container) of every Deployment that runs the platform's image."""
    found = []
    for deployment in of_kind(docs, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            if "rights-platform" in container["image"]:
                found.append((deployment["metadata"]["name"], container))
    return found


def test_every_variable_a_process_gets_is_one_of_its_settings(docs: list[dict[str, Any]]) -> None:
    unknown = {
        f"{process}: {name}"
        for process, container in platform_containers(docs)
        for name in container_env(container, docs)
        if name not in accepted(process)
    }
    assert not unknown, sorted(unknown)
    assert {p for p, _ in platform_containers(docs)} >= set(PROCESSES)


def test_each_process_gets_its_own_database_url_and_kafka_password_only(
    docs: list[dict[str, Any]],
) -> None:
    for process, container in platform_containers(docs):
        env = container_env(container, docs)
        urls = {n for n in env if n.endswith("_DATABASE_URL")}
        passwords = {n for n in env if n.startswith("KAFKA_") and n.endswith("_PASSWORD")}
        assert urls == ({f"{process.upper()}_DATABASE_URL"} if process in SERVICES else set())
        if process in PROCESSES:
            assert passwords == {f"KAFKA_{process.upper()}_PASSWORD"}, process
            login = env[f"KAFKA_{process.upper()}_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert login == {"name": process, "key": "password"}  # its KafkaUser's Secret
        if process in SERVICES:
            ref = env[f"{process.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref["name"] == f"{process}-database"
    job = by_name(docs, "Job")["migrations"]
    for container in job["spec"]["template"]["spec"]["containers"]:
        names = {e["name"] for e in container["env"]}
        assert names == {f"{container['name'].upper()}_DATABASE_URL"}
        assert container["command"][-1] == container["name"]


def test_commands_name_modules_and_scripts_that_exist(docs: list[dict[str, Any]]) -> None:
    containers = [c for _, c in platform_containers(docs)]
    containers += by_name(docs, "Job")["migrations"]["spec"]["template"]["spec"]["containers"]
    for container in containers:
        command = container["command"]
        assert command[0] == "python"
        if command[1] == "-m":
            assert importlib.util.find_spec(command[2]) is not None, command
        else:
            assert (ROOT / command[1]).is_file(), command


def test_topics_are_the_contracts_with_replication_3_and_min_isr_2(
    docs: list[dict[str, Any]],
) -> None:
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(docs, "KafkaTopic")}
    assert set(topics) == set(ALL_TOPICS)
    for name, spec in topics.items():
        assert spec["partitions"] == PARTITIONS[name], name
        assert spec["replicas"] == 3, name
        config = {k: str(v) for k, v in spec["config"].items()}
        assert config == topic_configs(name) | {"min.insync.replicas": "2"}, name
    kafka = next(of_kind(docs, "Kafka"))["spec"]["kafka"]["config"]
    assert kafka["default.replication.factor"] == 3 and kafka["min.insync.replicas"] == 2
    assert kafka["offsets.topic.replication.factor"] == 3
    assert kafka["transaction.state.log.replication.factor"] == 3
    assert kafka["transaction.state.log.min.isr"] == 2
    assert kafka["auto.create.topics.enable"] is False
    pools = list(of_kind(docs, "KafkaNodePool"))
    assert sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"]) >= 3


def strimzi_grants(user: dict[str, Any]) -> set[Grant]:
    principal = user["metadata"]["name"]
    grants = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        for operation in acl["operations"]:
            grants.add(Grant(
                principal, resource["type"].upper(), resource["name"], operation.upper(),
                prefixed=resource.get("patternType") == "prefix",
            ))
    return grants


def test_kafka_users_have_kafka_md_grants_less_topic_creation(docs: list[dict[str, Any]]) -> None:
    users = by_name(docs, "KafkaUser")
    assert all(u["spec"]["authentication"]["type"] == "scram-sha-512" for u in users.values())
    granted = set().union(*(strimzi_grants(users[p]) for p in PROCESSES))
    # Societies get their users per deployment; topics are KafkaTopics, created by no service.
    planned = {g for g in access_plan("") if g.operation != "CREATE" and g.principal != SOCIETY}
    assert granted == planned
    # KEDA may only look at the consumer groups' offsets.
    assert {g.operation for g in strimzi_grants(users["keda"])} == {"DESCRIBE"}


def test_every_process_is_probed_bounded_and_budgeted(docs: list[dict[str, Any]]) -> None:
    deployments = by_name(docs, "Deployment")
    budgets = {p["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
               for p in of_kind(docs, "PodDisruptionBudget")}
    for process in PROCESSES:
        pod = deployments[process]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready", process
        assert container["livenessProbe"]["httpGet"]["path"] == "/health", process
        assert container["startupProbe"]["httpGet"]["path"] == "/health", process
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert process in budgets


def test_only_the_services_and_migrations_may_reach_postgresql(docs: list[dict[str, Any]]) -> None:
    database_clients = {
        d["metadata"]["name"]
        for d in [*of_kind(docs, "Deployment"), *of_kind(docs, "Job")]
        if d["spec"]["template"]["metadata"]["labels"].get("rights.aseanip.org/database-client")
    }
    assert database_clients == {*SERVICES, "migrations"}
    cluster = next(of_kind(docs, "Cluster"))
    hba = cluster["spec"]["postgresql"]["pg_hba"]
    for service in SERVICES:  # each role into its own database, and then no further
        assert f"host {service} {service} all scram-sha-256" in hba
    assert hba[-1] == "host all filing,licensing,notifications all reject"
    databases = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind(docs, "Database")}
    assert databases == {s: s for s in SERVICES}


def test_consumers_scale_on_their_groups_lag_up_to_the_partitions(
    docs: list[dict[str, Any]],
) -> None:
    scaled = by_name(docs, "ScaledObject")
    for service in ("licensing", "notifications"):
        trigger = scaled[service]["spec"]["triggers"][0]
        assert trigger["type"] == "kafka"
        assert trigger["metadata"]["consumerGroup"] == service
        assert scaled[service]["spec"]["maxReplicaCount"] <= max(PARTITIONS.values())
