"""Idempotency keys on filing's commands that move ownership, against the real service and
PostgreSQL: a retry answers the first answer and moves nothing again, another request with the
key is refused, racing twins apply once, and a key expires after its retention."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from filing import models  # noqa: F401 - registers the tables
from runtime.db import create_engine
from runtime.idempotency import prune
from runtime.migrations_env import schema_drift
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from .conftest import Filing

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _owned_work(filing: Filing) -> tuple[str, uuid.UUID, httpx.AsyncClient, uuid.UUID]:
    """A registered work wholly held by a new party, and a second party to receive shares."""
    owner, client = await filing.party()
    receiver, _ = await filing.party()
    body = {
        "title": f"Keyed {uuid.uuid4().hex}",
        "kind": "MUSICAL_WORK",
        "country_of_origin": "TH",
        "rights_holders": [{"party_id": str(owner), "role": "COMPOSER", "share": "100.00"}],
    }
    filed = await client.post("/works", json=body)
    assert filed.status_code == 201 and filed.json()["status"] == "REGISTERED", filed.text
    return filed.json()["id"], owner, client, receiver


def _transfer(receiver: uuid.UUID, share: str = "10.00") -> dict[str, Any]:
    return {"to_party_id": str(receiver), "share": share}


async def _transfers(filing: Filing, work_id: str) -> int:
    return int(
        await filing.scalar(
            "SELECT count(*) FROM work_history WHERE work_id = :w AND action = 'OWNERSHIP_TRANSFERRED'",
            w=uuid.UUID(work_id),
        )
    )


def _shares(work: dict[str, Any]) -> dict[str, str]:
    return {h["party_id"]: h["share"] for h in work["rights_holders"]}


async def test_a_retried_transfer_with_the_same_key_moves_the_share_once(filing: Filing) -> None:
    work_id, owner, client, receiver = await _owned_work(filing)
    headers = {"Idempotency-Key": f"transfer-{uuid.uuid4()}"}
    first = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(receiver), headers=headers
    )
    before_retry = await filing.counts()
    retried = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(receiver), headers=headers
    )
    assert first.status_code == retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    assert retried.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _shares(first.json()) == {str(owner): "90.00", str(receiver): "10.00"}
    assert await filing.counts() == before_retry
    assert await _transfers(filing, work_id) == 1
    # Without a key the same request is a second transfer, as it always was.
    again = await client.post(f"/works/{work_id}/transfers", json=_transfer(receiver))
    assert _shares(again.json()) == {str(owner): "80.00", str(receiver): "20.00"}


async def test_the_same_key_for_another_request_is_refused_and_changes_nothing(
    filing: Filing,
) -> None:
    work_id, _, client, receiver = await _owned_work(filing)
    headers = {"Idempotency-Key": f"transfer-{uuid.uuid4()}"}
    await client.post(f"/works/{work_id}/transfers", json=_transfer(receiver), headers=headers)
    before = await filing.counts()
    other = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(receiver, "20.00"), headers=headers
    )
    assert other.status_code == 409, other.text
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert other.json()["field"] == "Idempotency-Key"
    assert await filing.counts() == before
    assert await _transfers(filing, work_id) == 1


async def test_keys_are_per_caller(filing: Filing) -> None:
    work_id, _, client, receiver = await _owned_work(filing)
    other_work, other_owner, other_client, _ = await _owned_work(filing)
    key = {"Idempotency-Key": f"shared-{uuid.uuid4()}"}
    mine = await client.post(f"/works/{work_id}/transfers", json=_transfer(receiver), headers=key)
    theirs = await other_client.post(
        f"/works/{other_work}/transfers", json=_transfer(receiver), headers=key
    )
    assert mine.status_code == theirs.status_code == 200, theirs.text
    assert _shares(theirs.json())[str(other_owner)] == "90.00"


async def test_concurrent_identical_transfers_with_one_key_apply_once(filing: Filing) -> None:
    work_id, owner, client, receiver = await _owned_work(filing)
    headers = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    answers = await asyncio.gather(
        *(
            client.post(f"/works/{work_id}/transfers", json=_transfer(receiver), headers=headers)
            for _ in range(4)
        )
    )
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 3
    assert await _transfers(filing, work_id) == 1
    work = (await client.get(f"/works/{work_id}")).json()
    assert _shares(work) == {str(owner): "90.00", str(receiver): "10.00"}


async def test_a_refused_command_keeps_no_key_so_its_retry_runs_again(filing: Filing) -> None:
    work_id, _, client, _ = await _owned_work(filing)
    late_receiver = uuid.uuid4()
    headers = {"Idempotency-Key": f"refused-{uuid.uuid4()}"}
    refused = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(late_receiver), headers=headers
    )
    assert refused.status_code == 400 and refused.json()["field"] == "to_party_id"
    await filing.client(late_receiver).put(
        f"/parties/{late_receiver}", json={"name": "Late", "kind": "PERSON", "country": "TH"}
    )
    retried = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(late_receiver), headers=headers
    )
    assert retried.status_code == 200, retried.text
    assert _shares(retried.json())[str(late_receiver)] == "10.00"


async def test_a_dispute_resolution_retried_with_its_key_resolves_once(filing: Filing) -> None:
    work_id, *_ = await _owned_work(filing)
    claimant, claimant_client = await filing.party()
    disputed = await claimant_client.post(
        f"/works/{work_id}/disputes",
        json={
            "reason": "I wrote it",
            "evidence": "Drafts dated 2019 with the melody and lyrics, witnessed by the whole band.",
        },
    )
    assert disputed.status_code == 200, disputed.text
    examiner = filing.client(uuid.uuid4(), "examiner")
    body = {
        "keep_owners": False,
        "reason": "the drafts convince",
        "rights_holders": [{"party_id": str(claimant), "role": "COMPOSER", "share": "100.00"}],
    }
    headers = {"Idempotency-Key": f"resolve-{uuid.uuid4()}"}
    first = await examiner.post(f"/works/{work_id}/dispute-resolution", json=body, headers=headers)
    retried = await examiner.post(
        f"/works/{work_id}/dispute-resolution", json=body, headers=headers
    )
    assert first.status_code == retried.status_code == 200, retried.text
    assert retried.json() == first.json()
    assert _shares(first.json()) == {str(claimant): "100.00"}
    resolutions = await filing.scalar(
        "SELECT count(*) FROM work_history WHERE work_id = :w AND action = 'DISPUTE_RESOLVED'",
        w=uuid.UUID(work_id),
    )
    assert resolutions == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "ключ"])
async def test_a_malformed_key_is_refused_naming_the_header(filing: Filing, key: str) -> None:
    work_id, _, client, receiver = await _owned_work(filing)
    answer = await client.post(
        f"/works/{work_id}/transfers",
        json=_transfer(receiver),
        headers={"Idempotency-Key": key.encode()},  # type: ignore[dict-item]
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "Idempotency-Key"
    assert await _transfers(filing, work_id) == 0


async def _age(filing: Filing, key: str, hours: float) -> None:
    """Moves a key's first use `hours` into the past, as if that much time had gone by."""
    async with filing.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE idempotency_key SET created_at = created_at - make_interval(secs => :s) "
                "WHERE key = :k"
            ),
            {"s": hours * 3600, "k": key},
        )


