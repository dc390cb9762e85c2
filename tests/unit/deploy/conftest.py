"""The deployment files and their validators, offline: kustomize renders infra/k8s's
overlays, kubeconform checks them against the Kubernetes API's JSON schemas (the PyPI
package kubernetes-validate) and the custom resources' (infra/schemas/crds, generated from
the operators' own artefacts). Both tools are Go programs that `make tools` installs
(scripts/deploy_tools.sh)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from filing.settings import FilingSettings
from gateway.settings import GatewaySettings
from licensing.settings import LicensingSettings
from notifications.settings import NotificationsSettings
from pydantic_settings import BaseSettings
from runtime.identity import IdentitySettings
from runtime.settings import PlatformSettings
from web.settings import WebSettings

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "infra" / "k8s"
OVERLAYS = ("local", "production")
CRD_SCHEMAS = ROOT / "infra" / "schemas" / "crds"
# The Kubernetes minor the manifests are written for (the oldest one the README names).
KUBERNETES_VERSION = "v1.33.0"


def tools_dir() -> Path:
    """Where scripts/deploy_tools.sh installs kubeconform and kustomize."""
    if os.environ.get("RIGHTS_TOOLS_DIR"):
        return Path(os.environ["RIGHTS_TOOLS_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "rights-platform" / "tools"


def tool(name: str) -> Path:
    path = tools_dir() / name
    assert path.exists(), f"{name} is missing from {tools_dir()}: run `make tools`"
    return path


DEFINITIONS_REF = re.compile(r'"\$ref": "(?:/api/_definitions\.json)?#/\$defs/([^"]+)"')


def standalone(schema_text: str, definitions: dict[str, Any]) -> str:
    """A kind's schema with the definitions it reaches inlined: kubernetes-validate's refer
    to one shared file through its own registry, which kubeconform cannot follow (and
    compiling the whole shared file for every kind would take a minute)."""
    needed: dict[str, Any] = {}
    pending = DEFINITIONS_REF.findall(schema_text)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed[name] = definitions[name]
            pending += DEFINITIONS_REF.findall(json.dumps(needed[name]))
    schema = json.loads(schema_text.replace('"/api/_definitions.json#/$defs/', '"#/$defs/'))
    return json.dumps(schema | {"$defs": needed})


@pytest.fixture(scope="session")
def kubernetes_schemas(
    tmp_path_factory: pytest.TempPathFactory, rendered: dict[str, Path]
) -> Path:
    """kubernetes-validate's schemas of one Kubernetes version, for the kinds the overlays
    render, made standalone; named as kubeconform looks for them."""
    source = (
        Path(kubernetes_validate.__file__).parent
        / "kubernetes-json-schema"
        / f"{KUBERNETES_VERSION}-local-strict"
    )
    assert source.is_dir(), f"kubernetes-validate has no schemas for {KUBERNETES_VERSION}"
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target = tmp_path_factory.mktemp("kubernetes-schemas")
    for path in rendered.values():
        for document in documents(path):
            group, _, version = document["apiVersion"].rpartition("/")
            name = "-".join(filter(None, (document["kind"].lower(), group.split(".")[0], version)))
            schema = source / f"{name}.json"
            if schema.exists() and not (target / schema.name).exists():
                (target / schema.name).write_text(standalone(schema.read_text(), definitions))
    return target


def kubeconform(paths: list[Path], schemas: Path) -> subprocess.CompletedProcess[str]:
    """kubeconform -strict over `paths`: every kind must have a schema (none is skipped)."""
    return subprocess.run(
        [
            str(tool("kubeconform")),
            "-strict",
            "-summary",
            "-output", "text",
            "-schema-location", f"{schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
            "-schema-location",
            f"{CRD_SCHEMAS}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    """kubeconform's closing line as counts: {'found': 60, 'Valid': 60, 'Invalid': 0, ...}."""
    line = result.stdout.strip().splitlines()[-1]
    counts = {key: int(value) for value, key in re.findall(r"(\d+) (resources) found", line)}
    counts |= {key: int(value) for key, value in re.findall(r"(\w+): (\d+)", line)}
    return counts


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each overlay rendered by kustomize into a file."""
    out = tmp_path_factory.mktemp("rendered")
    files = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [str(tool("kustomize")), "build", str(K8S / "overlays" / overlay)],
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, f"kustomize build {overlay}: {result.stderr}"
        files[overlay] = out / f"{overlay}.yaml"
        files[overlay].write_text(result.stdout)
    return files


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def of_kind(docs: list[dict[str, Any]], kind: str) -> Iterator[dict[str, Any]]:
    return (d for d in docs if d["kind"] == kind)


SERVICES = ("filing", "licensing", "notifications")
PROCESSES = (*SERVICES, "gateway")
# The OpenTelemetry SDK's own variables (its specification), honoured by its SDK as they are.
OTEL_STANDARD = {
    "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG", "OTEL_PROPAGATORS",
}
OWN_SETTINGS: dict[str, tuple[type[BaseSettings], ...]] = {
    "filing": (FilingSettings,),
    "licensing": (LicensingSettings,),
    "notifications": (NotificationsSettings,),
    "gateway": (GatewaySettings, WebSettings),
    # the local overlay's SMTP sink: notifications.smtp_server
    "smtp": (NotificationsSettings,),
}


def setting_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    return {(prefix + name).upper() for name in settings.model_fields}


def accepted(process: str) -> set[str]:
    names = setting_names(PlatformSettings) | setting_names(IdentitySettings) | OTEL_STANDARD
    for settings in OWN_SETTINGS[process]:
        names |= setting_names(settings)
    return names
