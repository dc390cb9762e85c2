"""The register's search among realistic noise (docs/design/DOMAIN.md, "Register search"):
a generated register of 20,000 works in every script, then works filed through filing's
API, each looked for by a query shape — romanised, misspelt, one character, an identifier,
Traditional for Simplified, Vietnamese without tones, a writer's name — and expected FIRST,
ahead of newer works sharing its words. Filters combine, pages follow the ranking, totals
are exact up to their bound and estimated beyond, and no statement scans the `work` table."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from contracts.enums import WorkStatus
from contracts.errors import InvalidInput
from devstack.register.generator import Register, WorkRecord
from devstack.register.loader import load
from filing import register_search, views
from filing.app import create_app
from filing.domain.search_index import query_terms
from filing.settings import FilingSettings
from runtime.db import SessionMaker, create_engine, session_maker
from runtime.http import running_server
from sqlalchemy import text

from .conftest import file_work as _file
from .conftest import new_iswc

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORKS = 20_000
SEED = 5


@dataclass
class Register_:
    """The loaded register, filing serving it, and the works the tests filed into it."""

    sessions: SessionMaker
    generated: list[WorkRecord]
    client: Callable[[uuid.UUID], httpx.AsyncClient]
    filed: dict[str, dict[str, Any]] = field(default_factory=dict)
    writer: uuid.UUID = field(default_factory=uuid.uuid4)

    async def search(self, **params: Any) -> views.Page:
        return await views.search_works(sessions=self.sessions, query=views.SearchWorks(**params))

    async def first_id(self, text_query: str, **params: Any) -> str:
        page = await self.search(text=text_query, **params)
        assert page.works, text_query
        return str(page.works[0].id)

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.sessions() as session:
            connection = await session.connection()
            return (await connection.execute(text(sql), params)).scalar()


# The works looked for (filed first), and newer ones sharing their words (filed after them):
# newest-first would put the noise ahead; relevance must not.
TARGETS: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "thai": ("ความรักในสายฝน", ["ความรักในสายฝนเดือนหก", "สายฝนและความรัก"], {}),
    "chinese": ("月亮代表我的心", ["我的心月亮", "月亮代表我的心情歌"], {}),
    "traditional": ("愛情故事", ["爱情故事新编", "故事愛情"], {}),
    "rain": ("雨", ["雨夜", "听雨", "雨中情"], {}),
    "vietnamese": ("Nối Vòng Tay Lớn", ["Vòng Tay Nối Lớn Lên", "Nối Vòng Tay Lớn Hơn"], {}),
    "english": ("Love", ["Love Me Tender", "Endless Love"], {"country_of_origin": "PH"}),
    "khmer": ("ចម្រៀងស្នេហ៍", ["ចម្រៀងស្នេហ៍ថ្មី"], {}),
    "lao": ("ສຽງເພງແຫ່ງຮັກ", ["ສຽງເພງແຫ່ງຮັກໃໝ່"], {}),
    "burmese": ("မေတ္တာသီချင်း", ["မေတ္တာသီချင်းသစ်"], {}),
    "tamil": ("காதல் மழை", ["மழை காதல் பாடல்"], {}),
    "identified": ("Bài Ca Không Tên", ["Bài Ca Không Tên Số Hai"], {}),
    # The same words in other orders, as long and newer: only the title itself tells.
    "reordered": (
        "Amihan Sonata Forever Young",
        ["Young Forever Sonata Amihan", "Sonata Amihan Forever Young"],
        {},
    ),
}


@pytest.fixture(scope="module")
async def register(create_database: Any, token_for: Callable[..., str]) -> AsyncIterator[Register_]:
    url: str = await create_database("register_search_it")
    await load(url, WORKS, seed=SEED, batch_size=5000)
    engine = create_engine(url, pool_size=2)
    app = create_app(FilingSettings(database_url=url, outbox_poll_interval_seconds=0.2))
    clients: list[httpx.AsyncClient] = []

    def client(party: uuid.UUID) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token_for(party)}"}
        made = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60)
        clients.append(made)
        return made

    try:
        async with running_server(app) as base_url:
            made = Register_(
                session_maker(engine), list(Register(WORKS, seed=SEED).works()), client
            )
            writer = client(made.writer)
            body = {"name": "Trịnh Công Sơn", "kind": "PERSON", "country": "VN"}
            response = await writer.put(f"/parties/{made.writer}", json=body)
            assert response.status_code == 201, response.text
            for name, (title, _, extra) in TARGETS.items():
                if name == "identified":
                    extra = {**extra, "identifiers": {"iswc": new_iswc()}}
                made.filed[name] = await _file(writer, made.writer, title, **extra)
            other = uuid.uuid4()
            noise = client(other)
            response = await noise.put(
                f"/parties/{other}", json={"name": "Lê Văn Tám", "kind": "PERSON", "country": "VN"}
            )
            assert response.status_code == 201, response.text
            for _, newer, _ in TARGETS.values():
                for title in newer:
                    await _file(noise, other, title)
            yield made
    finally:
        for made_client in clients:
            await made_client.aclose()
        await engine.dispose()


async def test_a_romanised_query_finds_the_native_title_first(register: Register_) -> None:
    # ICU's romanisations, as a romanised listing shows them (accents or not).
    assert await register.first_id("khwām rạk nı s̄āy f̄n") == register.filed["thai"]["id"]
    assert (
        await register.first_id("yue liang dai biao wo de xin") == (register.filed["chinese"]["id"])
    )
    assert await register.first_id("Yuè Liàng Dài Biǎo") == register.filed["chinese"]["id"]
    assert await register.first_id("katal malai") == register.filed["tamil"]["id"]
    assert await register.first_id("mayttarsehkyinn") == register.filed["burmese"]["id"]
    # Khmer (UNGEGN spelling) and Lao (as its Thai twin letters), which ICU cannot romanise.
    assert await register.first_id("chamrieng sneh") == register.filed["khmer"]["id"]
    assert await register.first_id("syng pheng haeng hak") == register.filed["lao"]["id"]


async def test_a_misspelt_query_finds_the_intended_title_first(register: Register_) -> None:
    assert await register.first_id("Noi Vomg Tay Lon") == register.filed["vietnamese"]["id"]
    page = await register.search(text="Noi Vomg Tay Lon")
    assert len({str(w.id) for w in page.works}) == len(page.works)
    assert await register.first_id("Bai Ca Khong Tenn") == register.filed["identified"]["id"]
    # A whole title with a typo: the title itself first, ahead of newer works of the same
    # length holding the same words (the corrected title, then the corrected words).
    page = await register.search(text="Amihan Sonatta Forever Young", first=3)
    assert [str(w.id) for w in page.works][:1] == [register.filed["reordered"]["id"]]
    assert {w.title for w in page.works[1:]} == {
        "Young Forever Sonata Amihan",
        "Sonata Amihan Forever Young",
    }


async def test_a_one_character_query_finds_the_intended_title_first(register: Register_) -> None:
    page = await register.search(text="雨", first=10)
    assert str(page.works[0].id) == register.filed["rain"]["id"]
    # Works with the character in a title follow it.
    assert all(any("雨" in t for t in (w.title, *w.alternate_titles)) for w in page.works)
    assert page.total_count > 3


async def test_exact_titles_come_first_in_every_script(register: Register_) -> None:
    for name, (title, newer, _) in TARGETS.items():
        page = await register.search(text=title, first=50)
        ids = [str(w.id) for w in page.works]
        assert ids[0] == register.filed[name]["id"], (name, [w.title for w in page.works[:3]])
        # A newer title holding the same words is found too, after it.
        if name != "rain":
            titles = [w.title for w in page.works]
            assert any(t in titles for t in newer), (name, titles[:10])


async def test_simplified_traditional_and_tones_find_each_other(register: Register_) -> None:
    assert await register.first_id("爱情故事") == register.filed["traditional"]["id"]
    assert await register.first_id("noi vong tay lon") == register.filed["vietnamese"]["id"]
    assert await register.first_id("NỐI VÒNG TAY LỚN!") == register.filed["vietnamese"]["id"]


async def test_generated_titles_are_found_in_every_script(register: Register_) -> None:
    seen = set()
    for work in register.generated:
        if work.script in seen or work.status is not WorkStatus.REGISTERED:
            continue
        seen.add(work.script)
        key = set(query_terms(work.title).keys)
        page = await register.search(text=work.title, first=100)
        assert page.works and key & set(query_terms(page.works[0].title).keys), work.title
        assert work.id in {w.id for w in page.works} or not page.total_is_exact, work.title
        # Its title with the words spaced apart (and for Latin letters, in another order)
        # still finds it.
        words = query_terms(work.title).words
        if all(w.isascii() for w in words):
            words.reverse()
        spaced = await register.search(text=" ".join(words), first=100)
        assert work.id in {w.id for w in spaced.works} or spaced.total_count > 100, work.title
    assert len(seen) == 11


async def test_identifiers_and_numbers_come_first(register: Register_) -> None:
    target = register.filed["identified"]
    iswc = target["identifiers"]["iswc"]
    assert await register.first_id(iswc) == target["id"]
    assert await register.first_id(iswc.replace("-", "").replace(".", "")) == target["id"]
    assert await register.first_id(target["filing_number"]) == target["id"]
    generated = next(w for w in register.generated if w.isrc)
    page = await register.search(text=generated.isrc.lower())
    assert [w.id for w in page.works][:1] == [generated.id]


async def test_writer_names_find_their_works(register: Register_) -> None:
    page = await register.search(text="trinh cong son", first=50)
    assert {str(w.id) for w in page.works} >= {f["id"] for f in register.filed.values()}
    assert page.total_is_exact
    generated = next(w for w in register.generated if w.status is WorkStatus.REGISTERED)
    name = await register.scalar(
        "SELECT name FROM party WHERE id = :id", id=generated.holders[0].party_id
    )
    by_name = await register.search(text=name, first=100)
    assert generated.id in {w.id for w in by_name.works} or not by_name.total_is_exact, name


async def test_filters_combine_with_text(register: Register_) -> None:
    filed = register.filed
    page = await register.search(text="love", country="PH", holder_id=str(register.writer))
    assert [str(w.id) for w in page.works] == [filed["english"]["id"]]
    assert (page.total_count, page.total_is_exact) == (1, True)
    none = await register.search(
        text="love", country="PH", kind="LITERARY", holder_id=str(register.writer)
    )
    assert (none.works, none.total_count) == ([], 0)
    rejected = await register.search(text="love", status="REJECTED", first=100)
    assert rejected.works and all(w.status is WorkStatus.REJECTED for w in rejected.works)
    by_kind = await register.search(kind="LITERARY", country="TH", first=5)
    assert all(w.kind.value == "LITERARY" and w.country_of_origin == "TH" for w in by_kind.works)
    with pytest.raises(InvalidInput) as caught:
        await register.search(country="Atlantis")
    assert caught.value.field == "country"


async def test_pages_follow_the_ranking_across_tiers(register: Register_) -> None:
    query = "nối vòng tay lớn"
    whole = await register.search(text=query, first=100)
    assert 3 <= len(whole.works) < 100
    ids: list[uuid.UUID] = []
    after = None
    while True:
        page = await register.search(text=query, first=2, **({"after": after} if after else {}))
        ids += [w.id for w in page.works]
        assert page.total_count == whole.total_count
        after = page.next_cursor
        if after is None:
            break
    assert ids == [w.id for w in whole.works]
    for forged in (register_search.encode_cursor(9, 1), register_search.encode_cursor(-1, 5)):
        with pytest.raises(InvalidInput) as caught:
            await register.search(text=query, after=forged)
        assert caught.value.field == "after"


async def test_totals_are_exact_up_to_the_bound_and_estimated_beyond(
    register: Register_,
) -> None:
    everything = await register.search()
    assert not everything.total_is_exact
    assert WORKS * 0.8 < everything.total_count < WORKS * 1.5
    few = await register.search(status="DISPUTED")
    disputed = await register.scalar("SELECT count(*) FROM work WHERE status = 'DISPUTED'")
    assert disputed < register_search.TOTAL_EXACT_MAX
    assert (few.total_count, few.total_is_exact) == (disputed, True)
    common = await register.search(text="love")
    matches = await register.scalar("SELECT count(*) FROM work WHERE search_words @> ARRAY['love']")
    # Exact when counted (up to the bound, or all of them when the lookup read them anyway),
    # an estimate beyond the bound otherwise.
    if common.total_is_exact:
        assert common.total_count == matches
    else:
        assert matches > register_search.TOTAL_EXACT_MAX < common.total_count


@pytest.mark.parametrize(
    "params",
    [
        {"text": "love"},
        {"text": "雨"},
        {"text": "qx"},
        {"text": "Noi Vomg Tay Lon"},
        {"text": "khwām rạk"},
        {"text": "trinh cong son", "status": "REGISTERED"},
        {"text": "T-034.524.680-1"},
        {"country": "KH", "kind": "LITERARY"},
        {"text": "love", "status": "REGISTERED", "country": "TH"},
        {"iswc": "T-034.524.680-1", "status": "REGISTERED"},
        {},
    ],
)
async def test_no_search_scans_the_register(register: Register_, params: dict[str, Any]) -> None:
    plan = await views.search_plan(sessions=register.sessions, query=views.SearchWorks(**params))
    assert "Seq Scan on work " not in plan and "Seq Scan on party " not in plan, plan
    assert "Execution Time" in plan


async def test_the_walk_path_pages_without_repeats_or_gaps(
    register: Register_, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With bounds scaled down to this small register, common terms are found by walking it
    newest first: pages still chain, each work once, in a stable order."""
    monkeypatch.setattr(register_search, "LOOKUP_CHEAP", 10)
    monkeypatch.setattr(register_search, "WALK_MAX", 3000)
    plan = await views.search_plan(sessions=register.sessions, query=views.SearchWorks(text="love"))
    assert "held to the walk path" in plan
    whole = await register.search(text="love", first=100)
    ids: list[uuid.UUID] = []
    after = None
    for _ in range(20):
        page = await register.search(text="love", first=7, **({"after": after} if after else {}))
        ids += [w.id for w in page.works]
        after = page.next_cursor
        if after is None:
            break
    assert len(ids) == len(set(ids)) >= 100
    assert ids[:100] == [w.id for w in whole.works]
    matches = await register.scalar("SELECT count(*) FROM work WHERE search_words @> ARRAY['love']")
    assert whole.total_is_exact or abs(whole.total_count - matches) < matches


