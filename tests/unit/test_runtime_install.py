"""A runtime install (scripts/install_runtime.sh: requirements/runtime.in and the packages of
requirements/runtime-packages.txt) pulls no test, lint or benchmark package, directly or
through any dependency: checked over the dependency closure of the installed distributions'
own metadata."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
TOOLING = ("test.in", "lint.in", "bench.in")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> list[Requirement]:
    found: list[Requirement] = []
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text.startswith("-r "):
            found += requirements(path.parent / text.removeprefix("-r ").strip())
        elif text:
            found.append(Requirement(text))
    return found


def runtime_packages() -> list[str]:
    lines = (REQUIREMENTS / "runtime-packages.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def package_requirements(folder: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project.get("dependencies", [])] + [
        Requirement(project["name"])
    ]


def closure(roots: list[Requirement]) -> set[str]:
    """Every distribution the requirements bring in, with the extras they ask for, as the
    installed distributions' metadata says (markers evaluated for this interpreter)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    pending = [(r, frozenset()) for r in roots]
    while pending:
        requirement, _ = pending.pop()
        key = (normalise(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        names.add(key[0])
        try:
            requires = distribution(requirement.name).requires or []
        except PackageNotFoundError:
            continue  # not for this platform (a marker), or an extra's optional part
        for line in requires:
            dependency = Requirement(line)
            if dependency.marker is not None:
                environments = [{"extra": e} for e in requirement.extras] or [{"extra": ""}]
                if not any(dependency.marker.evaluate(env) for env in environments):
                    continue
            pending.append((dependency, frozenset()))
    return names


def tooling() -> set[str]:
    return {normalise(r.name) for f in TOOLING for r in requirements(REQUIREMENTS / f)}


def runtime_roots() -> list[Requirement]:
    roots = requirements(REQUIREMENTS / "runtime.in")
    for folder in runtime_packages():
        roots += package_requirements(folder)
    return roots


def test_the_runtime_install_pulls_no_test_lint_or_bench_package() -> None:
    pulled = closure(runtime_roots()) & tooling()
    assert not pulled, f"a runtime install would bring in {sorted(pulled)}"


def test_the_check_sees_a_tool_that_comes_in_through_a_dependency() -> None:
    # The oracle for the closure: schemathesis (a test tool) pulls in pytest and hypothesis.
    assert {"pytest", "hypothesis"} <= closure([Requirement("schemathesis")])


def test_requirements_in_is_the_groups_and_nothing_else() -> None:
    lines = [
        line.strip()
        for line in (REQUIREMENTS / "requirements.in").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-r runtime.in", *(f"-r {f}" for f in TOOLING)]
