"""One trace per deal step: the gateway's mutation span is the ancestor of the filing service's
HTTP span, its database spans, the outbox publish, and the licensing and notifications
consumers' spans with their own database writes (spans exported as JSON lines by every
process of the running platform)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status } errors { code message field } } }"""


def ancestors(span: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    chain = []
    parent = span.get("parent_id")
    while parent and parent in by_id:
        chain.append(by_id[parent])
        parent = by_id[parent].get("parent_id")
    return chain


async def test_file_work_is_one_trace_across_gateway_filing_kafka_and_consumers(
    platform: Any,
) -> None:
    tracer = await platform.sign_up(f"Tracer {uuid.uuid4().hex[:6]}", "SG")
    party, token = tracer.party_id, tracer.token
    title = f"Trace song {uuid.uuid4().hex[:8]}"
    filed = await platform.gql(
        FILE,
        {
            "input": {
                "title": title,
                "kind": "MUSICAL_WORK",
                "countryOfOrigin": "SG",
                "rightsHolders": [{"partyId": party, "role": "COMPOSER", "share": "100"}],
            }
        },
        token,
    )
    work_id = filed["fileWork"]["work"]["id"]

    def consumer_spans(spans: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        found = {}
        for s in spans:
            if (
                s["kind"] == "CONSUMER"
                and s["attributes"].get("cloudevents.event_subject") == work_id
                and s["attributes"].get("cloudevents.event_type", "").endswith("work.registered.v1")
            ):
                found[s["service"]] = s
        return found

    deadline = time.monotonic() + 60
    while set(consumer_spans(platform.spans())) < {"licensing", "notifications"}:
        assert time.monotonic() < deadline, "consumers' spans never arrived"
        await asyncio.sleep(0.2)

    spans = platform.spans()
    by_id = {s["span_id"]: s for s in spans}
    consumers = consumer_spans(spans)
    trace_id = consumers["licensing"]["trace_id"]
    assert consumers["notifications"]["trace_id"] == trace_id
    in_trace = [s for s in spans if s["trace_id"] == trace_id]
    services = {s["service"] for s in in_trace}
    assert {"gateway", "filing", "licensing", "notifications"} <= services

    for service in ("licensing", "notifications"):
        chain = ancestors(consumers[service], by_id)
        kinds = [(s["service"], s["kind"]) for s in chain]
        # consumer <- outbox publish (filing) <- filing HTTP server span <- ... <- gateway
        assert kinds[0] == ("filing", "PRODUCER"), kinds
        assert ("filing", "SERVER") in kinds, kinds
        assert chain[-1]["service"] == "gateway", kinds
        # the consumer's own database writes nest under its span
        writes = [
            s
            for s in in_trace
            if s["service"] == service
            and s["kind"] == "CLIENT"
            and consumers[service] in ancestors(s, by_id)
        ]
        assert writes, f"no database span under the {service} consumer"

    filing_server = next(s for s in in_trace if s["service"] == "filing" and s["kind"] == "SERVER")
    filing_db = [
        s
        for s in in_trace
        if s["service"] == "filing"
        and s["kind"] == "CLIENT"
        and filing_server in ancestors(s, by_id)
    ]
    assert filing_db, "no database span under the filing request"
