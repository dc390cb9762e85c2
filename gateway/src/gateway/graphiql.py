"""The GraphiQL page served from the gateway itself: strawberry's page, its CDN files swapped
for the same files installed from npm (`make graphiql`, gateway/ide/package.json)."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

log = logging.getLogger("gateway.graphiql")

# Where the page asks for its files; the package's version is part of the path, so a file
# under one address never changes and browsers may keep it.
ASSETS_PATH = "/graphiql/assets"
INSTALL_HINT = "make graphiql (gateway/ide/install.sh)"

_CDN_FILE = re.compile(
    r"https://unpkg\.com/"
    r"(?P<package>(?:@[\w.-]+/)?[\w.-]+)@(?P<version>[\w.+-]+)/(?P<path>[^\"'\s?#]+)"
)


@dataclass(frozen=True)
class CdnFile:
    """One file strawberry's page loads from a CDN: an npm package, its exact version, a path."""

    package: str
    version: str
    path: str

    @property
    def local_path(self) -> str:
        return f"{self.package}@{self.version}/{self.path}"


def cdn_files(template: str) -> list[CdnFile]:
    return [CdnFile(m["package"], m["version"], m["path"]) for m in _CDN_FILE.finditer(template)]


class AssetsMissing(Exception):
    """The installed npm files do not cover the page; `problems` says which and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LocalPage:
    html: str
    # local path under ASSETS_PATH -> the file on disk; nothing else is served.
    files: dict[str, Path] = field(default_factory=dict)


def _installed_version(package_dir: Path) -> str | None:
    try:
        return str(json.loads((package_dir / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def local_page(template: str, assets_dir: Path) -> LocalPage:
    """`template` with every CDN address pointing at ASSETS_PATH, and the files to serve there.

    The integrity attributes stay: the browser then proves each npm file is, byte for byte,
    the one strawberry's page names. Raises AssetsMissing when a file or version is missing.
    """
    node_modules = assets_dir / "node_modules"
    files: dict[str, Path] = {}
    problems: list[str] = []
    for wanted in cdn_files(template):
        package_dir = node_modules / wanted.package
        installed = _installed_version(package_dir)
        if installed != wanted.version:
            problems.append(f"{wanted.package}@{wanted.version} not installed "
                            f"(found {installed or 'nothing'} in {package_dir})")
            continue
        path = (package_dir / wanted.path).resolve()
        if not path.is_file() or not path.is_relative_to(package_dir.resolve()):
            problems.append(f"{wanted.package}@{wanted.version} has no file {wanted.path}")
            continue
        files[wanted.local_path] = path
    if problems:
        raise AssetsMissing(problems)
    page = _CDN_FILE.sub(
        lambda m: f"{ASSETS_PATH}/{CdnFile(m['package'], m['version'], m['path']).local_path}",
        template,
    )
    return LocalPage(page, files)


def unavailable_page(assets_dir: Path, reason: str) -> str:
    return (
        "<!doctype html><html><head><title>GraphiQL not installed</title></head><body>"
        "<h1>GraphiQL is not installed here</h1>"
        f"<p>Its files are missing from <code>{html.escape(str(assets_dir))}</code>: "
        f"run <code>{INSTALL_HINT}</code>, then reload. "
        "The GraphQL API at this address works without them.</p>"
        f"<p><small>{html.escape(reason)}</small></p></body></html>"
    )


class GraphiQL:
    """The page and its files, found once; looked for again while missing, so installing them
    while the gateway runs is enough."""

    def __init__(self, assets_dir: Path) -> None:
        self.assets_dir = assets_dir
        self._page: LocalPage | None = None
        self._missing = ""

    def load(self) -> LocalPage | None:
        if self._page is None:
            try:
                self._page = local_page(get_graphql_ide_html("graphiql"), self.assets_dir)
                log.info("GraphiQL served from %s", self.assets_dir)
            except AssetsMissing as exc:
                if str(exc) != self._missing:
                    log.warning("GraphiQL unavailable (the API works): %s; run %s",
                                exc, INSTALL_HINT)
                self._missing = str(exc)
        return self._page

    def page(self) -> tuple[str, int]:
        """(HTML, status) of the page at /graphql for a browser."""
        page = self.load()
        if page is None:
            return unavailable_page(self.assets_dir, self._missing), 503
        return page.html, 200

    def file(self, local_path: str) -> Path | None:
        page = self.load()
        return page.files.get(local_path) if page else None
