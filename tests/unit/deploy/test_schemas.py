"""The deployment files against their specifications' schemas: each Kustomize overlay
rendered and checked by kubeconform -strict (every kind known, no field unknown), and
compose.yaml against the Compose specification's JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from .conftest import OVERLAYS, ROOT, kubeconform, summary

COMPOSE = ROOT / "infra" / "docker" / "compose.yaml"
COMPOSE_SPEC = ROOT / "infra" / "schemas" / "compose-spec.json"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_to_resources_that_all_match_their_schemas(
    overlay: str, rendered: dict[str, Path], kubernetes_schemas: Path
) -> None:
    result = kubeconform([rendered[overlay]], kubernetes_schemas)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = summary(result)
    # Errors counts kinds without a schema; Skipped, kinds left out: neither may happen.
    assert counts["resources"] > 40 and counts["Valid"] == counts["resources"], counts
    assert counts["Invalid"] == counts["Errors"] == counts["Skipped"] == 0, counts


def test_kubeconform_refuses_an_unknown_field_in_core_and_custom_resources(
    rendered: dict[str, Path], kubernetes_schemas: Path, tmp_path: Path
) -> None:
    # The oracle can fail: a misspelt field in a Job and in a Strimzi topic are both errors.
    text = rendered["production"].read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace("restartPolicy: OnFailure", "restartPolicy: OnFailure\n      restartPolicyy: Never", 1)
        .replace("  replicas: 3\n  topicName", "  replicaz: 3\n  topicName", 1)
        .replace("partitions: 6", "partitions: six", 1)
    )
    result = kubeconform([broken], kubernetes_schemas)
    assert result.returncode != 0
    invalid = [line for line in result.stdout.splitlines() if "is invalid" in line]
    assert any("Job migrations" in line for line in invalid), result.stdout
    assert any(line.count("KafkaTopic") for line in invalid), result.stdout
    assert summary(result)["Invalid"] >= 2


def compose_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(COMPOSE_SPEC.read_text())
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(schema)(schema)
    return validator


def test_compose_file_matches_the_compose_specification() -> None:
    errors = [
        f"{e.json_path}: {e.message}"
        for e in compose_validator().iter_errors(yaml.safe_load(COMPOSE.read_text()))
    ]
    assert errors == []


def test_the_compose_schema_refuses_a_misspelt_service_key() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    compose["services"]["filing"]["depends_onn"] = compose["services"]["filing"].pop("depends_on")
    errors = list(compose_validator().iter_errors(compose))
    assert any("depends_onn" in e.message for e in errors), [e.message for e in errors]
