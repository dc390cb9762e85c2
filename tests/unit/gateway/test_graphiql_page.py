"""GraphiQL's page from the gateway's own files: strawberry's page with every CDN address made
local, the npm pins equal to the versions that page names, and a clear page (with the API still
working) when the files are not installed."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gateway.graphiql import ASSETS_PATH, AssetsMissing, cdn_files, local_page
from strawberry.http.ides import get_graphql_ide_html

PACKAGE_JSON = Path(__file__).resolve().parents[3] / "gateway" / "ide" / "package.json"
TEMPLATE = get_graphql_ide_html("graphiql")


def install_fake_assets(root: Path, *, skip_version_of: str = "") -> dict[str, bytes]:
    """The files strawberry's page names, laid out as npm installs them; {local path: bytes}."""
    contents: dict[str, bytes] = {}
    for wanted in cdn_files(TEMPLATE):
        package_dir = root / "node_modules" / wanted.package
        package_dir.mkdir(parents=True, exist_ok=True)
        version = "0.0.0" if wanted.package == skip_version_of else wanted.version
        (package_dir / "package.json").write_text(json.dumps({"version": version}))
        file = package_dir / wanted.path
        file.parent.mkdir(parents=True, exist_ok=True)
        contents[wanted.local_path] = f"/* {wanted.local_path} */".encode()
        file.write_bytes(contents[wanted.local_path])
    return contents


def test_strawberrys_page_names_the_files_we_install() -> None:
    # If a strawberry upgrade changes how its page loads files, this says so first.
    assert {f.package for f in cdn_files(TEMPLATE)} >= {"react", "react-dom", "graphiql"}


def test_package_json_pins_exactly_the_versions_strawberrys_page_names() -> None:
    pins = json.loads(PACKAGE_JSON.read_text())["dependencies"]
    named = {f.package: f.version for f in cdn_files(TEMPLATE)}
    assert pins == named


def test_the_local_page_loads_every_file_from_the_gateway(tmp_path: Path) -> None:
    contents = install_fake_assets(tmp_path)
    page = local_page(TEMPLATE, tmp_path)
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page.html)
    loaded = [a for a in addresses if not a.startswith("data:")]
    assert loaded and all(a.startswith(ASSETS_PATH + "/") for a in loaded)
    assert "unpkg" not in page.html and "https://" not in page.html
    assert {a.removeprefix(ASSETS_PATH + "/") for a in loaded} == set(page.files)
    assert {k: v.read_bytes() for k, v in page.files.items()} == contents
    # The integrity hashes stay: the browser checks the npm files are strawberry's.
    assert page.html.count("integrity=") == TEMPLATE.count("integrity=") > 0


def test_a_wrong_version_installed_is_named(tmp_path: Path) -> None:
    install_fake_assets(tmp_path, skip_version_of="graphiql")
    with pytest.raises(AssetsMissing) as missing:
        local_page(TEMPLATE, tmp_path)
    assert [p for p in missing.value.problems if p.startswith("graphiql@")], missing.value.problems


async def test_the_gateway_serves_the_page_and_only_its_files(
    tmp_path: Path, make_fake: Callable[..., Any], open_gateway: Callable[..., Any]
) -> None:
    contents = install_fake_assets(tmp_path)
    (tmp_path / "node_modules" / "secret.txt").write_text("not for the browser")
    async with open_gateway(make_fake(), graphiql_assets_dir=tmp_path) as gw:
        page = await gw.client.get("/graphql", headers={"accept": "text/html"})
        served = {path: await gw.client.get(f"{ASSETS_PATH}/{path}") for path in contents}
        other = await gw.client.get(f"{ASSETS_PATH}/graphiql@3.8.3/package.json")
        escape = await gw.client.get(f"{ASSETS_PATH}/graphiql@3.8.3/..%2F..%2Fsecret.txt")
    assert page.status_code == 200 and "unpkg" not in page.text
    assert {p: r.content for p, r in served.items()} == contents
    assert all("immutable" in r.headers["cache-control"] for r in served.values())
    assert other.status_code == 404 and escape.status_code == 404


async def test_missing_files_leave_the_api_working_and_the_page_says_what_to_run(
    tmp_path: Path, make_fake: Callable[..., Any], open_gateway: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.graphiql"):
        async with open_gateway(make_fake(), graphiql_assets_dir=tmp_path / "none") as gw:
            page = await gw.client.get("/graphql", headers={"accept": "text/html"})
            api = await gw.raw("{ __typename }")
    assert page.status_code == 503
    assert "make graphiql" in page.text and "unpkg" not in page.text
    assert api == {"data": {"__typename": "Query"}}
    assert any("GraphiQL unavailable" in r.getMessage() for r in caplog.records)


async def test_production_serves_no_graphiql_files(
    tmp_path: Path, make_fake: Callable[..., Any], open_gateway: Callable[..., Any]
) -> None:
    contents = install_fake_assets(tmp_path)
    async with open_gateway(make_fake(), environment="production",
                            graphiql_assets_dir=tmp_path) as gw:
        files = [await gw.client.get(f"{ASSETS_PATH}/{path}") for path in contents]
    assert {r.status_code for r in files} == {404}
