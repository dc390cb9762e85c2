"""A page of nested works over real HTTP, in front of the running services (real PostgreSQL and
Kafka): the gateway makes the same service calls for a page of 1, 10 or 100 works, each with
its holders' parties, its licences and their statements (ARCHITECTURE.md, the gateway), and
shows each caller only the licences DOMAIN.md "Access" lets them see."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from devstack.identity import Identities
from devstack.polling import eventually

from tests.co_owners import confirm_over_graphql

from .served import Gateway, register

pytestmark = pytest.mark.slow

WORKS = 100

FILE = """mutation ($i: FileWorkInput!) { fileWork(input: $i) {
  work { id status } errors { code message } } }"""
OFFER = """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) {
  licence { id } errors { code message } } }"""
ACCEPT = """mutation ($l: ID!) { acceptLicence(licenceId: $l) {
  licence { status } errors { code message } } }"""
USAGE = """mutation ($i: ReportUsageInput!) { reportUsage(input: $i) {
  statement { id } errors { code message } } }"""

NESTED = """query ($first: Int!, $holder: ID!) {
  works(first: $first, filter: {holderId: $holder}) { totalCount edges { node {
    id title
    rightsHolders { role share party { id name } }
    licences { id status licensee { name } terms { royaltyRate currency }
      statements { id payable currency lines { amount party { name } } } } } } } }"""


async def _data(gw: Gateway, query: str, variables: dict[str, Any], token: str) -> Any:
    body = (await gw.post(query, variables, token)).json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


async def _seed(gw: Gateway, identities: Identities) -> dict[str, tuple[str, str]]:
    """WORKS works of a composer and a lyricist, each licensed to a streamer, used and paid."""
    people = {name: await register(gw, identities, name)
              for name in ("Composer", "Lyricist", "Streamer")}
    composer, composer_token = people["Composer"]
    lyricist, lyricist_token = people["Lyricist"]
    streamer, streamer_token = people["Streamer"]
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=120), today + timedelta(days=240)
    tag = uuid.uuid4().hex[:8]
    gate = asyncio.Semaphore(4)  # the services here have pools of two connections

    async def one(n: int) -> None:
        async with gate:
            filed = (await _data(gw, FILE, {"i": {
                "title": f"Nested page {tag} {n}", "kind": "MUSICAL_WORK", "countryOfOrigin": "TH",
                "rightsHolders": [{"partyId": composer, "role": "COMPOSER", "share": "60.00"},
                                  {"partyId": lyricist, "role": "LYRICIST", "share": "40.00"}]}},
                composer_token))["fileWork"]
            assert filed["errors"] == [], filed
            await confirm_over_graphql(partial(_data, gw), filed["work"]["id"], [lyricist_token])
            offer = {"i": {"workId": filed["work"]["id"], "licenseeId": streamer,
                           "territories": ["TH"], "media": ["STREAMING"], "exclusive": False,
                           "start": start.isoformat(), "end": end.isoformat(),
                           "royaltyRate": "10.00", "advance": "0.00", "currency": "THB"}}

            async def offered() -> str | None:
                # Licensing learns of the registered work from filing's event.
                answer = (await _data(gw, OFFER, offer, composer_token))["offerLicence"]
                if answer["errors"]:
                    assert answer["errors"][0]["code"] == "UNKNOWN_WORK", answer
                    return None
                return str(answer["licence"]["id"])

            licence_id = await eventually(offered)
            accepted = (await _data(gw, ACCEPT, {"l": licence_id}, streamer_token))
            assert accepted["acceptLicence"]["errors"] == [], accepted
            used = (await _data(gw, USAGE, {"i": {
                "licenceId": licence_id, "periodStart": start.isoformat(),
                "periodEnd": (start + timedelta(days=89)).isoformat(),
                "units": 1000, "grossRevenue": "1234.50"}}, streamer_token))["reportUsage"]
            assert used["errors"] == [], used

    await asyncio.gather(*(one(n) for n in range(WORKS)))
    return people


async def test_a_page_of_1_10_or_100_nested_works_makes_the_same_service_calls(
    identities: Identities, gateway: Callable[..., Any], token_for: Callable[..., str],
) -> None:
    async with gateway(rate_limit_mutations="100000/minute",
                       rate_limit_per_account="100000/minute",
                       rate_limit_per_ip="100000/minute") as gw:
        people = await _seed(gw, identities)
        composer, composer_token = people["Composer"]
        calls: dict[int, Counter[str]] = {}
        for size in (1, 10, 100):
            gw.calls.clear()
            page = (await _data(gw, NESTED, {"first": size, "holder": composer},
                                composer_token))["works"]
            calls[size] = Counter(gw.calls)
            nodes = [edge["node"] for edge in page["edges"]]
            assert len(nodes) == size and page["totalCount"] == WORKS
            for node in nodes:
                assert {h["party"]["name"] for h in node["rightsHolders"]} == {
                    "Composer", "Lyricist"}
                [licence] = node["licences"]
                assert licence["licensee"]["name"] == "Streamer"
                [statement] = licence["statements"]
                assert statement["payable"] == "123.45"
                assert {line["party"]["name"] for line in statement["lines"]} == {
                    "Composer", "Lyricist"}
        # One call per kind of object: the search, parties, licences, statements, whatever
        # the page's size.
        assert calls[1] == calls[10] == calls[100], calls
        assert sum(calls[100].values()) <= 5, calls[100]

        # The same page, to someone outside every deal: the register, and no licence.
        stranger = token_for(uuid.uuid4())
        gw.calls.clear()
        page = (await _data(gw, NESTED, {"first": 100, "holder": composer}, stranger))["works"]
        assert len(page["edges"]) == WORKS
        assert all(edge["node"]["licences"] == [] for edge in page["edges"])
        assert Counter(gw.calls) <= calls[100]
