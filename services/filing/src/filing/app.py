"""The one wiring place of the filing service: `build` makes the runtime and the typed
service object the routes use; `create_app` serves them over HTTP."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import FILING_IMPORTS, FILING_PARTIES, FILING_WORKS
from fastapi import FastAPI
from runtime.service import ServiceRuntime

from filing.api import router
from filing.bulk_import.uploads import BulkImportPolicy
from filing.handlers import CONSUMERS
from filing.service import DisputePolicy, Filing, FilingWriter
from filing.settings import FilingSettings
from runtime import http

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: FilingSettings) -> tuple[ServiceRuntime, Filing]:
    """The runtime (database, relay, consumers) and the service the routes call."""
    # Work history is written by `repository` with each change, so no side-rows hook.
    runtime = ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        produces=[FILING_PARTIES, FILING_WORKS, FILING_IMPORTS],
        idempotency_keys=True,
    )
    for group_id, topics, handler in CONSUMERS:
        runtime.consumer(group_id=group_id, topics=topics, handler=handler)
    disputes = DisputePolicy(
        evidence_min=settings.dispute_evidence_min, daily_limit=settings.disputes_per_day
    )
    bulk = BulkImportPolicy(
        database_url=settings.database_url,
        chunk_size=settings.bulk_import_chunk_size,
        max_bytes=settings.bulk_import_max_bytes,
    )
    # Filings are committed in batches by one writer per process (ARCHITECTURE.md).
    writer = FilingWriter(
        runtime.uow, max_batch=settings.group_commit_max, writers=settings.group_commit_writers
    )
    runtime.add(writer)
    filing = runtime.handle(Filing, disputes=disputes, bulk=bulk, writer=writer)
    return runtime, filing


def create_app(settings: FilingSettings | None = None) -> FastAPI:
    """The filing service's ASGI app; start-up migrates, ensures topics, starts the relay."""
    runtime, filing = build(settings or FilingSettings())
    return http.create_app(runtime, title="filing", routers=[router], handle=filing)
