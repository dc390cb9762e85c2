"""Wiring of the licensing process: runtime, register consumer, expiry job, HTTP routes."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import (
    FILING_PARTIES,
    FILING_WORKS,
    LICENSING_LICENCES,
    LICENSING_ROYALTIES,
)
from fastapi import FastAPI
from runtime.http import create_app, prepare_process, serve
from runtime.service import ServiceRuntime

from licensing.api import Licensing, router
from licensing.expiry import expiry_job
from licensing.handlers import apply_register_batch
from licensing.settings import LicensingSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(settings: LicensingSettings) -> tuple[ServiceRuntime, Licensing]:
    runtime = ServiceRuntime(
        settings, migrations_dir=MIGRATIONS, produces=[LICENSING_LICENCES, LICENSING_ROYALTIES]
    )
    register = runtime.consumer(
        group_id=settings.register_group,
        topics=[FILING_PARTIES, FILING_WORKS],
        # Until the handlers take the unit of work themselves (issue 13).
        handler=lambda uow, events: apply_register_batch(uow.session, events),
    )
    runtime.add(expiry_job(runtime.sessions, settings.expiry_interval_seconds))
    return runtime, Licensing(sessions=runtime.sessions, waiter=register, settings=settings)


def build_app(settings: LicensingSettings | None = None) -> FastAPI:
    settings = settings or LicensingSettings()
    runtime, licensing = build_runtime(settings)
    app = create_app(runtime, title="licensing", routers=[router])
    app.state.licensing = licensing
    return app


def main() -> None:
    settings = LicensingSettings()
    prepare_process(settings)
    serve(build_app(settings), settings)
