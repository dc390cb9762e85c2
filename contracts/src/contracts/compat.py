"""The breaking-change gate: may a published JSON Schema be replaced by a new one?

EVENTS.md allows one kind of change to a published type: new optional fields. Anything
else (a removed or renamed field, a field made required or optional, a changed type,
pattern, format or enum, a changed constraint) breaks either old readers of new records or
new readers of old records, and needs a new `...v2` type beside the old one.
"""

from __future__ import annotations

import json
from typing import Any

# Words for people, not constraints on the data: changing them breaks nobody.
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "$comment", "$id"})
_SUBSCHEMA_LISTS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
_SUBSCHEMA = frozenset({"items", "not", "additionalProperties", "contains"})


def breaking_changes(old_schema: dict[str, Any], new_schema: dict[str, Any]) -> list[str]:
    """Every breaking difference from `old_schema` to `new_schema`, each naming its path."""
    old = _resolve(old_schema, old_schema.get("$defs", {}), ())
    new = _resolve(new_schema, new_schema.get("$defs", {}), ())
    problems: list[str] = []
    _compare(old, new, "$", problems)
    return problems


def _resolve(schema: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """Inline local `$ref`s and drop annotations, so two schemas compare by meaning."""
    if isinstance(schema, list):
        return [_resolve(item, defs, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in seen:  # a recursive type: compare it by name, not forever
            return {"$ref": ref}
        target = defs.get(name, {"$ref": ref})
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _resolve({**target, **siblings}, defs, (*seen, name))
    return {
        key: _resolve_keyword(key, value, defs, seen)
        for key, value in schema.items()
        if key not in _ANNOTATIONS and key not in ("$defs", "$schema")
    }


def _resolve_keyword(key: str, value: Any, defs: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if key == "properties" and isinstance(value, dict):
        return {name: _resolve(sub, defs, seen) for name, sub in value.items()}
    if key in ("enum", "const", "required", "pattern", "type", "format"):
        return value
    return _resolve(value, defs, seen)


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _compare(old: Any, new: Any, path: str, problems: list[str]) -> None:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            problems.append(f"{path}: schema changed from {_show(old)} to {_show(new)}")
        return
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    old_required = set(old.get("required", []))
    new_required = set(new.get("required", []))
    for name in sorted(old_props.keys() - new_props.keys()):
        problems.append(f"{path}.{name}: field removed")
    for name in sorted(new_props.keys() - old_props.keys()):
        if name in new_required:
            problems.append(
                f"{path}.{name}: new field is required (only optional fields may be added)"
            )
    for name in sorted(old_props.keys() & new_props.keys()):
        if name in old_required and name not in new_required:
            problems.append(f"{path}.{name}: field is no longer required")
        if name not in old_required and name in new_required:
            problems.append(f"{path}.{name}: field became required")
        _compare(old_props[name], new_props[name], f"{path}.{name}", problems)
    for name in sorted((old_required - new_required) - old_props.keys()):
        problems.append(f"{path}.{name}: field is no longer required")
    for key in sorted((old.keys() | new.keys()) - {"properties", "required"}):
        where = f"{path}[{key}]"
        if key not in new:
            problems.append(f"{where}: keyword removed (was {_show(old[key])})")
        elif key not in old:
            problems.append(f"{where}: keyword added ({_show(new[key])})")
        elif key in _SUBSCHEMA:
            _compare(old[key], new[key], where, problems)
        elif key in _SUBSCHEMA_LISTS and isinstance(old[key], list) and isinstance(new[key], list):
            if len(old[key]) != len(new[key]):
                problems.append(
                    f"{where}: alternatives changed from {_show(old[key])} to {_show(new[key])}"
                )
            else:
                for index, (before, after) in enumerate(zip(old[key], new[key], strict=True)):
                    _compare(before, after, f"{where}[{index}]", problems)
        elif old[key] != new[key]:
            problems.append(f"{where}: changed from {_show(old[key])} to {_show(new[key])}")
