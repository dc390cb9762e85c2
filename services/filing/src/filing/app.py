"""The one wiring place of the filing service: `build` makes the runtime and the typed
service object the routes use; `create_app` serves them over HTTP."""

from __future__ import annotations

import functools
from pathlib import Path

from contracts.topics import FILING_IMPORTS, FILING_PARTIES, FILING_SOCIETIES, FILING_WORKS
from fastapi import FastAPI
from runtime.service import PeriodicJob, ServiceRuntime

from filing.api import router
from filing.bulk_import.uploads import BulkImportPolicy
from filing.domain.cwr_records import Sender
from filing.handlers import CONSUMERS
from filing.service import (
    ConsentPolicy,
    DisputePolicy,
    Filing,
    FilingWriter,
    return_lapsed_filings,
)
from filing.settings import FilingSettings
from filing.societies import CwrPolicy, export_due
from runtime import http

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: FilingSettings) -> tuple[ServiceRuntime, Filing]:
    """The runtime (database, relay, consumers) and the service the routes call."""
    # Work history is written by `repository` with each change, so no side-rows hook.
    runtime = ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        produces=[FILING_PARTIES, FILING_WORKS, FILING_IMPORTS, FILING_SOCIETIES],
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
        consent_days=settings.consent_days,
    )
    consent = ConsentPolicy(days=settings.consent_days)
    # Filings are committed in batches by one writer per process (ARCHITECTURE.md).
    writer = FilingWriter(
        runtime.uow,
        max_batch=settings.group_commit_max,
        writers=settings.group_commit_writers,
        consent=consent,
    )
    runtime.add(writer)
    cwr = cwr_policy(settings)
    filing = runtime.handle(
        Filing, disputes=disputes, consent=consent, bulk=bulk, writer=writer, cwr=cwr
    )
    if settings.consent_interval_seconds > 0:
        runtime.add(
            PeriodicJob(
                "consent-lapse",
                functools.partial(return_lapsed_filings, uow=runtime.uow),
                settings.consent_interval_seconds,
            )
        )
    if settings.cwr_export_interval_seconds > 0:
        runtime.add(
            PeriodicJob(
                "cwr-export",
                functools.partial(export_due, uow=runtime.uow, policy=cwr,
                                  societies=settings.cwr_export_societies),
                settings.cwr_export_interval_seconds,
            )
        )
    return runtime, filing


def cwr_policy(settings: FilingSettings) -> CwrPolicy:
    return CwrPolicy(
        sender=Sender(
            type=settings.cwr_sender_type, id=settings.cwr_sender_id,
            name=settings.cwr_sender_name, code=settings.cwr_sender_code,
        )
    )


def create_app(settings: FilingSettings | None = None) -> FastAPI:
    """The filing service's ASGI app; start-up migrates, ensures topics, starts the relay."""
    runtime, filing = build(settings or FilingSettings())
    return http.create_app(runtime, title="filing", routers=[router], handle=filing)
