"""Scenario `web_pages`: the web app's main pages (WEB.md) with the demo data, against the
budget of issue 18 (a page in under 1 s on this machine).

The platform of its own is loaded with the demo data (devstack/demo.py, through the public
API, under this run's own account prefix). Each page is fetched as a browser does (the HTML
document: the web app's GraphQL call in process, Jinja2, Babel) and, in turn with it, the
same GraphQL operation sent straight to `/graphql` with a token like the page's: the ratio
page / GraphQL is what the web app adds to the API. The gateway's `/health` is the floor of
one HTTP round trip through the same process. Signed-out pages read as the web app's reader
client; "my works" is a demo person's session cookie, signed with the run's session secret
as a sign-in leaves it (refreshed by the web app as a browser's would be).

Reported per page: p50 and p95 (ms), the same for its GraphQL operation, both ratios, and
the share of fetches under 1 s; and the share of all page fetches under 1 s."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from devstack.demo import DemoSettings, load_demo_data
from devstack.identity import Account, Identities
from itsdangerous import TimestampSigner
from web.queries import MY_WORKS, PAGE_SIZE, PARTY, SEARCH, WORK

from bench.common import RUN_ID, Latencies
from bench.platform import Platform, running_platform

BUDGET_SECONDS = 1.0
SESSION_SECRET = secrets.token_urlsafe(32)  # this run's: its cookies mean nothing elsewhere


class Timings:
    """One page's (or operation's) fetch times: percentiles and the share within the budget."""

    def __init__(self) -> None:
        self.latencies = Latencies()
        self.seconds: list[float] = []

    def record(self, seconds: float) -> None:
        self.latencies.record_seconds(seconds)
        self.seconds.append(seconds)

    def p(self, percentile: float) -> float:
        return float(self.latencies.h.get_value_at_percentile(percentile) / 1000)

    def under_budget(self) -> float:
        return sum(s < BUDGET_SECONDS for s in self.seconds) / max(1, len(self.seconds))


@contextmanager
def demo_prefix(prefix: str) -> Iterator[None]:
    """The demo's accounts under this run's prefix: a demo load deletes what an earlier load
    made under its prefix, and `make run`'s own demo accounts must stay."""
    before = os.environ.get("RIGHTS_DEMO_ACCOUNT_PREFIX")
    os.environ["RIGHTS_DEMO_ACCOUNT_PREFIX"] = prefix
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RIGHTS_DEMO_ACCOUNT_PREFIX", None)
        else:
            os.environ["RIGHTS_DEMO_ACCOUNT_PREFIX"] = before


def session_cookie(tokens: dict[str, Any]) -> str:
    """The web app's session as Starlette's SessionMiddleware signs it after a sign-in."""
    data = base64.b64encode(json.dumps({"tokens": tokens}).encode())
    return TimestampSigner(SESSION_SECRET).sign(data).decode()


async def timed(call: Callable[[], Awaitable[httpx.Response]], into: Timings) -> None:
    started = time.perf_counter()
    answer = await call()
    into.record(time.perf_counter() - started)
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url} answered {answer.status_code}")


async def run(requests: int, warmup: int) -> dict[str, Any]:
    prefix = f"bench-{RUN_ID}-demo"
    async with running_platform({"WEB_SESSION_SECRET": SESSION_SECRET}) as platform:
        with demo_prefix(prefix):
            await load_demo_data(platform.config)
        people = Identities(prefix)
        try:
            return await measure(platform, people, requests=requests, warmup=warmup)
        finally:
            await asyncio.to_thread(people.delete_created)
            people.close()


