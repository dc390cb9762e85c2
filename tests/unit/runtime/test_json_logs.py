"""Log lines are JSON, one object per line, with the service, the trace id inside a span, and
the aggregate id while a consumer applies an event about it."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider
from runtime.telemetry import AGGREGATE_ID, JsonLogFormatter


def render(message: str) -> dict[str, object]:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, None, None)
    line = JsonLogFormatter().format(record)
    assert "\n" not in line
    parsed: dict[str, object] = json.loads(line)
    return parsed


def test_log_line_carries_trace_id_and_aggregate_id() -> None:
    tracer = TracerProvider().get_tracer("test")
    token = AGGREGATE_ID.set("work-42")
    try:
        with tracer.start_as_current_span("handle") as span:
            entry = render("applied\nwith a newline")
            trace_id = format(span.get_span_context().trace_id, "032x")
    finally:
        AGGREGATE_ID.reset(token)
    assert entry["trace_id"] == trace_id
    assert entry["aggregate_id"] == "work-42"
    assert entry["message"] == "applied\nwith a newline"
    assert "aggregate_id" not in render("outside any event")
