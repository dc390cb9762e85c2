"""The gateway serves /metrics in Prometheus's format, as every service does, with each
request's latency by route and status."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from .gateway_client import Gateway


def _count(exposition: str, route: str) -> float:
    for family in text_string_to_metric_families(exposition):
        if family.name != "rights_http_request_seconds":
            continue
        return sum(
            sample.value
            for sample in family.samples
            if sample.name.endswith("_count")
            and sample.labels.get("service") == "gateway"
            and sample.labels.get("route") == route
        )
    return 0.0


async def test_metrics_count_the_gateways_own_requests(gateway: Gateway, anyone: str) -> None:
    before = await gateway.client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    await gateway.raw("{ __typename }", token=anyone)
    await gateway.raw("{ __typename }", token=anyone)
    after = await gateway.client.get("/metrics")
    assert _count(after.text, "/graphql") == _count(before.text, "/graphql") + 2
