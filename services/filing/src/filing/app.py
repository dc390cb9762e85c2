"""Wiring of the filing service: settings, the shared runtime, and the HTTP app."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import FILING_PARTIES, FILING_WORKS
from fastapi import FastAPI
from pydantic import Field
from runtime.http import create_app
from runtime.service import ServiceRuntime
from runtime.settings import ServiceSettings, service_settings_config

from filing.api import router
from filing.domain.disputes import DISPUTES_PER_DAY_DEFAULT, EVIDENCE_MAX, EVIDENCE_MIN_DEFAULT

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class FilingSettings(ServiceSettings):
    """`FILING_*` variables (FILING_DATABASE_URL, FILING_PORT, ...) over the platform's."""

    model_config = service_settings_config("FILING_")

    service_name: str = "filing"
    database_url: str = "postgresql+asyncpg://filing:filing@127.0.0.1:5432/filing"
    port: int = 8001
    # A dispute's standing without a claimed share needs this much evidence (DOMAIN.md).
    dispute_evidence_min: int = Field(default=EVIDENCE_MIN_DEFAULT, ge=1, le=EVIDENCE_MAX)
    # Disputes a party (not an examiner) may open per UTC day of the database.
    disputes_per_day: int = Field(default=DISPUTES_PER_DAY_DEFAULT, ge=1)


def build_runtime(settings: FilingSettings) -> ServiceRuntime:
    return ServiceRuntime(
        settings, migrations_dir=MIGRATIONS_DIR, produces=[FILING_PARTIES, FILING_WORKS]
    )


def create_filing_app(settings: FilingSettings | None = None) -> FastAPI:
    """The filing service's ASGI app; start-up migrates, ensures topics, starts the relay."""
    settings = settings or FilingSettings()
    return create_app(build_runtime(settings), title="filing", routers=[router])
