"""Usage lines through GraphQL against the running services, real Kafka and Postgres: a file
uploaded (GraphQL multipart request spec) and a batch reported by API, matched to a
recording by its ISRC, stated on the licence's statement line by line, and a queued line
claimed by the work's owner."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from devstack.identity import Identities

from .test_deal_through_graphql import Platform, platform, register  # noqa: F401

pytestmark = pytest.mark.slow

RESULT = """result { usageFile received duplicates refused matchedByIsrc unmatched stated queued
                     errors { line field reason } }
            errors { code message field }"""
UPLOAD = f"""mutation ($f: Upload!, $k: String) {{
  uploadUsageFile(file: $f, format: CSV, fileKey: $k) {{ {RESULT} }} }}"""


async def test_usage_lines_are_matched_stated_and_claimed_through_graphql(
    identities: Identities, platform: Platform  # noqa: F811
) -> None:
    alice, alice_token = await register(platform, identities, "Alice Recording Artist")
    lee, lee_token = await register(platform, identities, "Lee Streaming Co")
    isrc = f"THA12{datetime.now(UTC).year % 100:02d}{uuid.uuid4().int % 100000:05d}"
    filed = (await platform.call(
        """mutation ($i: FileWorkInput!) { fileWork(input: $i) { work { id status }
             errors { code message field } } }""",
        {"i": {"title": f"River Song {uuid.uuid4().hex[:6]}", "kind": "SOUND_RECORDING",
               "countryOfOrigin": "TH", "identifiers": {"isrc": isrc},
               "rightsHolders": [{"partyId": alice, "role": "PERFORMER", "share": "100.00"}]}},
        alice_token))["fileWork"]  # fmt: skip
    assert filed["errors"] == [] and filed["work"]["status"] == "REGISTERED", filed
    work_id = filed["work"]["id"]
    today = datetime.now(UTC).date()
    offered = (await platform.call(
        """mutation ($i: OfferLicenceInput!) { offerLicence(input: $i) { licence { id }
             errors { code message field } } }""",
        {"i": {"workId": work_id, "licenseeId": lee, "territories": ["TH"],
               "media": ["STREAMING"], "exclusive": False,
               "start": (today - timedelta(days=60)).isoformat(),
               "end": (today + timedelta(days=300)).isoformat(), "royaltyRate": "10.00",
               "currency": "USD"}}, alice_token))["offerLicence"]  # fmt: skip
    assert offered["errors"] == [], offered
    licence_id = offered["licence"]["id"]
    accepted = (await platform.call(
        "mutation ($l: ID!) { acceptLicence(licenceId: $l) { errors { code } } }",
        {"l": licence_id}, lee_token))["acceptLicence"]  # fmt: skip
    assert accepted["errors"] == []

    day = (today - timedelta(days=1)).isoformat()
    csv = ("line_key,isrc,title,units,revenue,currency,territory,period_start,period_end\n"
           f"u1,{isrc},River,100,25.00,USD,TH,{day},{day}\n"
           f"u2,,Zzxq Unheard {uuid.uuid4().hex[:6]},3,2.00,USD,TH,{day},{day}\n"
           f"u3,,No Units,many,1.00,USD,TH,{day},{day}\n")  # fmt: skip
    uploaded = await platform.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": UPLOAD, "variables": {"f": None, "k": "gq-1"}}),
              "map": json.dumps({"0": ["variables.f"]})},
        files={"0": ("usage.csv", csv.encode(), "text/csv")},
        headers={"authorization": f"Bearer {lee_token}"},
    )  # fmt: skip
    result = uploaded.json()["data"]["uploadUsageFile"]
    assert result["errors"] == [], result
    assert result["result"] == {
        "usageFile": "gq-1", "received": 2, "duplicates": 0, "refused": 1, "matchedByIsrc": 1,
        "unmatched": 1, "stated": 1, "queued": 1,
        "errors": [{"line": 4, "field": "units", "reason": "units: a whole number >= 0, got 'many'"}],
    }  # fmt: skip

    batch = (await platform.call(
        f"""mutation ($i: ReportUsageLinesInput!) {{ reportUsageLines(input: $i) {{ {RESULT} }} }}""",
        {"i": {"usageFile": "api-1", "lines": [
            {"lineKey": "b1", "isrc": isrc, "title": "River", "units": 7, "revenue": "0.05",
             "currency": "USD", "territory": "TH", "periodStart": day, "periodEnd": day}]}},
        lee_token))["reportUsageLines"]  # fmt: skip
    assert (batch["result"]["received"], batch["result"]["matchedByIsrc"]) == (1, 1), batch

    statements = (await platform.call(
        """query ($l: ID!) { licence(id: $l) { usageReports { usageFile units }
             statements { royalty payable usageLines { lineKey workId revenue royalty } } } }""",
        {"l": licence_id}, alice_token))["licence"]  # fmt: skip
    assert sorted((r["usageFile"], r["units"]) for r in statements["usageReports"]) == [
        ("api-1", 7), ("gq-1", 100)]
    lines = sorted((line for s in statements["statements"] for line in s["usageLines"] or []),
                   key=lambda line: line["lineKey"])
    # 10 % of 25.00, and of 0.05 (0.005, half up to 0.01).
    assert lines == [
        {"lineKey": "b1", "workId": work_id, "revenue": "0.05", "royalty": "0.01"},
        {"lineKey": "u1", "workId": work_id, "revenue": "25.00", "royalty": "2.50"},
    ]

    queue = (await platform.call(
        "{ usageLineQueue(first: 100) { nodes { id lineKey usageFile revenue status } } }",
        token=alice_token))["usageLineQueue"]["nodes"]  # fmt: skip
    queued = next(n for n in queue if n["usageFile"] == "gq-1" and n["lineKey"] == "u2")
    assert queued["revenue"] is None and queued["status"] == "QUEUED"
    claimed = (await platform.call(
        """mutation ($l: ID!, $w: ID!) { claimUsageLine(lineId: $l, workId: $w) {
             line { status method confidence royalty workId } errors { code field } } }""",
        {"l": queued["id"], "w": work_id}, alice_token))["claimUsageLine"]  # fmt: skip
    assert claimed == {"line": {"status": "STATED", "method": "CLAIM", "confidence": "1.000",
                                "royalty": "0.20", "workId": work_id}, "errors": []}
    again = (await platform.call(
        """mutation ($l: ID!, $w: ID!) { claimUsageLine(lineId: $l, workId: $w) {
             line { status } errors { code field } } }""",
        {"l": queued["id"], "w": work_id}, alice_token))["claimUsageLine"]  # fmt: skip
    assert again["line"] is None and again["errors"][0]["code"] == "LINE_ALREADY_MATCHED"

