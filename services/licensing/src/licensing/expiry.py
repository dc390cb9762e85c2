"""The scheduled job that expires ACTIVE licences the day after their end date."""

from __future__ import annotations

from datetime import UTC, datetime

from runtime.service import PeriodicJob
from runtime.uow import UnitOfWorkFactory

from licensing.service import expire_due_licences


async def expire_now(uow: UnitOfWorkFactory) -> int:
    """Expires what is due today (UTC dates: a licence's end date is inclusive everywhere)."""
    return await expire_due_licences(uow=uow, today=datetime.now(UTC).date())


def expiry_job(uow: UnitOfWorkFactory, interval_seconds: float) -> PeriodicJob:
    return PeriodicJob("licence-expiry", lambda: expire_now(uow), interval_seconds)
