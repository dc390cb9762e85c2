"""Territory expressions in licences and availability (DOMAIN.md, Territories), over real
HTTP against real Postgres and Kafka: exclusions, and membership valid over time."""

from __future__ import annotations

import uuid
from typing import Any

from .conftest import THIS_YEAR, Deal, Service, offer_body


async def _active_licence(service: Service, deal: Deal, **overrides: Any) -> dict[str, Any]:
    async with service.client(deal.owner) as owner:
        offered = await owner.post("/licences", json=offer_body(deal, **overrides))
    assert offered.status_code == 201, offered.text
    async with service.client(deal.licensee) as licensee:
        accepted = await licensee.post(f"/licences/{offered.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    body: dict[str, Any] = accepted.json()
    return body


async def _availability(service: Service, caller: uuid.UUID, work_id: uuid.UUID,
                        territories: str, start: str, end: str) -> dict[str, Any]:
    params = {"territories": territories, "media": "STREAMING", "start": start, "end": end,
              "exclusive": "true"}
    async with service.client(caller) as client:
        response = await client.get(f"/works/{work_id}/availability", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_world_excluding_japan_leaves_japan_available_and_blocks_thailand(
    service: Service, deal: Deal
) -> None:
    licence = await _active_licence(service, deal, territories=["WORLD", "-jp"])
    assert "JP" not in licence["terms"]["territories"]
    assert {"TH", "TL", "FR"} <= set(licence["terms"]["territories"])
    start, end = f"{THIS_YEAR}-03-01", f"{THIS_YEAR}-03-31"
    japan = await _availability(service, deal.owner, deal.work_id, "JP", start, end)
    assert japan["available"] is True, japan
    thailand = await _availability(service, deal.owner, deal.work_id, "TH", start, end)
    assert thailand["available"] is False, thailand
    async with service.client(deal.owner) as owner:
        refused = await owner.post("/licences", json=offer_body(
            deal, territories=["TH"], start=start, end=end))
        accepted_elsewhere = await owner.post("/licences", json=offer_body(
            deal, territories=["JP"], start=start, end=end))
    assert (refused.status_code, refused.json()["code"]) == (409, "LICENCE_CONFLICT")
    assert accepted_elsewhere.status_code == 201, accepted_elsewhere.text


async def test_an_asean_licence_before_timor_leste_joined_does_not_block_it(
    service: Service, deal: Deal
) -> None:
    # Timor-Leste joined ASEAN on 2025-10-26; a 2024 licence is for the ten members then.
    licence = await _active_licence(service, deal, territories=["ASEAN"],
                                    start="2024-01-01", end="2024-12-31")
    assert "TL" not in licence["terms"]["territories"]
    assert len(licence["terms"]["territories"]) == 10
    east_timor = await _availability(service, deal.owner, deal.work_id, "TL",
                                     "2024-01-01", "2024-12-31")
    assert east_timor["available"] is True, east_timor
    thailand = await _availability(service, deal.owner, deal.work_id, "TH",
                                   "2024-06-01", "2024-06-30")
    assert thailand["available"] is False, thailand


async def test_an_asean_period_across_timor_lestes_accession_is_refused_naming_the_field(
    service: Service, deal: Deal
) -> None:
    async with service.client(deal.owner) as owner:
        response = await owner.post("/licences", json=offer_body(
            deal, territories=["ASEAN"], start="2025-01-01", end="2025-12-31"))
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["field"] == "territories" and "2025-10-26" in error["message"], error
