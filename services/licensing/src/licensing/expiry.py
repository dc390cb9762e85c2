"""The scheduled job that expires ACTIVE licences the day after their end date."""

from __future__ import annotations

from datetime import UTC, datetime

from runtime.db import SessionMaker
from runtime.service import PeriodicJob

from licensing.service import expire_due_licences


async def expire_now(sessions: SessionMaker) -> int:
    """Expires what is due today (UTC dates: a licence's end date is inclusive everywhere)."""
    return await expire_due_licences(sessions=sessions, today=datetime.now(UTC).date())


def expiry_job(sessions: SessionMaker, interval_seconds: float) -> PeriodicJob:
    return PeriodicJob("licence-expiry", lambda: expire_now(sessions), interval_seconds)
