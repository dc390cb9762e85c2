"""OpenTelemetry tracing and JSON logs, set up once per process.

Exporters: OTLP over HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; a JSON-lines file when
`RIGHTS_TRACE_FILE` is set (the e2e tests read it to check that one deal is one trace);
nothing otherwise. The SDK's standard variables are honoured: `OTEL_SERVICE_NAME` names the
process in traces (over the service's own name), `OTEL_TRACES_SAMPLER` and
`OTEL_TRACES_SAMPLER_ARG` choose the sampler when spans are exported (the SDK reads them),
`OTEL_SDK_DISABLED=true` installs no SDK at all (tracing calls are no-ops), and the OTLP
exporter reads its own `OTEL_EXPORTER_OTLP_*` (headers, timeout, per-signal endpoint).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

_configured = False
SERVICE_NAME = "rights"
# The aggregate (work, licence, party) the current code works on, for every log line it writes.
AGGREGATE_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "aggregate_id", default=None
)


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object per line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            parent = span.parent
            lines.append(
                json.dumps(
                    {
                        "service": span.resource.attributes.get("service.name"),
                        "name": span.name,
                        "kind": span.kind.name,
                        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
                        "span_id": format(ctx.span_id, "016x") if ctx else None,
                        "parent_id": format(parent.span_id, "016x") if parent else None,
                        "start": span.start_time,
                        "end": span.end_time,
                        "attributes": {k: str(v) for k, v in (span.attributes or {}).items()},
                    }
                )
            )
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return SpanExportResult.SUCCESS


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, carrying the trace id so a log line leads to its trace."""

    def format(self, record: logging.LogRecord) -> str:
        span = trace.get_current_span().get_span_context()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": SERVICE_NAME,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        aggregate = AGGREGATE_ID.get()
        if aggregate is not None:
            entry["aggregate_id"] = aggregate
        for key in ("aggregate_id", "event_type", "event_id", "topic"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = str(value)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(service_name: str, *, level: str = "INFO", as_json: bool = True) -> None:
    global SERVICE_NAME
    SERVICE_NAME = service_name
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonLogFormatter() if as_json else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "uvicorn.access", "faststream.access.kafka", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def setup_tracing(service_name: str) -> TracerProvider | None:
    """Installs the global tracer provider once per process (none when the SDK is
    disabled)."""
    global _configured
    provider = trace.get_tracer_provider()
    if _configured:
        return provider if isinstance(provider, TracerProvider) else None
    built = tracer_provider(service_name)
    if built is not None:
        trace.set_tracer_provider(built)
    _configured = True
    return built


def sdk_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def tracer_provider(service_name: str) -> TracerProvider | None:
    """The provider the environment asks for (module docstring), not installed; None when
    OTEL_SDK_DISABLED is true (the API's no-op tracer stays)."""
    if sdk_disabled():
        return None
    otlp = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    trace_file = os.environ.get("RIGHTS_TRACE_FILE")
    resource = Resource.create(
        {"service.name": os.environ.get("OTEL_SERVICE_NAME") or service_name}
    )
    if not otlp and not trace_file:
        # No exporter: sample nothing, so spans are not recorded only to be dropped (the
        # benchmarks saw that cost on every statement), while trace ids are still made,
        # propagated and written in the logs.
        return TracerProvider(resource=resource, sampler=ALWAYS_OFF)
    # No sampler given: the SDK takes OTEL_TRACES_SAMPLER / _ARG (default: parent-based,
    # always on).
    provider = TracerProvider(resource=resource)
    if otlp:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if trace_file:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(trace_file)))
    return provider


def instrument_engine(engine: Any) -> None:
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, enable_commenter=False)


def instrument_app(app: Any) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,ready,metrics")


def instrument_httpx() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()
