"""Declared dependencies match what the code imports: each package's pyproject lists exactly
the distributions its src imports, and requirements.in lists nothing that nobody uses.

A package installed on its own (the container image installs the packages, not
requirements.in) has only what its pyproject declares: an undeclared import fails there
and nowhere else, and a declared dependency nobody imports is weight and attack surface.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib.metadata import distribution, packages_distributions
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The workspace packages: every pyproject.toml one or two folders down that defines a project.
PACKAGES = sorted(
    p.parent.relative_to(ROOT).as_posix()
    for p in (*ROOT.glob("*/pyproject.toml"), *ROOT.glob("*/*/pyproject.toml"))
    if not p.relative_to(ROOT).parts[0].startswith(".")
    and "project" in tomllib.loads(p.read_text())
)
# Code outside the packages that requirements.in installs for: tests, benchmarks, the fault
# suite, scripts (each may import the others: they run from the checkout).
OTHER_CODE = ("tests", "bench", "faults", "infra", "scripts")
REQUIREMENTS_IN = ROOT / "requirements" / "requirements.in"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"

# Listed in requirements.in although no code imports them; each with the reason.
USED_WITHOUT_IMPORT = {
    "pytest-asyncio": "pytest plugin: asyncio_mode and loop scopes in pyproject.toml",
    "pytest-timeout": "pytest plugin: the `timeout` setting in pyproject.toml",
    "ruff": "linter run by `make lint`",
    "mypy": "type checker run by `make lint`",
    "py-spy": "profiler that bench/platform.py runs as a command",
    "sniffio": "httpcore looks for it on every request and scans sys.path when it is absent",
    "pyparsing": "cwr-api (tests/cwr_oracle.py) parses with it without declaring it",
}


def normalise(name: str) -> str:
    """PEP 503 form, so that `PyJWT`, `pyjwt` and `Py_JWT` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str | None:
    """The distribution a requirement line names, without extras, versions or markers."""
    text = line.split("#", 1)[0].strip()
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
    return normalise(match.group()) if match else None


@cache
def imported_modules(folder: Path) -> tuple[tuple[str, Path], ...]:
    """Every absolute import under `folder` as a dotted name, with the file it is in.
    `from a import b` yields `a.b`: b may be a submodule that another distribution holds."""
    return tuple(_imports_under(folder))


def _imports_under(folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.rglob("*.py")):
        if ".venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, path
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", path


@cache
def installed_modules() -> dict[str, list[str]]:
    """Top-level import name → distributions (scanning every installed one: do it once)."""
    return packages_distributions()


@cache
def modules_of(dist_name: str) -> frozenset[str]:
    """Dotted names of the modules and packages a distribution installs."""
    names = set()
    for file in distribution(dist_name).files or []:
        if file.suffix == ".py":
            parts = list(file.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.add(".".join(parts))
    return frozenset(names)


@cache
def distribution_of(module: str) -> str | None:
    """The distribution that installs `module`; None for the standard library and for this
    file's own modules. A namespace package (`opentelemetry`) is shared by many
    distributions: the one holding the longest part of the dotted name wins."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return None
    candidates = sorted(set(installed_modules().get(top, [])))
    if len(candidates) == 1:
        return normalise(candidates[0])
    parts = module.split(".")
    for length in range(len(parts), 0, -1):
        prefix = ".".join(parts[:length])
        holders = [d for d in candidates if prefix in modules_of(d)]
        if len(holders) == 1:
            return normalise(holders[0])
    raise LookupError(f"no single installed distribution provides {module!r} ({candidates})")


def imported_distributions(folder: Path, own: set[str]) -> dict[str, set[str]]:
    """Distribution → the files under `folder` that import it (the folder's own excluded)."""
    found: dict[str, set[str]] = {}
    for module, path in imported_modules(folder):
        if module.split(".")[0] in own:
            continue
        dist = distribution_of(module)
        if dist is not None:
            found.setdefault(dist, set()).add(path.relative_to(ROOT).as_posix())
    return found


def project(package: str) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((ROOT / package / "pyproject.toml").read_text())
    return table["project"]


def declared(package: str) -> set[str]:
    return {n for n in map(requirement_name, project(package).get("dependencies", [])) if n}


def own_modules(package: str) -> set[str]:
    return {
        p.name for p in (ROOT / package / "src").iterdir() if p.is_dir() and p.name.isidentifier()
    }


def requirements_in(path: Path = REQUIREMENTS_IN) -> set[str]:
    """The distributions a requirements file names, with those of the files it includes
    (`-r runtime.in`: requirements.in is one file per group)."""
    names: set[str] = set()
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text.startswith("-r "):
            names |= requirements_in(path.parent / text.removeprefix("-r ").strip())
        elif name := requirement_name(text):
            names.add(name)
    return names


def test_every_workspace_package_is_found() -> None:
    assert set(PACKAGES) >= {
        "contracts",
        "runtime",
        "gateway",
        "devstack",
        "services/filing",
        "services/licensing",
        "services/notifications",
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_package_declares_exactly_the_distributions_its_src_imports(package: str) -> None:
    imports = imported_distributions(ROOT / package / "src", own_modules(package))
    declarations = declared(package)
    undeclared = {d: sorted(files) for d, files in imports.items() if d not in declarations}
    unused = declarations - imports.keys()
    # Both directions in one verdict, so that a failure shows everything to fix at once.
    assert not undeclared and not unused, (
        f"{package}/pyproject.toml: imported but not declared: {undeclared}; "
        f"declared but not imported: {sorted(unused)}"
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_every_declared_dependency_is_pinned(package: str) -> None:
    pinned = {
        normalise(m.group(1))
        for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", CONSTRAINTS.read_text(), re.M)
    }
    workspace = {normalise(project(p)["name"]) for p in PACKAGES}
    missing = declared(package) - pinned - workspace
    assert not missing, f"{package} declares {missing}, which constraints.txt does not pin"


def test_requirements_in_lists_only_what_a_package_the_tests_bench_or_a_tool_uses() -> None:
    used = set().union(*(declared(p) for p in PACKAGES))
    for folder in OTHER_CODE:
        used |= imported_distributions(ROOT / folder, own=set(OTHER_CODE)).keys()
    unused = requirements_in() - used - USED_WITHOUT_IMPORT.keys()
    assert not unused, f"requirements.in lists what nothing uses: {sorted(unused)}"


def test_the_allow_list_holds_only_listed_requirements_that_no_code_imports() -> None:
    imported: set[str] = set()
    for package in PACKAGES:
        imported |= imported_distributions(ROOT / package / "src", own=set()).keys()
    for folder in OTHER_CODE:
        imported |= imported_distributions(ROOT / folder, own=set(OTHER_CODE)).keys()
    assert USED_WITHOUT_IMPORT.keys() <= requirements_in()
    assert not USED_WITHOUT_IMPORT.keys() & imported


def test_imports_resolve_through_namespace_packages() -> None:
    # The oracle for the resolver itself: opentelemetry is one import name shared by many
    # distributions, and `from opentelemetry import trace` belongs to the API alone.
    assert distribution_of("opentelemetry.trace") == "opentelemetry-api"
    assert distribution_of("opentelemetry.sdk.trace.export") == "opentelemetry-sdk"
    assert distribution_of("jwt") == "pyjwt"
    assert distribution_of("json.decoder") is None