async def _common_term_rare_under(register: Register_, column: str) -> tuple[str, str]:
    """A common term of the register (in no party's name and no exact title) and a value of
    `column` that few of its works have (2 to RANKED_HEAD of them: all ranked)."""
    async with register.sessions() as session:
        connection = await session.connection()
        common = (
            await connection.execute(
                text(
                    "SELECT t.word FROM work, unnest(search_words) AS t (word) "
                    "WHERE strpos(t.word, ':') = 0 GROUP BY t.word ORDER BY count(*) DESC, "
                    "t.word LIMIT 40"
                )
            )
        ).scalars()
        for term in common:
            elsewhere = await connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM party WHERE search_words @> ARRAY[:t]) "
                    "+ (SELECT count(*) FROM work WHERE search_keys @> ARRAY[:t])"
                ),
                {"t": term},
            )
            if elsewhere.scalar_one():
                continue
            rare = (
                await connection.execute(
                    text(
                        f"SELECT {column} FROM work WHERE search_words @> ARRAY[:t] "
                        f"GROUP BY {column} HAVING count(*) BETWEEN 2 AND :most "
                        "ORDER BY count(*), 1 LIMIT 1"
                    ),
                    {"t": term, "most": register_search.RANKED_HEAD},
                )
            ).scalar()
            if rare is not None:
                return term, rare
    raise AssertionError(f"no common term is rare under a {column}")


