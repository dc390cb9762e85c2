"""CustomResourceDefinitions (YAML) -> the JSON schemas kubeconform reads, one per kind and
version: `<out>/<group>/<kind>_<version>.json` (kubeconform's `{{ .Group }}/{{ .ResourceKind
}}_{{ .ResourceAPIVersion }}` layout), in the manner of openapi2jsonschema: strict (an
unknown field is an error unless the CRD preserves unknown fields), int-or-string as either,
descriptions dropped (the files stay small enough to commit).

    python infra/schemas/crd_to_jsonschema.py OUT_DIR CRD.yaml... [--kinds Kind,Kind]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml


def strict(schema: Any) -> Any:
    """The OpenAPI v3 schema of a CRD as a JSON schema that refuses unknown fields."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
                   "x-kubernetes-map-type", "x-kubernetes-validations"):
            continue
        if key == "properties":
            out[key] = {name: strict(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") or key in ("allOf", "anyOf", "oneOf"):
            out[key] = strict(value)
        else:
            out[key] = value
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}, *out.get("anyOf", [])]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    # OpenAPI's `nullable` has no JSON schema keyword of its own.
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def convert(crd: dict[str, Any], out_dir: Path, kinds: set[str] | None) -> list[Path]:
    spec = crd["spec"]
    kind = spec["names"]["kind"]
    if kinds and kind not in kinds:
        return []
    written = []
    for version in spec["versions"]:
        schema = strict(version["schema"]["openAPIV3Schema"])
        properties = schema.setdefault("properties", {})
        # apiVersion and kind exactly as the CRD serves them.
        api_version = f"{spec['group']}/{version['name']}"
        properties["apiVersion"] = {"type": "string", "enum": [api_version]}
        properties["kind"] = {"type": "string", "enum": [kind]}
        path = out_dir / spec["group"] / f"{kind.lower()}_{version['name']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("crds", nargs="+", type=Path)
    parser.add_argument("--kinds", default="", help="comma-separated kinds to keep (default: all)")
    args = parser.parse_args()
    kinds = {k for k in args.kinds.split(",") if k} or None
    for file in args.crds:
        for document in yaml.safe_load_all(file.read_text()):
            if document and document.get("kind") == "CustomResourceDefinition":
                for path in convert(document, args.out_dir, kinds):
                    print(path)


if __name__ == "__main__":
    main()
