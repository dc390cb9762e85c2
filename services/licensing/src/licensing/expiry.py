"""The scheduled job that expires ACTIVE licences the day after their end date, and ends
exclusive offers whose owners' consent lapsed."""

from __future__ import annotations

from datetime import UTC, datetime

from runtime.service import PeriodicJob
from runtime.uow import UnitOfWorkFactory

from licensing.owner_consent import lapse_overdue_offers
from licensing.service import expire_due_licences


async def expire_now(uow: UnitOfWorkFactory) -> int:
    """Expires what is due today (UTC dates: a licence's end date is inclusive everywhere),
    and lapses offers past their consent deadline; how many licences it ended."""
    now = datetime.now(UTC)
    expired = await expire_due_licences(uow=uow, today=now.date())
    return expired + await lapse_overdue_offers(uow=uow, now=now)


def expiry_job(uow: UnitOfWorkFactory, interval_seconds: float) -> PeriodicJob:
    return PeriodicJob("licence-expiry", lambda: expire_now(uow), interval_seconds)
