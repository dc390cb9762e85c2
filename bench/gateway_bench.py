"""Scenario 4, the gateway: a nested query (works with holders, licences, statements) at page
sizes 1, 10, 100; latency and backend calls per request, against the same data fetched
straight from the services' HTTP APIs.

Gateway and direct requests alternate, so both see the same load on the shared machine;
`ratio_p50_page100` is issue 17's figure. `BENCH_GATEWAY_REQUESTS` sets the samples behind
each percentile (1,000 or more for a p99 worth reading).

What limits it (py-spy of the gateway during this scenario): the backend calls are the same
four a hand-written client makes, at every page size; what remains is graphql-core completing
each selected field of each object (about 35 per work, 3,500 on a page of 100: executor,
strawberry's field wrappers and the reply-to-object conversion), CPU the direct fetch does
not spend. Plain fields (an attribute of a scalar or enum type) already skip graphql-core's
resolve info and strawberry's wrappers (gateway/schema/execution.py); what remains is the
reply-to-object conversion of every field, JSON in and out, and the fields with resolvers.
Next step: convert only selected fields, or serve such pages from a compiled plan."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Latencies
from bench.platform import (
    FILE,
    Platform,
    confirm_holding,
    cpu_share,
    cpu_snapshot,
    file_input,
    profiling_self,
    register_party,
)

OFFER = """mutation($input: OfferLicenceInput!) {
  offerLicence(input: $input) { licence { id } errors { code message } } }"""
ACCEPT = """mutation($id: ID!) {
  acceptLicence(licenceId: $id) { licence { id status } errors { code message } } }"""
USAGE = """mutation($input: ReportUsageInput!) {
  reportUsage(input: $input) { statement { id } errors { code message } } }"""

NESTED = """query($first: Int!, $holder: ID!) {
  works(first: $first, filter: {holderId: $holder}) { totalCount edges { node {
    id title status registrationNumber
    rightsHolders { role share party { id name country } }
    licences { id status terms { territories royaltyRate currency }
      statements { id periodStart periodEnd royalty payable currency } } } } } }"""


def _ok(payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("errors"):
        raise RuntimeError(payload["errors"])
    return payload


async def seed(platform: Platform, works: int) -> tuple[str, str, str]:
    """`works` registered works of two owners, each with an active licence and a statement."""
    owner, owner_token = await register_party(platform, "Gateway bench composer")
    co, co_token = await register_party(platform, "Gateway bench lyricist")
    licensee, licensee_token = await register_party(platform, "Gateway bench streamer")
    gate = asyncio.Semaphore(8)
    # A licence in force today whose first quarter is over, whenever the bench runs.
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=120), today + timedelta(days=240)
    quarter_end = start + timedelta(days=89)

    async def one(n: int) -> None:
        async with gate:
            work = _ok((await platform.gql(FILE, file_input(
                f"Gateway bench work {n} {owner[:8]}",
                [(owner, "COMPOSER", "60"), (co, "LYRICIST", "40")]), owner_token))["fileWork"])
            await confirm_holding(platform, work["work"]["id"], co_token)
            offer = _ok((await platform.gql(OFFER, {"input": {
                "workId": work["work"]["id"], "licenseeId": licensee, "territories": ["TH", "VN"],
                "media": ["STREAMING"], "exclusive": False, "start": start.isoformat(),
                "end": end.isoformat(), "royaltyRate": "10.00", "advance": "0.00",
                "currency": "THB"}}, owner_token))["offerLicence"])
            licence_id = offer["licence"]["id"]
            _ok((await platform.gql(ACCEPT, {"id": licence_id}, licensee_token))["acceptLicence"])
            _ok((await platform.gql(USAGE, {"input": {
                "licenceId": licence_id, "periodStart": start.isoformat(),
                "periodEnd": quarter_end.isoformat(),
                "units": 1000, "grossRevenue": "1234.50"}}, licensee_token))["reportUsage"])

    await asyncio.gather(*(one(n) for n in range(works)))
    return owner, owner_token, licensee


async def direct(platform: Platform, token: str, owner: str, first: int) -> int:
    """The same data from the services' HTTP APIs, as a hand-written client would fetch it."""
    http = platform.http
    headers = {"Authorization": f"Bearer {token}"}
    filing = platform.config.service_url("filing")
    licensing = platform.config.service_url("licensing")
    page = (await http.get(f"{filing}/works/search", params={"holder_id": owner, "first": first},
                           headers=headers)).json()
    works = page["items"]
    party_ids = sorted({h["party_id"] for w in works for h in w["rights_holders"]})
    work_ids = [w["id"] for w in works]
    parties, licences = await asyncio.gather(
        http.get(f"{filing}/parties", params={"ids": ",".join(party_ids)}, headers=headers),
        http.get(f"{licensing}/licences/by-work", params={"work_ids": ",".join(work_ids)},
                 headers=headers),
    )
    licence_ids = [lic["id"] for group in licences.json()["items"].values() for lic in group]
    statements = (await http.get(f"{licensing}/statements",
                                 params={"licence_ids": ",".join(licence_ids)},
                                 headers=headers)).json()["items"]
    assert parties.status_code == 200
    return len(works) + len(statements)


