"""DOMAIN: the licensing service knows works and owners only from filing events (its own
read model), never by calling the filing service."""

from __future__ import annotations

import ast
from pathlib import Path

import licensing
from licensing.settings import LicensingSettings

PACKAGE = Path(licensing.__file__).parent
# Anything that could reach the filing service other than through its events.
FORBIDDEN_MODULES = (
    "filing",
    "httpx",
    "aiohttp",
    "requests",
    "urllib.request",
    "http.client",
    "grpc",
)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _forbidden(module: str) -> bool:
    return any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN_MODULES)


def test_licensing_knows_works_only_from_filing_events_never_by_calling_filing() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert sources, "licensing sources not found"
    offending = {
        str(path.relative_to(PACKAGE)): sorted(m for m in _imported_modules(path) if _forbidden(m))
        for path in sources
    }
    assert {path: mods for path, mods in offending.items() if mods} == {}
    # No setting points it at the filing service either.
    assert not [name for name in LicensingSettings.model_fields if "filing" in name.lower()]
