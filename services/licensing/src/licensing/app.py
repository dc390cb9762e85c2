"""The one wiring place of the licensing process: runtime, register consumer, expiry job,
HTTP routes."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import (
    FILING_PARTIES,
    FILING_WORKS,
    LICENSING_LICENCES,
    LICENSING_ROYALTIES,
)
from fastapi import FastAPI
from runtime.http import create_app as create_http_app
from runtime.http import prepare_process, serve
from runtime.service import ServiceRuntime

from licensing import amendment_api, api, ledger_api
from licensing.events import side_rows
from licensing.expiry import expiry_job
from licensing.handlers import apply_register_events
from licensing.service import Licensing
from licensing.settings import LicensingSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: LicensingSettings) -> tuple[ServiceRuntime, Licensing]:
    runtime = ServiceRuntime(
        settings,
        migrations_dir=MIGRATIONS,
        produces=[LICENSING_LICENCES, LICENSING_ROYALTIES],
        side_rows=side_rows,
        idempotency_keys=True,
    )
    register = runtime.consumer(
        group_id=settings.register_group,
        topics=[FILING_PARTIES, FILING_WORKS],
        handler=apply_register_events,
    )
    runtime.add(expiry_job(runtime.uow, settings.expiry_interval_seconds))
    licensing = runtime.handle(Licensing, register=register, settings=settings)
    return runtime, licensing


def serve_http(runtime: ServiceRuntime, licensing: Licensing) -> FastAPI:
    """The HTTP app of a built service (its lifespan starts and stops the runtime)."""
    return create_http_app(
        runtime,
        title="licensing",
        routers=[api.router, ledger_api.router, amendment_api.router],
        handle=licensing,
    )


def create_app(settings: LicensingSettings | None = None) -> FastAPI:
    return serve_http(*build(settings or LicensingSettings()))


def main() -> None:
    settings = LicensingSettings()
    prepare_process(settings)
    serve(create_app(settings), settings)