async def calls_per_request(platform: Platform, call: Any, times: int) -> float:
    """The services' requests per call (their own /metrics), over `times` calls alone."""
    before = await platform.backend_requests()
    for _ in range(times):
        await call()
    return round((await platform.backend_requests() - before) / times, 2)


async def measure_pair(gateway: Any, direct: Any, requests: int) -> tuple[Latencies, Latencies]:
    """Gateway and direct fetch in turn, so both see the same load on the shared machine."""
    hists = Latencies(), Latencies()
    for _ in range(requests):
        for call, hist in zip((gateway, direct), hists, strict=True):
            started = time.perf_counter()
            await call()
            hist.record_seconds(time.perf_counter() - started)
    return hists


async def run(platform: Platform, *, works: int, requests: int, warmup: int,
              page_sizes: tuple[int, ...] = (1, 10, 100),
              profile_dir: Path | None = None) -> dict[str, Any]:
    owner, token, _ = await seed(platform, works)
    rows: list[dict[str, Any]] = []
    profiles: dict[str, Any] = {}
    for size in page_sizes:
        size = min(size, works)

        async def via_gateway(size: int = size) -> None:
            data = await platform.gql(NESTED, {"first": size, "holder": owner}, token)
            assert len(data["works"]["edges"]) == size

        async def straight(size: int = size) -> None:
            await direct(platform, token, owner, size)

        # The warm-up counts the services' requests (nothing else calls them meanwhile).
        calls = await calls_per_request(platform, via_gateway, max(warmup, 1))
        direct_calls = await calls_per_request(platform, straight, max(warmup, 1))
        # The largest page is the figure: the gateway process is profiled while it is measured,
        # and every process's CPU is taken over the same window (what the time goes to).
        profiled = size == min(page_sizes[-1], works)
        before, started = cpu_snapshot(platform), time.perf_counter()
        with profiling_self(profile_dir if profiled else None, "gateway", profiles,
                            pid=platform.pids["gateway"]):
            gw, fetched = await measure_pair(via_gateway, straight, requests)
        cpu = cpu_share(before, cpu_snapshot(platform), time.perf_counter() - started)
        g, d = gw.summary_ms(), fetched.summary_ms()
        rows.append({
            "page_size": size, "gateway": g, "direct": d, "cpu_cores_used": cpu,
            "gateway_hist": gw, "direct_hist": fetched,
            "backend_calls_per_request": calls,
            "direct_calls_per_request": direct_calls,
            "ratio": {"gateway_p50_over_direct_p50": round(g["p50_ms"] / d["p50_ms"], 2),
                      "gateway_p99_over_direct_p99": round(g["p99_ms"] / d["p99_ms"], 2)},
        })
    largest = rows[-1]
    return {
        "setup": {"data": f"{works} registered works (2 holders each), each with an ACTIVE "
                          "licence and one royalty statement, seeded through GraphQL",
                  "query": "works(first: N, filter: {holderId}) { rightsHolders { party } "
                           "licences { terms statements } }, as the owner",
                  "direct": "filing /works/search, then filing /parties?ids= and licensing "
                            "/licences/by-work in parallel, then licensing /statements",
                  "requests": f"{requests} per page size through the gateway and as many "
                              "direct, in turn (BENCH_GATEWAY_REQUESTS; at least 1,000 for a "
                              f"p99 worth reading), after {warmup} warm-up of each",
                  "backend_calls": "from the services' own /metrics "
                                   "(rights_http_request_seconds_count; scrapes excluded), "
                                   "over the warm-up requests"},
        "pages": rows,
        "profiles": profiles,
        # Issue 17's figure: the page of 100 (the largest page when fewer works are seeded).
        "ratio_p50_page100": largest["ratio"]["gateway_p50_over_direct_p50"],
        "ratio_page_size": largest["page_size"],
        "ratio_definition": "gateway latency / the same data fetched straight from the "
                            "services' HTTP APIs (same percentile)",
    }
