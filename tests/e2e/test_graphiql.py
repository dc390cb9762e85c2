"""GraphiQL in a real browser (the system Chromium, headless): the page the README sends every
newcomer to renders its editor from the gateway's own files, with no request to any other
host, and a query typed into it returns the register's data."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from devstack.polling import eventually
from playwright.async_api import Browser, Page, Request, Route

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

INSTALL = Path(__file__).resolve().parents[2] / "gateway" / "ide" / "install.sh"
FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status } errors { code message field } } }"""


@pytest.fixture(scope="session")
def graphiql_files() -> None:
    # What `make test` already did; quick when the files are there, so the test also runs alone.
    subprocess.run([str(INSTALL)], check=True)


@pytest.fixture(scope="session")
def browser(graphiql_files: None, chromium: Browser) -> Browser:
    return chromium


async def editor_value(page: Page, selector: str) -> str:
    value: str = await page.locator(selector).evaluate("(el) => el.CodeMirror.getValue()")
    return value


async def test_graphiql_renders_from_the_gateway_and_runs_a_register_query(
    platform: Any, browser: Browser
) -> None:
    title = f"Browser Song {uuid.uuid4().hex[:8]}"
    lan = await platform.sign_up("Dao Thi Lan", "VN")
    party, token = lan.party_id, lan.token
    filed = await platform.gql(FILE, {"input": {
        "title": title, "kind": "MUSICAL_WORK", "countryOfOrigin": "VN",
        "rightsHolders": [{"partyId": party, "role": "COMPOSER", "share": "100"}]}}, token)
    assert filed["fileWork"]["errors"] == [], filed["fileWork"]["errors"]
    query = (f'{{ works(filter: {{text: "{title}"}}) {{ totalCount '
             "edges { node { id title status } } } }")
    # The oracle: the same query over plain HTTP, once the register shows the work.
    async def in_register() -> dict[str, Any] | None:
        body: dict[str, Any] = await platform.gql.raw(query, token=token)
        return body if body.get("data") and body["data"]["works"]["totalCount"] == 1 else None

    expected = await eventually(in_register, what=f"{title} in the register")

    gateway = urlsplit(platform.config.gateway_url).netloc
    elsewhere: list[str] = []

    async def only_the_gateway(route: Route, request: Request) -> None:
        if urlsplit(request.url).netloc == gateway or request.url.startswith("data:"):
            await route.continue_()
        else:
            elsewhere.append(request.url)
            await route.abort()

    context = await browser.new_context()
    try:
        await context.route("**/*", only_the_gateway)
        page = await context.new_page()
        page.on("websocket", lambda socket: elsewhere.append(socket.url)
                if urlsplit(socket.url).netloc != gateway else None)
        await page.goto(platform.config.gateway_url)
        try:
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=60_000)
        except Exception as exc:
            body = await page.inner_text("body")
            raise AssertionError(f"GraphiQL did not render: the page shows {body[:200]!r}; "
                                 f"requests to other hosts: {elsewhere}") from exc
        assert "Loading..." not in await page.inner_text("body")

        # As the README tells a newcomer: the token under Headers, the query in the editor.
        await page.get_by_role("button", name="Headers", exact=True).click()
        await page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror").click()
        await page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {token}"}))
        await page.locator(".graphiql-query-editor .CodeMirror").click()
        await page.keyboard.press("Control+A")
        await page.keyboard.press("Delete")
        # insert_text, like a paste: typed keys would get the editor's auto-closed brackets.
        await page.keyboard.insert_text(query)
        await page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()

        response = ".graphiql-response .CodeMirror"
        await page.wait_for_function(
            "(s) => document.querySelector(s).CodeMirror.getValue().includes('\"data\"')",
            arg=response, timeout=60_000,
        )
        shown = json.loads(await editor_value(page, response))
    finally:
        await context.close()

    assert shown == expected
    assert shown["data"]["works"]["edges"][0]["node"]["title"] == title
    assert elsewhere == []