@pytest.mark.parametrize(("column", "param"), [("country_of_origin", "country"), ("kind", "kind")])
async def test_a_common_term_rare_under_a_filter_is_looked_up_by_its_composite_term(
    register: Register_, column: str, param: str
) -> None:
    """`爱` with `country: PH`: the lookup reads the composite term's posting list (exactly
    the filtered matches), and the page is exactly those works, ranked."""
    term, value = await _common_term_rare_under(register, column)
    prefix = "c" if param == "country" else "k"
    composite = f"{prefix}:{value}:{term}"
    async with register.sessions() as session:
        connection = await session.connection()
        rows = (
            await connection.execute(
                text(
                    f"SELECT seq, id, search_keys FROM work "
                    f"WHERE search_words @> ARRAY[:t] AND {column} = :v"
                ),
                {"t": term, "v": value},
            )
        ).all()
        total = (
            await connection.execute(
                text("SELECT count(*) FROM work WHERE search_words @> ARRAY[:t]"), {"t": term}
            )
        ).scalar_one()
    assert total > 5 * len(rows)  # common, and rarely under this filter
    expected = [work_id for _, work_id, _ in sorted(rows, key=register_search._rank)]
    page = await register.search(text=term, first=100, **{param: value})
    assert [w.id for w in page.works] == expected
    assert (page.total_count, page.total_is_exact) == (len(expected), True)
    plan = await views.search_plan(
        sessions=register.sessions, query=views.SearchWorks(text=term, **{param: value})
    )
    assert f"words=[{composite!r}]" in plan, plan
    # The GIN index reads the composite term's posting list, not the plain term's.
    assert f"Index Cond: (search_words @> '{{{composite}}}'::text[])" in plan, plan
    works_read = [statement for statement in plan.split("\n\n") if " on work w" in statement]
    assert not any(f"search_words @> '{{{term}}}'" in statement for statement in works_read)
    assert "Seq Scan on work " not in plan, plan
