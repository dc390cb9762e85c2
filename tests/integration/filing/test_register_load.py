"""The generated register loaded into a migrated filing database of its own, then read back
through filing's own search and reads, over HTTP and through its views: the rows have
exactly filing's shape. A second load is refused; filing's next numbers follow the loaded ones."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from contracts.enums import WorkStatus
from devstack.register.generator import Register, WorkRecord
from devstack.register.loader import RegisterNotEmpty, load
from filing import views
from filing.app import create_app
from filing.domain.numbering import NumberKind
from filing.repository import take_numbers
from filing.settings import FilingSettings
from runtime.db import create_engine, session_maker, transaction
from runtime.http import running_server
from sqlalchemy import text

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORKS = 2000
SEED = 11


@pytest.fixture(scope="module")
async def loaded(create_database: Any) -> tuple[str, list[WorkRecord]]:
    url: str = await create_database("register_it")
    result = await load(url, WORKS, seed=SEED, batch_size=500)
    assert (result.works, result.parties) == (WORKS, Register(WORKS, seed=SEED).party_count)
    return url, list(Register(WORKS, seed=SEED).works())


async def test_filings_search_finds_generated_titles_in_every_script(loaded: Any) -> None:
    url, works = loaded
    engine = create_engine(url, pool_size=2)
    sessions = session_maker(engine)
    try:
        seen_scripts = set()
        for work in works:
            if work.script in seen_scripts or not work.alternate_titles:
                continue
            seen_scripts.add(work.script)
            for query in (work.title, work.alternate_titles[0]):
                page = await views.search_works(
                    sessions=sessions, query=views.SearchWorks(text=query, first=100)
                )
                assert work.id in {w.id for w in page.works} or page.total_count > 100, query
            found = await views.get_work(sessions=sessions, work_id=work.id)
            assert found.title == work.title and found.status == work.status
            assert found.alternate_titles == work.alternate_titles
            assert sum(h.share for h in found.rights_holders) == Decimal("100.00")
            history = await views.work_history(sessions=sessions, work_id=work.id)
            assert [h.action for h in history] == [h.action for h in work.history]
        assert len(seen_scripts) >= 8
        # A title's identifier finds exactly that work.
        iswc = next(w for w in works if w.iswc and w.status is WorkStatus.REGISTERED)
        page = await views.search_works(sessions=sessions, query=views.SearchWorks(iswc=iswc.iswc))
        assert [w.id for w in page.works] == [iswc.id]
        # Versions: as many as the work's events (history lines).
        async with sessions() as session:
            connection = await session.connection()
            mismatched = (
                await connection.execute(
                    text(
                        "SELECT count(*) FROM work w WHERE version <> "
                        "(SELECT count(*) FROM work_history h WHERE h.work_id = w.id)"
                    )
                )
            ).scalar_one()
        assert mismatched == 0
        # Filing's next numbers follow the loaded ones: no duplicate number.
        year = works[-1].filed_at.year
        async with transaction(sessions) as session:
            taken = await take_numbers(
                session, year=year, kinds=[NumberKind.FILING, NumberKind.REGISTRATION]
            )
            await session.rollback()
        assert taken[NumberKind.FILING] > max(w.filing_number for w in works if w.filed_at.year == year)
    finally:
        await engine.dispose()


async def test_filings_http_api_serves_the_loaded_register(
    loaded: Any, token_for: Callable[..., str]
) -> None:
    url, works = loaded
    work = next(w for w in works if w.status is WorkStatus.REGISTERED and len(w.holders) > 1)
    app = create_app(FilingSettings(database_url=url))
    async with running_server(app) as base_url:
        headers = {"Authorization": f"Bearer {token_for(work.filed_by)}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:
            found = await client.get("/works/search", params={"text": work.title, "first": 100})
            assert found.status_code == 200, found.text
            page = found.json()
            assert str(work.id) in {w["id"] for w in page["items"]} or page["total_count"] > 100
            held = await client.get("/works/search", params={"holder_id": str(work.filed_by)})
            assert str(work.id) in {w["id"] for w in held.json()["items"]} or (
                held.json()["total_count"] > 20
            )
            one = await client.get(f"/works/{work.id}")
            assert one.status_code == 200, one.text
            assert one.json()["registration_number"] == work.registration_number


async def test_a_database_that_holds_works_is_refused(loaded: Any) -> None:
    url, _ = loaded
    with pytest.raises(RegisterNotEmpty):
        await load(url, 10, seed=SEED)