async def test_an_expired_key_is_free_again_and_pruning_deletes_it(filing: Filing) -> None:
    work_id, _, client, receiver = await _owned_work(filing)
    key = f"old-{uuid.uuid4()}"
    headers = {"Idempotency-Key": key}
    await client.post(f"/works/{work_id}/transfers", json=_transfer(receiver), headers=headers)
    hours = filing.settings.idempotency_retention_hours
    await _age(filing, key, hours - 0.1)
    kept = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(receiver, "5.00"), headers=headers
    )
    assert kept.status_code == 409, kept.text  # still within its retention
    await _age(filing, key, 0.2)
    reused = await client.post(
        f"/works/{work_id}/transfers", json=_transfer(receiver, "5.00"), headers=headers
    )
    assert reused.status_code == 200, reused.text
    assert _shares(reused.json())[str(receiver)] == "15.00"
    await _age(filing, key, hours + 0.1)
    engine = create_engine(filing.settings.database_url, pool_size=1)
    try:
        pruned = await prune(engine, retention=timedelta(hours=hours), batch_size=100_000)
    finally:
        await engine.dispose()
    assert pruned >= 1
    assert await filing.scalar("SELECT count(*) FROM idempotency_key WHERE key = :k", k=key) == 0


def _diff(connection: Connection) -> list[Any]:
    return schema_drift(connection, SQLModel.metadata, {"idempotency_key"})


async def test_the_idempotency_table_matches_its_model(filing: Filing) -> None:
    async with filing.sessions() as session:
        connection = await session.connection()
        assert await connection.run_sync(_diff) == []


async def test_a_filing_submitted_twice_with_one_key_files_one_work(filing: Filing) -> None:
    """The web app's form carries a key per rendering: a double submission files once."""
    owner, client = await filing.party()
    title = f"Twice {uuid.uuid4().hex}"
    body = {"title": title, "kind": "MUSICAL_WORK", "country_of_origin": "TH",
            "rights_holders": [{"party_id": str(owner), "role": "COMPOSER", "share": "100.00"}]}
    headers = {"Idempotency-Key": f"filing-{uuid.uuid4()}"}
    first, second = await asyncio.gather(
        client.post("/works", json=body, headers=headers),
        client.post("/works", json=body, headers=headers),
    )
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    assert await filing.scalar("SELECT count(*) FROM work WHERE title = :t", t=title) == 1
    # Without a key the same body is another filing, as it always was.
    third = await client.post("/works", json=body)
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]
