"""compose.yaml read against the code and itself: everything waits for what it needs to be
healthy (or done), restarts when it dies, gets only its own secrets and only variables that
are settings, and runs commands and copies files that exist."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import yaml

from .conftest import PROCESSES, ROOT, SERVICES, accepted

COMPOSE = yaml.safe_load((ROOT / "infra" / "docker" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "infra" / "docker" / "Dockerfile").read_text()
ONE_SHOT = {"migrations", "kafka-setup"}


def services() -> dict[str, Any]:
    return dict(COMPOSE["services"])


def test_every_dependency_is_waited_for_healthy_or_done() -> None:
    for name, service in services().items():
        for target, condition in service.get("depends_on", {}).items():
            wanted = condition["condition"]
            if target in ONE_SHOT:
                assert wanted == "service_completed_successfully", (name, target)
            elif "healthcheck" in services()[target]:
                assert wanted == "service_healthy", (name, target)
            else:  # only what has no shell for a check (the collector's image) may be "started"
                assert services()[name].get("profiles") == ["observability"], (name, target)


def test_the_platform_starts_after_kafka_postgres_setup_and_migrations() -> None:
    for service in SERVICES:
        needs = services()[service]["depends_on"]
        assert {"migrations", "kafka-setup", "kafka", "postgres"} <= set(needs), service
    assert {*SERVICES, "keycloak"} <= set(services()["gateway"]["depends_on"])


def test_every_long_running_container_restarts_and_one_shots_retry_on_failure() -> None:
    for name, service in services().items():
        expected = "on-failure" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart") == expected, name


def test_each_process_gets_settings_only_and_its_own_secrets() -> None:
    for process in (*PROCESSES, "smtp"):
        env = services()[process]["environment"]
        unknown = set(env) - accepted(process)
        assert not unknown, (process, unknown)
        urls = {n for n in env if n.endswith("_DATABASE_URL")}
        assert urls == ({f"{process.upper()}_DATABASE_URL"} if process in SERVICES else set())
        passwords = {n for n in env if re.fullmatch(r"KAFKA_\w+_PASSWORD", n)}
        assert passwords <= {f"KAFKA_{process.upper()}_PASSWORD"}, process


def test_kafka_is_reachable_from_the_host_and_the_containers_with_sasl() -> None:
    kafka = services()["kafka"]
    assert "9092:9092" in kafka["ports"]
    start = (ROOT / "infra" / "docker" / "kafka-start.sh").read_text()
    assert "EXTERNAL://$external" in start and "INTERNAL://kafka:19092" in start
    assert "--add-scram" in start and "allow.everyone.if.no.acl.found=false" in start
    assert "PLAINTEXT" not in re.sub(r"SASL_PLAINTEXT", "", start)  # no anonymous listener
    for process in PROCESSES:
        assert services()[process]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:19092"


def test_commands_run_modules_and_scripts_the_image_has() -> None:
    for name, service in services().items():
        command = service.get("command", [])
        if not command or command[0] != "python":
            continue
        if command[1] == "-m":
            assert importlib.util.find_spec(command[2]) is not None, name
        else:
            assert (ROOT / command[1]).is_file(), name
            assert f"/app/{command[1].rsplit('/', 1)[0]}/" in DOCKERFILE, name


def test_the_image_copies_what_exists_and_runs_as_non_root() -> None:
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), line
    assert re.search(r"^USER 10001", DOCKERFILE, re.MULTILINE)
    # The pinned install of the packages alone: no test, benchmark or lint tool.
    assert "-c requirements/constraints.txt" in DOCKERFILE
    assert "-r requirements" not in DOCKERFILE
