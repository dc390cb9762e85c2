"""Of two conflicting offers accepted at the same moment, exactly one becomes ACTIVE."""

from __future__ import annotations

import asyncio
from datetime import date

from contracts.errors import DomainError
from licensing import service as commands
from licensing.commands import OfferLicence
from licensing.domain.access import Caller
from licensing.models import LicenceRow
from sqlalchemy import select
from sqlmodel import col

from .conftest import THIS_YEAR, Deal, Service, offer_body


async def test_two_conflicting_offers_accepted_at_once_leave_exactly_one_active(
    service: Service, deal: Deal
) -> None:
    licensing = service.licensing
    for round_ in range(5):
        offers = []
        for _ in range(2):
            command = OfferLicence(
                work_id=deal.work_id, licensee_id=deal.licensee,
                territories=["MY"], media=["BROADCAST"], exclusive=True,
                start=date(THIS_YEAR + 4 + round_, 1, 1), end=date(THIS_YEAR + 4 + round_, 12, 31),
                royalty_rate="7.50", advance="0", currency="MYR",
            )
            row = await commands.offer_licence(
                uow=licensing.uow, register=licensing.register, wait_seconds=1,
                caller=Caller(deal.owner), command=command,
                consent_days=licensing.settings.owner_consent_days,
            )
            offers.append(row.id)
        # Each accept runs in its own session, so on its own pooled connection.
        results = await asyncio.gather(
            *(
                commands.accept_licence(
                    uow=licensing.uow, caller=Caller(deal.licensee), licence_id=i
                )
                for i in offers
            ),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], DomainError) and failures[0].code == "LICENCE_CONFLICT"
        async with licensing.sessions() as session:
            statuses = (
                await session.execute(
                    select(col(LicenceRow.status)).where(col(LicenceRow.id).in_(offers))
                )
            ).scalars().all()
        assert sorted(statuses) == ["ACTIVE", "OFFERED"]


async def test_conflicting_accepts_over_http_at_once_leave_exactly_one_active(
    service: Service, deal: Deal
) -> None:
    async with service.client(deal.owner) as owner:
        offers = [
            (await owner.post("/licences", json=offer_body(deal, territories=["KH"],
                                                            media=["THEATRICAL"]))).json()["id"]
            for _ in range(2)
        ]
    async with service.client(deal.licensee) as first, service.client(deal.licensee) as second:
        responses = await asyncio.gather(
            first.post(f"/licences/{offers[0]}/accept"),
            second.post(f"/licences/{offers[1]}/accept"),
        )
    assert sorted(r.status_code for r in responses) == [200, 409]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert refused["code"] == "LICENCE_CONFLICT"
