"""Idempotency keys on licensing's commands that move rights or money, against the real service
and PostgreSQL: a retried offer, acceptance, termination or usage report answers its first
answer and applies once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from .conftest import THIS_YEAR, Deal, Service, offer_body

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def _count(service: Service, sql: str, **params: Any) -> int:
    async with service.licensing.sessions() as session:
        return int((await session.execute(text(sql), params)).scalar_one())


async def _twice(
    client: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None
) -> tuple[httpx.Response, httpx.Response]:
    key = _key()
    first = await client.post(path, json=body, headers=key)
    retried = await client.post(path, json=body, headers=key)
    assert first.status_code == retried.status_code, retried.text
    assert retried.content == first.content
    assert retried.headers.get("Idempotent-Replayed") == "true"
    return first, retried


async def test_offer_accept_report_and_terminate_retried_with_their_keys_apply_once(
    service: Service, deal: Deal
) -> None:
    async with service.client(deal.owner) as owner, service.client(deal.licensee) as licensee:
        offered, _ = await _twice(owner, "/licences", offer_body(deal))
        assert offered.status_code == 201, offered.text
        licence_id = offered.json()["id"]
        assert await _count(service, "SELECT count(*) FROM licence WHERE work_id = :w",
                            w=deal.work_id) == 1  # fmt: skip

        accepted, _ = await _twice(licensee, f"/licences/{licence_id}/accept")
        assert accepted.status_code == 200 and accepted.json()["status"] == "ACTIVE"

        report = {
            "period_start": f"{THIS_YEAR}-01-01",
            "period_end": f"{THIS_YEAR}-01-31",
            "units": 10,
            "gross_revenue": "100.00",
        }
        used, _ = await _twice(licensee, f"/licences/{licence_id}/usage-reports", report)
        assert used.status_code == 201, used.text
        correction = {"corrects_report_id": used.json()["report"]["id"], "units": 0,
                      "gross_revenue": "10.00"}  # fmt: skip
        await _twice(licensee, f"/licences/{licence_id}/usage-reports", correction)
        assert await _count(service, "SELECT count(*) FROM royalty_statement WHERE licence_id = :l",
                            l=uuid.UUID(licence_id)) == 2  # fmt: skip

        ended, _ = await _twice(
            owner, f"/licences/{licence_id}/terminate", {"reason": "the label closed"}
        )
        assert ended.status_code == 200 and ended.json()["status"] == "TERMINATED"


async def test_racing_usage_reports_with_one_key_issue_one_statement(
    service: Service, deal: Deal
) -> None:
    async with service.client(deal.owner) as owner, service.client(deal.licensee) as licensee:
        offered = await owner.post("/licences", json=offer_body(deal))
        licence_id = offered.json()["id"]
        await licensee.post(f"/licences/{licence_id}/accept")
        correction_base = await licensee.post(
            f"/licences/{licence_id}/usage-reports",
            json={"period_start": f"{THIS_YEAR}-02-01", "period_end": f"{THIS_YEAR}-02-28",
                  "units": 1, "gross_revenue": "50.00"},
        )  # fmt: skip
        # A correction is the report a retry would otherwise apply twice.
        body = {"corrects_report_id": correction_base.json()["report"]["id"], "units": 0,
                "gross_revenue": "5.00"}  # fmt: skip
        key = _key()
        answers = await asyncio.gather(
            *(
                licensee.post(f"/licences/{licence_id}/usage-reports", json=body, headers=key)
                for _ in range(3)
            )
        )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert await _count(service, "SELECT count(*) FROM royalty_statement WHERE licence_id = :l",
                        l=uuid.UUID(licence_id)) == 2  # fmt: skip


async def test_a_key_reused_for_another_move_is_refused(service: Service, deal: Deal) -> None:
    async with service.client(deal.owner) as owner:
        key = _key()
        offered = await owner.post("/licences", json=offer_body(deal), headers=key)
        assert offered.status_code == 201, offered.text
        other = await owner.post("/licences", json=offer_body(deal, exclusive=False), headers=key)
    assert other.status_code == 409, other.text
    assert (other.json()["code"], other.json()["field"]) == (
        "IDEMPOTENCY_KEY_REUSED",
        "Idempotency-Key",
    )
    assert await _count(service, "SELECT count(*) FROM licence WHERE work_id = :w",
                        w=deal.work_id) == 1  # fmt: skip
