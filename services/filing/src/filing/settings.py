"""The filing service's settings: `FILING_*` environment variables over the platform's."""

from __future__ import annotations

from pydantic import Field
from runtime.settings import ServiceSettings, service_settings_config

from filing.domain.consents import CONSENT_DAYS_DEFAULT
from filing.domain.disputes import DISPUTES_PER_DAY_DEFAULT, EVIDENCE_MAX, EVIDENCE_MIN_DEFAULT


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
    # Co-owners' consent to a filing (DOMAIN.md): days a filing waits for its co-owners, and
    # how often the job returning lapsed filings runs, in seconds (0: off).
    consent_days: int = Field(default=CONSENT_DAYS_DEFAULT, ge=1, le=365)
    consent_interval_seconds: float = Field(default=60.0, ge=0)
    # Bulk import (DOMAIN.md, "Bulk import"): rows per chunk (one transaction each), and the
    # largest upload `POST /imports` takes, in bytes (its Content-Length).
    bulk_import_chunk_size: int = Field(default=5000, ge=1, le=100_000)
    bulk_import_max_bytes: int = Field(default=1_073_741_824, ge=1)
    # Filings committed together by the process's writer, at most (ARCHITECTURE.md, "Filing's
    # group commit"); 1 files each in its own transaction.
    group_commit_max: int = Field(default=64, ge=1, le=1000)
    # Batches in flight at once: one commits while the next forms and waits for the counters.
    group_commit_writers: int = Field(default=2, ge=1, le=16)
    # CWR files for collecting societies (DOMAIN.md, "CWR export"): the register as their
    # sender (HDR: type, 9-character id, name; the file name's sender code), the periodic
    # export's interval in seconds (0: off) and the societies it runs for (CISAC codes,
    # comma-separated).
    cwr_sender_type: str = Field(default="AA", pattern=r"^(PB|SO|AA|WR)$")
    cwr_sender_id: str = Field(default="000000000", pattern=r"^[0-9A-Z]{1,9}$")
    cwr_sender_name: str = Field(default="ASEAN RIGHTS REGISTER", min_length=1, max_length=45)
    cwr_sender_code: str = Field(default="ARR", pattern=r"^[0-9A-Z]{2,3}$")
    cwr_export_interval_seconds: float = Field(default=0, ge=0)
    cwr_export_societies: str = Field(default="", pattern=r"^(\d{1,3}(,\d{1,3})*)?$")