async def measure(platform: Platform, people: Identities, *, requests: int,
                  warmup: int) -> dict[str, Any]:
    ids = json.loads((platform.state_dir / "demo.json").read_text())
    settings = DemoSettings()
    user = await asyncio.to_thread(people.admin.user_by_username, f"{people.prefix}-somchai")
    assert user is not None, "the demo's accounts are not there"
    person = await people.signed_in(
        Account(user["id"], user["username"], user.get("email", ""),
                settings.password.get_secret_value()), ids["somchai"])
    reader = platform.token(None)  # acts for no party, as the web app's reader client
    site = platform.config.gateway_url.removesuffix("/graphql")
    works = (await platform.gql(SEARCH, {"filter": {"holderId": ids["somchai"]},
                                         "first": 1, "after": None}, reader))["works"]
    work_id = works["edges"][0]["node"]["id"]
    word = "Chiang Mai"
    # page name -> (path, operation, variables, token of the direct call)
    pages: dict[str, tuple[str, str, dict[str, Any], str]] = {
        "search": ("/", SEARCH, {"filter": {}, "first": PAGE_SIZE, "after": None}, reader),
        "search_text": (f"/?q={word.replace(' ', '+')}", SEARCH,
                        {"filter": {"text": word}, "first": PAGE_SIZE, "after": None}, reader),
        "work": (f"/works/{work_id}", WORK, {"id": work_id}, reader),
        "party": (f"/parties/{ids['somchai']}", PARTY,
                  {"id": ids["somchai"], "first": PAGE_SIZE, "after": None}, reader),
        "my_works": ("/my/works", MY_WORKS, {"first": PAGE_SIZE, "after": None}, ""),
    }
    tokens = person.tokens
    session = {"cookie": session_cookie({"access_token": tokens.access_token,
                                         "refresh_token": tokens.refresh_token,
                                         "expires_at": int(time.time()) + tokens.expires_in})}

    def bearer(fixed: str) -> Callable[[], str]:
        """The direct call's token: the reader's, or the person's own (kept fresh)."""
        return lambda: fixed or person.token

    results: dict[str, Any] = {}
    health, all_pages = Timings(), Timings()
    async with httpx.AsyncClient(base_url=site, timeout=60) as browser:
        for name, (path, operation, variables, token) in pages.items():
            shown, direct = await measure_page(
                browser, platform, session, path, operation, variables,
                token=bearer(token),
                health=health, requests=requests, warmup=warmup)
            all_pages.seconds += shown.seconds
            results[name] = {
                "path": path.replace(work_id, "{id}").replace(ids["somchai"], "{id}"),
                "count": requests,
                "p50_ms": shown.p(50), "p95_ms": shown.p(95),
                "graphql_p50_ms": direct.p(50), "graphql_p95_ms": direct.p(95),
                "ratio_p50": round(shown.p(50) / direct.p(50), 2),
                "ratio_p95": round(shown.p(95) / direct.p(95), 2),
                "under_1s_share": round(shown.under_budget(), 4),
            }
    return {
        "pages": results,
        "health_p50_ms": health.p(50), "health_p95_ms": health.p(95),
        "pages_under_1s_share": round(all_pages.under_budget(), 4),
        "worst_page_p95_ms": max(r["p95_ms"] for r in results.values()),
    }


async def measure_page(
    browser: httpx.AsyncClient, platform: Platform, session: dict[str, str], path: str,
    operation: str, variables: dict[str, Any], *, token: Callable[[], str], health: Timings,
    requests: int, warmup: int,
) -> tuple[Timings, Timings]:
    """One page and its GraphQL operation, in turn with the gateway's `/health`, so all
    three see the same load on the shared machine."""
    site = platform.config.gateway_url.removesuffix("/graphql")

    async def page() -> httpx.Response:
        answer = await browser.get(path, headers={
            "accept-language": "th", "cookie": f"rights_web={session['cookie']}"})
        # A refreshed session comes back as a new cookie, as a browser keeps it.
        session["cookie"] = answer.cookies.get("rights_web") or session["cookie"]
        return answer

    async def graphql() -> httpx.Response:
        return await platform.http.post(
            platform.config.gateway_url, json={"query": operation, "variables": variables},
            headers={"authorization": f"Bearer {token()}"})

    async def floor() -> httpx.Response:
        return await platform.http.get(f"{site}/health")

    for _ in range(warmup):
        await timed(page, Timings())
        await timed(graphql, Timings())
    shown, direct = Timings(), Timings()
    for _ in range(requests):
        await timed(page, shown)
        await timed(graphql, direct)
        await timed(floor, health)
    return shown, direct
